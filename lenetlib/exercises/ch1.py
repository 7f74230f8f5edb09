"""1장 연습 문제 채점 (``01_data.ipynb``): 답은 MNIST에서 직접 계산해 비교합니다."""

from __future__ import annotations

from typing import Any

import numpy as np

from lenetlib.exercises import exercise, mnist, number, number_hint, numbers


@exercise("1-2")
def _mean_pixels(answer: Any) -> str | None:
    """(숫자 1 이미지의 평균 픽셀 값, 숫자 0 이미지의 평균 픽셀 값), 원본 0~255 훈련 세트."""
    values = np.asarray(numbers(answer, 2, "(숫자 1의 평균, 숫자 0의 평균)"))
    (x, y), _ = mnist()
    expected = np.array([x[y == digit].mean() for digit in (1, 0)])
    if np.allclose(values[::-1], expected, atol=0.1):
        return "두 수의 순서가 바뀌었습니다. 숫자 1의 평균을 먼저 쓰세요."
    if np.allclose(values * 255, expected, atol=0.5):
        return "0~1로 정규화한 값입니다. 1장의 원본 x_train(0~255 정수)으로 계산하세요."
    for value, want, digit in zip(values, expected, (1, 0), strict=True):
        hint = f"훈련 세트 x_train[y_train == {digit}].mean()을 계산했는지 확인하세요."
        if problem := number_hint(value, want, tolerance=0.1, hint=hint):
            return f"숫자 {digit}의 평균이 {problem}"
    return None


@exercise("1-3")
def _largest_share_change(answer: Any) -> str | None:
    """테스트 세트의 비율(%)이 훈련 세트의 비율과 가장 많이 다른 숫자."""
    digit = number(answer, integer=True)
    (_, y_train), (_, y_test) = mnist()
    shares = [100 * np.bincount(y, minlength=10) / len(y) for y in (y_train, y_test)]
    if digit == int(np.argmax(np.abs(shares[1] - shares[0]))):
        return None
    if digit not in range(10):
        return "0부터 9까지의 숫자 하나를 넣으세요."
    return (
        "개수가 아니라 비율(%)을 비교하고, 숫자마다 |테스트 비율 − 훈련 비율|을 구해 "
        "그 값이 가장 큰 숫자를 고르세요. 표로 만들어 보면 쉽습니다."
    )
