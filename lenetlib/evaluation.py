"""테스트 데이터로 모델을 평가합니다: 손실, 정확도, 보고서, 혼동 행렬. (5장 ``05_evaluation.ipynb``)

지표는 scikit-learn으로 계산해 출력하지 않고 :class:`EvaluationResult`로 돌려줍니다.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix, log_loss

from lenetlib._internal import checks
from lenetlib._internal.constants import CLASS_NAMES, NUM_CLASSES

__all__ = [
    "EvaluationResult", "classification_table", "confusion_matrices", "cross_entropy",
    "evaluate_model", "evaluate_predictions", "per_class_table", "predict_classes",
]  # fmt: skip

_CLASSES = list(range(NUM_CLASSES))


@dataclass
class EvaluationResult:
    """테스트 평가 결과: 예측, 손실, 정확도, 보고서, 혼동 행렬, 클래스별 정확도. (5장)"""

    y_true: np.ndarray
    y_pred: np.ndarray
    probabilities: np.ndarray
    loss: float
    accuracy: float
    report: pd.DataFrame
    confusion: np.ndarray
    confusion_normalized: np.ndarray
    per_class: pd.DataFrame

    @property
    def n_samples(self) -> int:
        """테스트 표본 수."""
        return len(self.y_true)

    @property
    def n_errors(self) -> int:
        """틀린 개수."""
        return int(np.sum(self.y_true != self.y_pred))

    @property
    def error_rate(self) -> float:
        """오분류율 (0~1)."""
        return self.n_errors / self.n_samples

    @property
    def confidences(self) -> np.ndarray:
        """예측한 클래스의 확률 (확신도), ``(N,)``."""
        return self.probabilities.max(axis=1)

    def to_metrics(self) -> dict[str, Any]:
        """``artifacts.save_metrics``에 넘길 JSON용 사전. (5장)"""
        per_class = [None if np.isnan(v) else float(v) for v in self.per_class["정확도"]]
        return {
            "test_accuracy": float(self.accuracy), "test_loss": float(self.loss),
            "n_test": self.n_samples, "n_errors": self.n_errors, "error_rate": self.error_rate,
            "per_class_accuracy": per_class, "confusion": self.confusion.tolist(),
        }  # fmt: skip


def _with_probabilities(y_true: Any, probabilities: Any) -> tuple[np.ndarray, np.ndarray]:
    labels = checks.check_labels(y_true, "y_true")
    p = checks.check_probabilities(probabilities, "probabilities")
    if checks.check_same_length(y_true=labels, probabilities=p) == 0:
        raise ValueError("평가할 데이터가 없습니다. 받은 길이: 0. 테스트 데이터를 확인하세요.")
    return labels, p


def cross_entropy(y_true: Any, probabilities: Any) -> float:
    """평균 범주형 교차 엔트로피 (``model.evaluate``의 손실과 같음). (5장)"""
    labels, p = _with_probabilities(y_true, probabilities)
    return float(log_loss(labels, p / p.sum(axis=1, keepdims=True), labels=_CLASSES))


def classification_table(y_true: Any, y_pred: Any) -> pd.DataFrame:
    """``classification_report``를 표로: 숫자별 precision, recall, f1-score, support. (5장)

    ``accuracy`` 행은 텍스트 보고서처럼 f1-score 칸에 정확도. 0으로 나누는 칸은 경고 없이 0.
    """
    t, p = checks.check_label_pair(y_true, y_pred)
    report = classification_report(
        t, p, labels=_CLASSES, target_names=list(CLASS_NAMES), output_dict=True, zero_division=0
    )
    accuracy = report.pop("accuracy", accuracy_score(t, p))
    table = pd.DataFrame(report).T
    table.loc["accuracy"] = [np.nan, np.nan, accuracy, len(t)]
    rows = [*CLASS_NAMES, "accuracy", "macro avg", "weighted avg"]
    return table.reindex(rows).astype({"support": np.int64})


def confusion_matrices(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """혼동 행렬(개수)과 행 정규화 비율 (행: 실제, 열: 예측; 표본 없는 행은 0). (5장)"""
    t, p = checks.check_label_pair(y_true, y_pred)
    counts = confusion_matrix(t, p, labels=_CLASSES).astype(np.int64)
    return counts, confusion_matrix(t, p, labels=_CLASSES, normalize="true")


def per_class_table(confusion: Any) -> pd.DataFrame:
    """혼동 행렬로 숫자별 정확도 표 (숫자, 맞힌 개수, 전체, 정확도; 표본이 없으면 NaN). (5장)"""
    cm = checks.as_numeric(confusion, "혼동 행렬")
    if cm.shape != (NUM_CLASSES, NUM_CLASSES):
        raise ValueError(
            f"혼동 행렬은 ({NUM_CLASSES}, {NUM_CLASSES}) 모양이어야 합니다. 받은 모양: "
            f"{cm.shape}. confusion_matrices(y_true, y_pred)의 첫 결과를 넘기세요."
        )
    correct, total = np.diag(cm).astype(np.int64), cm.sum(axis=1).astype(np.int64)
    accuracy = np.divide(correct, total, out=np.full(NUM_CLASSES, np.nan), where=total > 0)
    return pd.DataFrame(
        {"숫자": np.arange(NUM_CLASSES), "맞힌 개수": correct, "전체": total, "정확도": accuracy}
    )


def evaluate_predictions(
    y_true: Any, probabilities: Any, *, loss: float | None = None
) -> EvaluationResult:
    """정답과 예측 확률 ``(N, 10)``로 모든 지표를 계산합니다 (``loss``를 주면 그 값). (5장)"""
    labels, p = _with_probabilities(y_true, probabilities)
    loss = cross_entropy(labels, p) if loss is None else loss
    loss = checks.check_float(loss, "loss", low=0, high=np.inf)
    y_pred = p.argmax(axis=1).astype(np.int64)
    accuracy, report = float(accuracy_score(labels, y_pred)), classification_table(labels, y_pred)
    counts, normalized = confusion_matrices(labels, y_pred)
    return EvaluationResult(
        labels, y_pred, p, loss, accuracy, report, counts, normalized, per_class_table(counts)
    )


def predict_classes(model: Any, x: Any, *, batch_size: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """모델 입력 ``(N, 32, 32, 1)``의 예측 클래스 ``int64 (N,)``와 확률 ``(N, 10)``. (5장)"""
    model = checks.check_model(model)
    batch_size = checks.check_int(batch_size, "batch_size", minimum=1, example=256)
    images = checks.check_model_input(x, "x")
    output = np.asarray(model.predict(images, batch_size=batch_size, verbose=0))
    probabilities = checks.check_probabilities(output, "모델 출력")
    return probabilities.argmax(axis=1).astype(np.int64), probabilities


def evaluate_model(model: Any, x: Any, y: Any, *, batch_size: int = 256) -> EvaluationResult:
    """테스트 데이터로 손실, 정확도, 보고서, 혼동 행렬을 계산합니다 (예측은 한 번). (5장)"""
    labels = checks.check_labels(y, "y")
    images = checks.check_model_input(x, "x")
    checks.check_same_length(x=images, y=labels)
    _, probabilities = predict_classes(model, images, batch_size=batch_size)
    return evaluate_predictions(labels, probabilities)
