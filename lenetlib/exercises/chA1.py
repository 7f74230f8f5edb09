"""부록 A ``A1_speed.ipynb`` 연습 문제의 채점 함수."""

from __future__ import annotations

import math
from typing import Any

from lenetlib.exercises import exercise, numbers

FULL_TRAIN, BATCH = 54_000, 128  # A1-1: 4장 기본 설정의 훈련 이미지 수, 배치 크기
CHANGES_WEIGHTS = {5, 6}  # A1-2의 보기 중 가중치를 바꾸는 것: 섞는 순서, 배치 정규화 모델 나누기


@exercise("A1-1")
def calls_per_epoch(answer: Any) -> str | None:
    """54,000장, 배치 128: 한 에포크의 (배치 수, fit이 TensorFlow를 부르는 횟수)."""
    from lenetlib.speed import STEPS_PER_EXECUTION as SPE  # 이 문제에서만 TensorFlow를 불러옴

    given = numbers(answer, 2, "(배치 수, 부르는 횟수)", integer=True)
    batches = math.ceil(FULL_TRAIN / BATCH)
    if given == [batches, math.ceil(batches / SPE)]:
        return None
    if given[0] == FULL_TRAIN // BATCH or given[1] == batches // SPE:
        return "꽉 차지 않은 마지막 배치(와 마지막 묶음)도 한 번입니다. 나눗셈을 올림하세요."
    return f"배치 수 = 이미지 수 ÷ 배치 크기, 부르는 횟수 = 배치 수 ÷ {SPE} (둘 다 올림)."


@exercise("A1-2")
def what_changes_weights(answer: Any) -> str | None:
    """보기 1~6 중 (같은 처음 가중치에서) 끝난 가중치를 반올림 오차보다 크게 바꾸는 것의 번호들."""
    answer = sorted(answer) if isinstance(answer, set | frozenset) else answer  # {5, 6}도 받음
    given = set(numbers(answer, None, "보기 번호들", integer=True))
    extra, missing = given - CHANGES_WEIGHTS, CHANGES_WEIGHTS - given
    if extra:
        return f"고른 것 중 {len(extra)}개는 계산 순서나 방법만 바꾸고 가중치는 그대로 둡니다."
    return f"가중치를 바꾸는 것을 {len(missing)}개 빠뜨렸습니다 (3절, 4절)." if missing else None
