"""2장 연습 문제 채점 (``02_preprocessing.ipynb``): 답은 lenetlib과 Keras로 계산해 비교합니다."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from lenetlib import preprocessing
from lenetlib.exercises import exercise, mnist, number, numbers


@exercise("2-1")
def _sparse_loss(answer: Any) -> str | None:
    """정수 레이블로 훈련할 때의 손실 (이름 문자열, Keras 손실 함수나 클래스)."""
    name = answer if isinstance(answer, str) else getattr(answer, "__name__", type(answer).__name__)
    name = re.sub(r"[^a-z0-9]", "", name.lower())  # 영숫자만 남긴 소문자 이름으로 비교
    if name == "sparsecategoricalcrossentropy":
        return None
    if name == "categoricalcrossentropy":
        return (
            "그 손실은 원-핫 레이블 (N, 10)용입니다. 정수 레이블 (N,)용 손실은 같은 이름 앞에 "
            "한 단어가 더 붙습니다 (2장 4절)."
        )
    return "분류에는 교차 엔트로피 계열 손실을 씁니다. 2장 4절의 두 손실 이름을 다시 보세요."


@exercise("2-2")
def _c1_without_padding(answer: Any) -> str | None:
    """패딩하지 않은 28×28 입력에서 C1 출력의 (높이, 너비)."""
    from lenetlib import model

    expected = model.build_lenet5(input_shape=(28, 28, 1)).get_layer("C1").output.shape[1:3]
    shape = [v for v in answer if v is not None] if isinstance(answer, tuple | list) else answer
    values = numbers(shape, None, integer=True)
    if values[:2] == list(expected) and len(values) in (2, 3):
        return None
    if values[:2] == [28, 28]:
        return "28×28은 패딩한 32×32 입력일 때의 C1 출력입니다. 이번에는 입력이 28×28입니다."
    return "5×5 필터를 패딩 없이(valid) 대면 출력 한 변은 '입력 − 필터 + 1'입니다 (3장 층 표)."


@exercise("2-3")
def _fewest_in_shuffled_validation(answer: Any) -> str | None:
    """``shuffle=True``(기본 seed)로 나눈 검증 세트에서 가장 적은 숫자."""
    digit = number(answer, integer=True)
    (x, y), _ = mnist()
    _, (_, y_val) = preprocessing.train_val_split(x, y, shuffle=True)
    counts = np.bincount(y_val, minlength=10)
    if digit == int(np.argmin(counts)):
        return None
    _, (_, y_last) = preprocessing.train_val_split(x, y)
    if digit == int(np.argmin(np.bincount(y_last, minlength=10))):
        return "그 숫자는 섞지 않고 마지막 10%를 떼었을 때의 답입니다. 섞어서 나눈 쪽을 세세요."
    hint = "np.bincount(y_val.argmax(axis=1), minlength=10)"
    return f"shuffle=True로 나눈 검증 세트의 레이블을 {hint}로 세어 보세요."
