"""6장 ``06_error_analysis.ipynb`` 연습 문제의 채점 함수."""

from __future__ import annotations

from typing import Any

import numpy as np

from lenetlib import data
from lenetlib.exercises import exercise, numbers

#: 6-2에서 찾는 숫자들 (문제에 적힌 순서)
DIGITS = (1, 0, 8)
#: 6-3: 입력에서 C3까지 층마다 (필터 또는 풀링 칸의 한 변, 보폭): C1, S2, C3
RECEPTIVE_LAYERS = ((5, 1), (2, 2), (5, 1))


@exercise("6-2")
def first_test_index(answer: Any) -> str | None:
    """숫자 1, 0, 8이 처음 나오는 테스트 이미지 번호."""
    given = numbers(answer, len(DIGITS), "(1, 0, 8이 처음 나오는 번호)", integer=True)
    _, (_, y_test) = data.load_mnist()
    expected = [int(np.flatnonzero(y_test == digit)[0]) for digit in DIGITS]
    if given == expected:
        return None
    if given == [e + 1 for e in expected]:
        return "번호는 0부터 셉니다. np.flatnonzero가 돌려준 값을 그대로 쓰세요."
    wrong = [str(d) for d, g, e in zip(DIGITS, given, expected, strict=True) if g != e]
    return (
        f"숫자 {', '.join(wrong)}의 번호가 다릅니다. np.flatnonzero(result.y_true == 숫자)[0]이 "
        "그 숫자가 처음 나오는 번호입니다. 순서는 (1, 0, 8)입니다."
    )


@exercise("6-3")
def c3_receptive_field(answer: Any) -> str | None:
    """C3 특성 맵의 한 칸이 보는 32×32 입력 영역의 한 변 (수용 영역, 14칸)."""
    (side,) = numbers(answer, 1, "한 변의 칸 수", integer=True)
    size, step = 1, 1  # 수용 영역의 한 변, 입력에서 한 칸 옮길 때의 픽셀 수
    for kernel, stride in RECEPTIVE_LAYERS:
        size += (kernel - 1) * step
        step *= stride
    if side == size:
        return None
    if side == RECEPTIVE_LAYERS[-1][0]:
        return (
            "5×5는 C3 필터가 S2 맵에서 보는 칸 수입니다. "
            "그 S2 칸들이 입력 이미지에서 몇 칸을 덮는지 거꾸로 따라가세요."
        )
    if side == 10:
        return "10은 C3 맵의 한 변입니다. 묻는 것은 C3 맵 한 칸이 입력 이미지에서 보는 영역입니다."
    return (
        "C3 한 칸 ← S2의 5×5칸 ← C1의 몇 칸(S2 한 칸은 C1의 2×2칸, 이웃 칸과 겹치지 않음) "
        "← 입력의 몇 칸(C1 한 칸은 입력의 5×5칸)처럼 입력 쪽으로 한 층씩 거꾸로 세어 보세요."
    )
