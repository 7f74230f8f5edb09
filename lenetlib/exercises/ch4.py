"""4장 ``04_training.ipynb`` 연습 문제의 채점 함수.

장난감 문제(``x = 1, 2, 3, 4``, 정답 ``y = 2x``, 모델 ``w·x``, 평균 제곱 오차)는 4장 2절과 같습니다.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from lenetlib.exercises import exercise, number, number_hint, numbers

#: 4장 2절의 장난감 데이터
TOY_X = np.array([1.0, 2.0, 3.0, 4.0])
TOY_Y = 2 * TOY_X
#: 4장 기본 설정의 훈련 이미지 수 (60,000장 중 검증 10%를 뺀 것)
FULL_TRAIN = 54_000


@exercise("4-1")
def gradient_descent_two_steps(answer: Any) -> str | None:
    """학습률 0.02, w = 0에서 경사 하강법 두 걸음 뒤의 w."""
    w = 0.0
    for _ in range(2):
        w -= 0.02 * float(np.mean(2 * (w * TOY_X - TOY_Y) * TOY_X))  # 기울기 dL/dw (4장 2절)
    hint = (
        "기울기는 걸음마다 새 w로 다시 계산합니다. "
        "2절의 다섯 걸음 셀에서 학습률과 걸음 수만 바꿔 보세요."
    )
    return number_hint(answer, w, tolerance=0.005, hint=hint)


@exercise("4-2")
def largest_stable_learning_rate(answer: Any) -> str | None:
    """장난감 문제에서 w가 발산하지 않는 가장 큰 학습률 (약 0.13)."""
    # 한 걸음에 (w - 2)가 (1 - 학습률 × 2·mean(x²))배가 되므로, 그 크기가 1보다 작아야 함
    boundary = 1 / float(np.mean(TOY_X**2))
    hint = (
        "2절의 세 학습률 셀에 0.1과 0.14 사이의 값을 넣어 20걸음 뒤 w가 2에 "
        "가까워지는지 보세요. 경계에서는 w가 2의 양쪽을 같은 거리로 오갑니다."
    )
    return number_hint(answer, boundary, tolerance=0.005, hint=hint)


@exercise("4-3")
def cross_entropy_of_quarter(answer: Any) -> str | None:
    """정답 확률이 0.25일 때의 교차 엔트로피 손실 (자연로그)."""
    value = number(answer)
    if value < 0:
        return "손실은 음수가 될 수 없습니다. 식 앞의 마이너스 부호를 확인하세요."
    if math.isclose(value, -math.log10(0.25), abs_tol=0.002):
        return "로그의 밑을 확인하세요. 교차 엔트로피는 자연로그(np.log)를 씁니다."
    return number_hint(
        value, -math.log(0.25), tolerance=0.001, hint="4절의 식 -log p에 정답 확률을 넣으세요."
    )


@exercise("4-4")
def updates_per_epoch(answer: Any) -> str | None:
    """54,000장을 배치 32와 512로 볼 때 한 에포크의 가중치 갱신 횟수 (32, 512 순서)."""
    small, large = numbers(answer, 2, "(배치 32일 때, 배치 512일 때)의 갱신 횟수")
    expected = [math.ceil(FULL_TRAIN / size) for size in (32, 512)]
    if [small, large] == expected:
        return None
    if [small, large] == [FULL_TRAIN // size for size in (32, 512)]:
        return (
            "마지막 미니배치는 배치 크기보다 작아도 한 번 고칩니다. 나눗셈을 올림하세요(np.ceil)."
        )
    if [large, small] == expected:
        return "순서를 확인하세요. (배치 32일 때, 배치 512일 때) 순서입니다."
    return (
        "한 에포크의 갱신 횟수는 (훈련 이미지 수 ÷ 배치 크기)를 올림한 값입니다. "
        "훈련 이미지는 54,000장입니다."
    )


@exercise("4-6")
def patience_one(answer: Any) -> str | None:
    """patience 1로 훈련한 기록: 조기 종료가 최고 에포크 바로 다음 에포크에서 멈춤."""
    names = ("epochs_run", "best_epoch", "stopped_early")  # 기록(History)의 속성이나 사전의 키
    got = [answer.get(k) if isinstance(answer, dict) else getattr(answer, k, None) for k in names]
    if any(value is None for value in got):
        return "training.train(...)이 돌려준 기록(History)을 그대로 넣으세요. 예: answer = h"
    epochs_run, best_epoch = numbers(got[:2], 2, "에포크 수", integer=True)
    stopped = got[2]
    if not 1 <= best_epoch <= epochs_run:
        return "기록의 에포크 수가 이상합니다. training.train(...)이 돌려준 기록을 그대로 넣으세요."
    if epochs_run - best_epoch > 1:
        return (
            "이 기록은 최고 에포크 뒤에도 2 에포크 넘게 더 훈련했습니다. patience가 1인 설정"
            "(training.TrainConfig(..., early_stopping_patience=1))으로 훈련했나요?"
        )
    if not stopped or epochs_run == best_epoch:
        return (
            "이 기록은 조기 종료로 멈추지 않고 마지막 에포크까지 훈련했습니다. "
            "patience 1이면 검증 정확도가 한 번만 나아지지 않아도 멈춥니다. "
            "EPOCHS = 20처럼 충분히 큰 최대 에포크로 다시 훈련하세요."
        )
    return None
