"""한국어 조사 처리 (lenetlib._internal.korean)와, 그것을 쓰는 입력 검사 메시지 (이슈 #9)."""

from __future__ import annotations

import numpy as np
import pytest

from lenetlib._internal import checks
from lenetlib._internal.korean import obj, subj, topic


def test_particles_follow_final_consonant():
    assert topic("입력 이미지") == "입력 이미지는"
    assert topic("레이블") == "레이블은"
    assert subj("훈련 레이블") == "훈련 레이블이"
    assert subj("이미지") == "이미지가"
    assert obj("이미지") == "이미지를"
    assert obj("원-핫 레이블") == "원-핫 레이블을"


def test_non_hangul_words_keep_both_forms():
    assert topic("x") == "x은(는)"
    assert subj("y_true") == "y_true이(가)"
    assert obj("confidences") == "confidences을(를)"
    assert topic("`seed`") == "`seed`은(는)"


NAMES = ["레이블", "훈련 레이블", "이미지", "검증 이미지", "확률", "x", "y_true", "seed"]
# 받침이 있으면 는/가/를, 없으면 은/이/을이 틀린 조사
WRONG_AFTER = {True: "는가를", False: "은이을"}

BAD_INPUTS = {
    "check_int": lambda n: checks.check_int(-1, n, minimum=0),
    "check_float": lambda n: checks.check_float(2.0, n, low=0, high=1),
    "check_bool": lambda n: checks.check_bool("yes", n),
    "check_seed": lambda n: checks.check_seed(2**32, n),
    "check_choice": lambda n: checks.check_choice("z", n, ["a", "b"]),
    "as_numeric": lambda n: checks.as_numeric(np.array(["a"]), n),
    "check_images": lambda n: checks.check_images(np.zeros((2, 28)), n),
    "check_model_input": lambda n: checks.check_model_input(np.zeros((2, 28, 28, 1)), n),
    "check_labels": lambda n: checks.check_labels(np.zeros((2, 3, 4)), n),
    "check_probabilities": lambda n: checks.check_probabilities(np.zeros((2, 3)), n),
    "check_model": lambda n: checks.check_model("모델", n),
}


def _has_final(word: str) -> bool | None:
    last = word[-1]
    if not "가" <= last <= "힣":
        return None
    return (ord(last) - ord("가")) % 28 != 0


@pytest.mark.parametrize("check", sorted(BAD_INPUTS))
@pytest.mark.parametrize("name", NAMES)
def test_every_message_puts_the_right_particle_after_every_name(check, name):
    """'훈련 레이블가' 같은 메시지가 없도록: 모든 검사 × 여러 이름."""
    with pytest.raises(ValueError) as info:
        BAD_INPUTS[check](name)
    message = str(info.value)
    assert name in message and any("가" <= ch <= "힣" for ch in message)
    final = _has_final(name)
    start = message.find(name)
    while start != -1:
        after = message[start + len(name) : start + len(name) + 1]
        if final is None:  # 영문 이름 바로 뒤에는 '은(는)'처럼 두 꼴을 함께 씀
            assert after not in "는가를" or after == "", message
        else:
            assert after not in WRONG_AFTER[final] or after == "", message
        start = message.find(name, start + 1)
