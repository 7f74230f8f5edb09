"""5장 ``05_evaluation.ipynb`` 연습 문제의 채점 함수."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from lenetlib import paper
from lenetlib.exercises import exercise, number, number_hint, numbers

#: 5장 연습 문제 1의 작은 혼동 행렬 (행: 실제 0, 1, 2 / 열: 예측 0, 1, 2)
CM_TOY = np.array([[50, 2, 3], [5, 40, 5], [0, 1, 44]])
#: MNIST 테스트 세트의 장수
N_TEST = 10_000
#: 5-5에서 확신도를 나누는 기준
CONFIDENCE_CUT = 0.9


def _close(given: list[float], expected: tuple[float, float]) -> list[bool]:
    """두 비율의 자리마다 맞았는지 (허용 오차 0.001)."""
    return [math.isclose(a, b, abs_tol=0.001) for a, b in zip(given, expected, strict=True)]


@exercise("5-1")
def precision_and_recall(answer: Any) -> str | None:
    """``CM_TOY``에서 숫자 1의 (정밀도, 재현율)."""
    given = numbers(answer, 2, "(정밀도, 재현율)")
    expected = (CM_TOY[1, 1] / CM_TOY[:, 1].sum(), CM_TOY[1, 1] / CM_TOY[1, :].sum())
    close = _close(given, expected)
    if all(close):
        return None
    if all(_close(given[::-1], expected)):
        return "두 값이 바뀌었습니다. 정밀도는 예측(열) 기준, 재현율은 실제(행) 기준입니다."
    if max(given) > 1:
        return "정밀도와 재현율은 0과 1 사이의 비율입니다. 퍼센트가 아니라 비율로 넣으세요."
    wrong = "정밀도" if not close[0] else "재현율"
    return (
        f"{wrong}를 다시 계산하세요. 대각선 칸(맞힌 개수)을 정밀도는 그 숫자의 열 합으로, 재현율은 "
        "행 합으로 나눕니다."
    )


@exercise("5-3")
def paper_errors(answer: Any) -> str | None:
    """논문 LeNet-5의 테스트 오류율(%)이 10,000장 중 몇 장인지."""
    expected = paper.PAPER_ROWS["LeNet-5"] / 100 * N_TEST
    value = number(answer)
    if any(math.isclose(value, expected * scale, rel_tol=0.01) for scale in (0.01, 0.1, 10, 100)):
        return "퍼센트를 확인하세요. 0.95%는 100장 중 0.95장입니다. 10,000장이면 몇 장일까요?"
    return number_hint(value, expected, tolerance=0.5, hint="10,000장에 오류율(%)/100을 곱하세요.")


@exercise("5-5")
def accuracy_by_confidence(answer: Any) -> str | None:
    """(확신도 0.9 미만의 정확도, 0.9 이상의 정확도, result): ``result``로 계산한 값과 비교."""
    values = list(answer) if isinstance(answer, tuple | list) else [answer]
    if len(values) != 3 or not all(
        hasattr(values[2], name) for name in ("confidences", "y_pred", "y_true")
    ):
        return (
            "answer = (0.9 미만의 정확도, 0.9 이상의 정확도, result)처럼 세 번째 자리에 5장의 "
            "evaluation.evaluate_model 결과(result)를 함께 넣으세요."
        )
    if any(value is ... or value is None for value in values[:2]):
        return "두 정확도 자리의 ...를 계산한 값으로 바꾸세요."
    given, result = numbers(values[:2], 2, "두 정확도"), values[2]
    correct = np.asarray(result.y_pred) == np.asarray(result.y_true)
    is_low = np.asarray(result.confidences, dtype=float) < CONFIDENCE_CUT
    if is_low.all() or not is_low.any():
        return (
            "이 result에는 확신도 0.9 미만(또는 이상)인 예측이 하나도 없어 "
            "두 묶음을 비교할 수 없습니다."
        )
    expected = (float(correct[is_low].mean()), float(correct[~is_low].mean()))
    close = _close(given, expected)
    if all(close):
        return None
    if max(given) > 1:
        return "정확도는 0과 1 사이의 비율입니다. 맞힌 개수를 그 묶음의 장수로 나누세요."
    if all(_close(given[::-1], expected)):
        return "두 값이 바뀌었습니다. 순서는 (0.9 미만, 0.9 이상)입니다."
    wrong = "0.9 미만" if not close[0] else "0.9 이상"
    return (
        f"{wrong} 묶음의 정확도가 다릅니다. low = result.confidences < 0.9로 묶음을 나누고, "
        "correct = result.y_pred == result.y_true에서 correct[low].mean()처럼 "
        "묶음마다 평균을 내세요."
    )
