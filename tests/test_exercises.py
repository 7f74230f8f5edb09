"""연습 문제 채점 (이슈 #12): 모든 채점이 풀이의 답에 통과하고, 빈 답과 흔한 오답에 실패합니다.

장별 사례(풀이의 답, 흔한 오답)는 tools/exercise_cases_*.py의 ``CASES``에 있습니다.
"""

from __future__ import annotations

import importlib
import json
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from lenetlib import exercises

ROOT = Path(__file__).resolve().parent.parent
CASES: dict[str, tuple[object, object]] = {}
for _path in sorted((ROOT / "tools").glob("exercise_cases_*.py")):
    CASES.update(importlib.import_module(f"tools.{_path.stem}").CASES)


def _check_keys(path: Path) -> list[str]:
    """노트북의 코드 셀에서 ``exercises.check("k", ...)``로 부르는 번호들."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    return re.findall(r"exercises\.check\(\s*[\"']([^\"']+)[\"']", code)


def test_every_registered_exercise_has_cases_and_every_case_is_registered():
    assert exercises.keys(), "등록된 연습 문제가 없습니다"
    assert sorted(CASES) == exercises.keys()


@pytest.mark.parametrize("key", sorted(CASES))
def test_solution_passes(key):
    ok, message = exercises.result(key, CASES[key][0])
    assert ok, message
    assert "정답" in message


@pytest.mark.parametrize("key", sorted(CASES))
def test_blank_fails_with_korean_prompt(key):
    assert exercises.result(key, ...) == (False, exercises.BLANK_MESSAGE)
    assert exercises.result(key, None)[0] is False


@pytest.mark.parametrize("key", sorted(CASES))
def test_typical_wrong_answer_fails_with_a_hint_that_does_not_give_the_answer(key):
    solution, wrong = CASES[key]
    ok, message = exercises.result(key, wrong)
    assert not ok
    assert message.startswith(f"✗ {key} 아직 아닙니다. 힌트: ") and len(message) > 25
    if isinstance(solution, int | float | str) and not isinstance(solution, bool):
        assert not re.search(rf"(?<![\d.]){re.escape(str(solution))}(?![\d.])", message)


def test_every_exercise_is_asked_in_its_chapter_and_answered_in_its_solution():
    chapters = sorted((ROOT / "notebooks").glob("*.ipynb"))
    asked = {k for p in chapters for k in _check_keys(p)}
    answered = {k for p in sorted((ROOT / "solutions").glob("*.ipynb")) for k in _check_keys(p)}
    assert asked == set(exercises.keys()), "장의 check 호출과 등록된 번호가 다릅니다"
    assert answered == set(exercises.keys()), "solutions/의 check 호출과 등록된 번호가 다릅니다"


def test_unknown_key_is_a_korean_error():
    with pytest.raises(ValueError, match="연습 문제 번호"):
        exercises.result("99-9", 1)


def test_check_prints_one_line(capsys):
    exercises.check(exercises.keys()[0], ...)
    assert capsys.readouterr().out == exercises.BLANK_MESSAGE + "\n"


@pytest.mark.parametrize("key", sorted(CASES))
def test_answer_of_the_wrong_form_gets_a_korean_hint_not_a_python_error(key):
    for odd in (object(), "문자열", [[1, 2], [3]]):
        ok, message = exercises.result(key, odd)
        assert not ok, f"{key}: {odd!r}"
        assert not re.search(r"[A-Za-z]{3,} object|not iterable|Traceback", message), message


# --- 이슈 #18 (5): 답을 느슨하게 바꾸지 않음 (int() 자르기, 넘침, NaN, 복소수); 데이터 없음 ---

LOOSE_ANSWERS = [
    ("3-1", 10**400, "너무 큽니다"),
    ("6-3", float("inf"), "무한대"),
    ("4-1", float("nan"), "NaN"),
    ("5-3", float("-inf"), "무한대"),
    ("6-3", 14.9, "정수로"),  # int(14.9) == 14가 정답이라 "정답입니다"였음
    ("1-3", 2.9, "정수로"),
    ("2-3", 4.5, "정수로"),
    ("6-2", (2.5, 3, 61), "정수로"),
    ("2-2", (24.7, 24.2), "정수로"),
    ("3-1", np.complex128(30840 + 0j), "복소수"),
    ("4-1", np.complex64(1.02 + 1j), "복소수"),
    ("5-1", (40 / 43, 0.8 + 0j), "복소수"),
    ("1-2", (19.38, True), "수를 넣으세요"),
    ("4-4", ("1688", 106), "따옴표 없이"),
]


@pytest.mark.parametrize(
    ("key", "answer", "fragment"),
    LOOSE_ANSWERS,
    ids=[f"{k}-{i}" for i, (k, *_) in enumerate(LOOSE_ANSWERS)],
)
def test_loose_numbers_get_a_korean_form_hint_not_a_python_error(key, answer, fragment):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 영어 ComplexWarning·RuntimeWarning이 나면 실패
        ok, message = exercises.result(key, answer)
    assert not ok, message
    assert message.startswith(f"✗ {key} 아직 아닙니다. 힌트: ") and fragment in message, message


def test_integral_floats_and_numpy_numbers_still_count():
    assert exercises.result("6-3", 14.0)[0] and exercises.result("6-3", np.int64(14))[0]
    assert exercises.result("6-2", np.array([2, 3, 61]))[0]
    assert exercises.result("4-1", np.float32(1.02))[0]
    assert exercises.numbers([1, 2.5], 2) == [1.0, 2.5]
    with pytest.raises(exercises.AnswerError, match=r"수 2개를 \(a, b\)처럼"):
        exercises.numbers(np.zeros((60000, 28, 28)), 2)  # 큰 배열도 풀지 않고 바로 거절


@pytest.mark.parametrize("key", ["1-3", "6-2"])
def test_missing_mnist_is_reported_as_missing_data_not_as_a_wrong_form(key, monkeypatch):
    from lenetlib import data

    def offline(*args, **kwargs):
        raise data.DataError(
            "어디서도 MNIST 데이터를 가져오지 못했습니다. `make data`를 실행하세요."
        )

    monkeypatch.setattr(data, "load_mnist", offline)
    exercises.mnist.cache_clear()
    try:
        ok, message = exercises.result(key, CASES[key][0])
    finally:
        exercises.mnist.cache_clear()
    assert not ok
    assert "MNIST 데이터가 없습니다" in message and "make data" in message, message
    assert "형태" not in message and "아직 아닙니다" not in message, message
