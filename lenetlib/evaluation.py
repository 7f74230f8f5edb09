"""테스트 데이터로 모델을 평가합니다. (5장 ``05_evaluation.ipynb``)

지표는 scikit-learn(``classification_report``, ``confusion_matrix``, ``accuracy_score``)으로
계산하고, 출력하지 않고 :class:`EvaluationResult`로 돌려줍니다. 이 모듈은 Keras를
직접 불러오지 않습니다 (모델의 ``predict``만 씁니다).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lenetlib.data import CLASS_NAMES, NUM_CLASSES

__all__ = [
    "EvaluationResult",
    "as_labels",
    "check_positive_int",
    "check_probabilities",
    "check_same_length",
    "classification_table",
    "confusion_matrices",
    "cross_entropy",
    "evaluate_model",
    "evaluate_predictions",
    "per_class_table",
    "predict_classes",
    "sample_indices",
]

#: 확률 합이 1에서 이만큼까지 벗어나는 것은 허용 (float32 softmax 반올림 오차)
PROBABILITY_SUM_TOLERANCE = 1e-3

#: Keras ``categorical_crossentropy``가 쓰는 epsilon
_EPSILON = 1e-7


# ---------------------------------------------------------------------------
# 입력 검사 (6장 errors.py도 씀)
# ---------------------------------------------------------------------------


def as_labels(y: Any, name: str = "y") -> np.ndarray:
    """정수 (N,) 또는 원-핫 (N, 10) 레이블을 int64 (N,)로 바꿉니다. (5장 ``05_evaluation.ipynb``)

    Parameters
    ----------
    y : array-like
        (N,) 0~9 정수 또는 (N, 10) 원-핫.
    name : str, default "y"
        오류 메시지에 쓸 이름.

    Returns
    -------
    np.ndarray
        int64 (N,) 레이블.
    """
    arr = np.asarray(y)
    if arr.ndim == 2:
        if arr.shape[1] != NUM_CLASSES:
            raise ValueError(
                f"{name}가 2차원이라면 (N, {NUM_CLASSES}) 원-핫이어야 합니다. 받은 모양: "
                f"{arr.shape}. "
                "정수 레이블 (N,)이나 원-핫 (N, 10)을 넘기세요."
            )
        if arr.shape[0] and not np.allclose(arr.sum(axis=1), 1.0, atol=PROBABILITY_SUM_TOLERANCE):
            raise ValueError(
                f"{name}의 각 행은 원-핫(합이 1)이어야 합니다. 받은 행 합의 범위: "
                f"{arr.sum(axis=1).min():.3f} ~ {arr.sum(axis=1).max():.3f}. "
                "encode_labels(y)를 쓰세요."
            )
        return arr.argmax(axis=1).astype(np.int64)
    if arr.ndim != 1:
        raise ValueError(
            f"{name}는 (N,) 정수 레이블이나 (N, {NUM_CLASSES}) 원-핫이어야 합니다. "
            f"받은 모양: {arr.shape}. y.ravel()이나 원-핫 배열을 넘기세요."
        )
    if arr.size == 0:
        return arr.astype(np.int64)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise ValueError(
            f"{name}는 0~9 정수 레이블이어야 합니다. 받은 dtype: {arr.dtype}. "
            "원본 MNIST 레이블(y_test)을 넘기세요."
        )
    if not np.issubdtype(arr.dtype, np.integer) and (
        not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr))
    ):
        raise ValueError(
            f"{name}에 정수가 아닌 값이 있습니다. 받은 예: {arr[arr != np.round(arr)][:3]}. "
            "예측 확률이라면 argmax(axis=1)로 클래스를 구하세요."
        )
    if arr.min() < 0 or arr.max() >= NUM_CLASSES:
        raise ValueError(
            f"{name}는 0~{NUM_CLASSES - 1} 사이의 정수여야 합니다. 받은 범위: {arr.min()} ~ "
            f"{arr.max()}. "
            "MNIST 숫자 레이블을 그대로 넘기세요."
        )
    return arr.astype(np.int64)


def check_probabilities(probabilities: Any, name: str = "probabilities") -> np.ndarray:
    """(N, 10) 확률 배열인지 (0~1, 각 행 합 1) 검사합니다. (5장 ``05_evaluation.ipynb``)

    Parameters
    ----------
    probabilities : array-like
        ``model.predict(x)``의 softmax 출력.
    name : str, default "probabilities"
        오류 메시지에 쓸 이름.

    Returns
    -------
    np.ndarray
        float (N, 10) 배열.
    """
    p = np.asarray(probabilities)
    if p.ndim != 2 or p.shape[1] != NUM_CLASSES:
        raise ValueError(
            f"{name}는 (N, {NUM_CLASSES}) 모양의 확률 배열이어야 합니다. 받은 모양: {p.shape}. "
            "model.predict(x)의 결과를 그대로 넘기세요 (한 장이라면 p[None])."
        )
    if not np.issubdtype(p.dtype, np.floating):
        p = p.astype(np.float64)
    if p.size and not np.all(np.isfinite(p)):
        raise ValueError(
            f"{name}에 NaN이나 무한대가 있습니다 (0~1 확률이어야 함). "
            f"받은 값 중 NaN/무한대 {int(np.sum(~np.isfinite(p)))}개. "
            "훈련이 발산했는지(손실이 nan인지) 확인하고 다시 훈련하세요."
        )
    if p.size and (p.min() < 0 or p.max() > 1 + 1e-6):
        raise ValueError(
            f"{name}의 값은 0~1 사이여야 합니다. 받은 범위: {p.min():.3g} ~ {p.max():.3g}. "
            "로짓이 아니라 softmax 확률을 넘기세요."
        )
    if p.size:
        sums = p.sum(axis=1, dtype=np.float64)
        worst = int(np.argmax(np.abs(sums - 1.0)))
        if abs(sums[worst] - 1.0) > PROBABILITY_SUM_TOLERANCE:
            raise ValueError(
                f"{name}의 각 행은 합이 1이어야 합니다. 받은 값: {worst}번 행의 합 "
                f"{sums[worst]:.4f}. "
                "마지막 층이 softmax인 모델의 predict 결과를 넘기세요."
            )
    return p


def check_same_length(**arrays: Any) -> None:
    """여러 배열의 길이가 같은지 검사합니다. (5장 ``05_evaluation.ipynb``)

    Parameters
    ----------
    **arrays
        이름 → 배열.
    """
    lengths = {k: len(v) for k, v in arrays.items()}
    if len(set(lengths.values())) > 1:
        got = ", ".join(f"{k} {n}개" for k, n in lengths.items())
        raise ValueError(
            f"배열의 길이가 서로 다릅니다. 받은 길이: {got}. "
            "같은 테스트 데이터에 대한 값을 넘기세요."
        )


def check_positive_int(name: str, value: Any) -> int:
    """1 이상의 정수인지 검사합니다 (k, n, batch_size 등). (5장 ``05_evaluation.ipynb``)

    Parameters
    ----------
    name : str
        오류 메시지에 쓸 인자 이름.
    value : Any
        검사할 값 (bool은 거부).

    Returns
    -------
    int
        같은 값 (int).
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(
            f"{name}는 1 이상의 정수여야 합니다. 받은 값: {value!r}. "
            "보고 싶은 개수를 양수로 지정하세요."
        )
    return int(value)


# ---------------------------------------------------------------------------
# 결과
# ---------------------------------------------------------------------------


@dataclass
class EvaluationResult:
    """테스트 평가 결과. (5장 ``05_evaluation.ipynb``)

    Attributes
    ----------
    loss : float
        테스트 손실 (범주형 교차 엔트로피, Keras와 같은 epsilon 1e-7).
    accuracy : float
        테스트 정확도 (``sklearn.metrics.accuracy_score``).
    y_true, y_pred : np.ndarray
        int64 (N,) 정답과 예측 클래스.
    probabilities : np.ndarray
        (N, 10) 예측 확률.
    report : pd.DataFrame
        ``classification_report(output_dict=True)``의 표. 행: ``"0"``~``"9"``, ``accuracy``,
        ``macro avg``, ``weighted avg``; 열: ``precision``, ``recall``, ``f1-score``, ``support``.
    confusion : np.ndarray
        int64 (10, 10) 혼동 행렬 (행: 실제, 열: 예측).
    confusion_normalized : np.ndarray
        행 합이 1이 되도록 나눈 혼동 행렬. 표본이 없는 행은 0.
    per_class : pd.DataFrame
        열 ``숫자``, ``정답 수``, ``전체 수``, ``정확도`` (표본이 없으면 NaN).
    """

    loss: float
    accuracy: float
    y_true: np.ndarray
    y_pred: np.ndarray
    probabilities: np.ndarray
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
        return self.n_errors / self.n_samples if self.n_samples else float("nan")

    @property
    def confidences(self) -> np.ndarray:
        """예측한 클래스의 확률 (확신도), (N,)."""
        return self.probabilities.max(axis=1)

    def to_metrics(self) -> dict[str, Any]:
        """``artifacts.save_metrics``에 넘길 JSON용 사전. (5장 ``05_evaluation.ipynb``)

        Returns
        -------
        dict
            ``test_loss``, ``test_accuracy``, ``n_test``, ``n_errors``, ``error_rate``,
            ``per_class_accuracy`` (10개), ``confusion`` (10×10 목록).
        """
        per_class = [None if np.isnan(v) else float(v) for v in self.per_class["정확도"]]
        return {
            "test_loss": float(self.loss),
            "test_accuracy": float(self.accuracy),
            "n_test": self.n_samples,
            "n_errors": self.n_errors,
            "error_rate": float(self.error_rate),
            "per_class_accuracy": per_class,
            "confusion": self.confusion.tolist(),
        }


def cross_entropy(y_true: Any, probabilities: Any) -> float:
    """평균 범주형 교차 엔트로피를 계산합니다. (5장 ``05_evaluation.ipynb``)

    Keras와 같은 방식: 행 합으로 나눈 뒤 [1e-7, 1−1e-7]로 자르고 −log 평균.

    Parameters
    ----------
    y_true : array-like
        (N,) 정수 레이블 또는 (N, 10) 원-핫.
    probabilities : array-like
        (N, 10) 예측 확률.

    Returns
    -------
    float
        평균 손실.
    """
    labels = as_labels(y_true, "y_true")
    p = check_probabilities(probabilities).astype(np.float64)
    check_same_length(y_true=labels, probabilities=p)
    if len(labels) == 0:
        raise ValueError(
            "빈 배열의 손실은 계산할 수 없습니다. 받은 길이: 0. 테스트 데이터를 확인하세요."
        )
    p = p / p.sum(axis=1, keepdims=True)
    picked = np.clip(p[np.arange(len(labels)), labels], _EPSILON, 1.0 - _EPSILON)
    return float(-np.mean(np.log(picked)))


def classification_table(y_true: Any, y_pred: Any) -> pd.DataFrame:
    """``classification_report``를 DataFrame으로 만듭니다. (5장 ``05_evaluation.ipynb``)

    ``accuracy`` 행은 텍스트 보고서처럼 ``f1-score`` 칸에 정확도, ``support``에 전체 수를
    두고 precision/recall은 NaN입니다.

    Parameters
    ----------
    y_true, y_pred : array-like
        (N,) 정수 레이블.

    Returns
    -------
    pd.DataFrame
        행 ``"0"``~``"9"``, ``accuracy``, ``macro avg``, ``weighted avg``.
    """
    from sklearn.metrics import classification_report

    t = as_labels(y_true, "y_true")
    p = as_labels(y_pred, "y_pred")
    check_same_length(y_true=t, y_pred=p)
    report = classification_report(
        t,
        p,
        labels=list(range(NUM_CLASSES)),
        target_names=list(CLASS_NAMES),
        output_dict=True,
        zero_division=0,
    )
    columns = ["precision", "recall", "f1-score", "support"]
    rows: dict[str, dict[str, float]] = {}
    for key, value in report.items():
        if isinstance(value, dict):
            rows[key] = {c: float(value[c]) for c in columns}
        else:  # "accuracy": 숫자 하나
            rows[key] = {
                "precision": np.nan,
                "recall": np.nan,
                "f1-score": float(value),
                "support": float(len(t)),
            }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    table["support"] = table["support"].astype(np.int64)
    return table


def confusion_matrices(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """혼동 행렬(개수)과 행 정규화 혼동 행렬(비율)을 계산합니다. (5장 ``05_evaluation.ipynb``)

    Parameters
    ----------
    y_true, y_pred : array-like
        (N,) 정수 레이블.

    Returns
    -------
    (np.ndarray, np.ndarray)
        int64 (10, 10) 개수와 float64 (10, 10) 비율. 표본이 없는 행의 비율은 0입니다
        (0으로 나누지 않음).
    """
    from sklearn.metrics import confusion_matrix

    t = as_labels(y_true, "y_true")
    p = as_labels(y_pred, "y_pred")
    check_same_length(y_true=t, y_pred=p)
    cm = confusion_matrix(t, p, labels=list(range(NUM_CLASSES))).astype(np.int64)
    row_sums = cm.sum(axis=1, keepdims=True)
    normalized = np.divide(
        cm.astype(np.float64),
        row_sums,
        out=np.zeros(cm.shape, dtype=np.float64),
        where=row_sums > 0,
    )
    return cm, normalized


def per_class_table(confusion: Any) -> pd.DataFrame:
    """혼동 행렬에서 클래스별 정확도 표를 만듭니다. (5장 ``05_evaluation.ipynb``)

    Parameters
    ----------
    confusion : array-like
        (10, 10) 개수 혼동 행렬.

    Returns
    -------
    pd.DataFrame
        열 ``숫자``, ``정답 수``, ``전체 수``, ``정확도``. 표본이 없는 숫자의 정확도는 NaN.
    """
    cm = np.asarray(confusion)
    if cm.shape != (NUM_CLASSES, NUM_CLASSES):
        raise ValueError(
            f"혼동 행렬은 ({NUM_CLASSES}, {NUM_CLASSES}) 모양이어야 합니다. 받은 모양: {cm.shape}. "
            "confusion_matrices(y_true, y_pred)의 첫 결과를 넘기세요."
        )
    correct = np.diag(cm).astype(np.int64)
    total = cm.sum(axis=1).astype(np.int64)
    accuracy = np.divide(
        correct.astype(np.float64),
        total,
        out=np.full(NUM_CLASSES, np.nan),
        where=total > 0,
    )
    return pd.DataFrame(
        {"숫자": np.arange(NUM_CLASSES), "정답 수": correct, "전체 수": total, "정확도": accuracy}
    )


def evaluate_predictions(
    y_true: Any, probabilities: Any, *, loss: float | None = None
) -> EvaluationResult:
    """정답과 예측 확률로 모든 지표를 계산합니다 (모델 없이). (5장 ``05_evaluation.ipynb``)

    Parameters
    ----------
    y_true : array-like
        (N,) 정수 레이블 또는 (N, 10) 원-핫.
    probabilities : array-like
        (N, 10) 예측 확률.
    loss : float, optional
        이미 계산한 손실. 없으면 :func:`cross_entropy`로 계산합니다.

    Returns
    -------
    EvaluationResult
        손실, 정확도, 보고서, 혼동 행렬, 클래스별 정확도.
    """
    from sklearn.metrics import accuracy_score

    labels = as_labels(y_true, "y_true")
    p = check_probabilities(probabilities)
    check_same_length(y_true=labels, probabilities=p)
    if len(labels) == 0:
        raise ValueError("평가할 데이터가 없습니다. 받은 길이: 0. 테스트 데이터를 확인하세요.")
    y_pred = p.argmax(axis=1).astype(np.int64)
    cm, cm_norm = confusion_matrices(labels, y_pred)
    return EvaluationResult(
        loss=float(loss) if loss is not None else cross_entropy(labels, p),
        accuracy=float(accuracy_score(labels, y_pred)),
        y_true=labels,
        y_pred=y_pred,
        probabilities=p,
        report=classification_table(labels, y_pred),
        confusion=cm,
        confusion_normalized=cm_norm,
        per_class=per_class_table(cm),
    )


def _check_images(x: Any) -> np.ndarray:
    arr = np.asarray(x)
    if arr.ndim == 3 and arr.shape[1:] == (32, 32):
        hint = "채널 축이 없습니다. x[..., None]을 쓰세요."
    elif arr.ndim == 3:
        hint = "한 장이라면 x[None]을 쓰세요."
    elif arr.ndim == 4:
        return arr.astype(np.float32, copy=False)
    else:
        hint = "preprocess_images(x)를 쓰세요."
    raise ValueError(
        f"입력 이미지는 (N, 32, 32, 1) 모양이어야 합니다. 받은 모양: {arr.shape}. {hint}"
    )


def predict_classes(model: Any, x: Any, *, batch_size: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """예측 클래스와 확률을 구합니다. (5장 ``05_evaluation.ipynb``)

    Parameters
    ----------
    model : keras.Model
        softmax 출력 모델.
    x : array-like
        (N, 32, 32, 1) 전처리된 이미지.
    batch_size : int, default 256
        예측 배치 크기.

    Returns
    -------
    (np.ndarray, np.ndarray)
        int64 (N,) 예측 클래스와 float32 (N, 10) 확률 (NumPy).
    """
    batch_size = check_positive_int("batch_size", batch_size)
    images = _check_images(x)
    probabilities = np.asarray(model.predict(images, batch_size=batch_size, verbose=0))
    probabilities = check_probabilities(probabilities, "모델 출력")
    return probabilities.argmax(axis=1).astype(np.int64), probabilities


def evaluate_model(
    model: Any, x_test: Any, y_test: Any, *, batch_size: int = 256
) -> EvaluationResult:
    """테스트 데이터로 손실, 정확도, 보고서, 혼동 행렬을 계산합니다. (5장 ``05_evaluation.ipynb``)

    예측은 한 번만 하고(``model.predict``) 나머지는 scikit-learn으로 계산합니다.
    손실은 Keras ``categorical_crossentropy``와 같은 식이라 ``model.evaluate``와 같습니다.

    Parameters
    ----------
    model : keras.Model
        훈련된 모델.
    x_test : array-like
        (N, 32, 32, 1) 전처리된 테스트 이미지.
    y_test : array-like
        (N,) 정수 레이블 또는 (N, 10) 원-핫.
    batch_size : int, default 256
        예측 배치 크기.

    Returns
    -------
    EvaluationResult
        모든 지표 (출력하지 않음).
    """
    labels = as_labels(y_test, "y_test")
    images = _check_images(x_test)
    check_same_length(x_test=images, y_test=labels)
    _, probabilities = predict_classes(model, images, batch_size=batch_size)
    return evaluate_predictions(labels, probabilities)


def sample_indices(n: int, k: int = 16, seed: int = 42) -> np.ndarray:
    """예측 결과를 보여 줄 표본 번호를 겹치지 않게 뽑습니다. (5장 ``05_evaluation.ipynb``)

    원래 노트북의 ``np.random.seed(42); np.random.choice(n, 16, replace=False)``와 같은
    번호를 돌려주지만, 전역 난수 상태는 바꾸지 않습니다.

    Parameters
    ----------
    n : int
        전체 개수.
    k : int, default 16
        뽑을 개수 (``n`` 이하).
    seed : int, default 42
        난수 시드.

    Returns
    -------
    np.ndarray
        int64 (k,) 번호.
    """
    n = check_positive_int("n", n)
    k = check_positive_int("k", k)
    if k > n:
        raise ValueError(f"k는 n 이하여야 합니다. 받은 값: k={k}, n={n}. k를 줄이세요.")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed는 0 이상의 정수여야 합니다. 받은 값: {seed!r}. 예: seed=42")
    rng = np.random.RandomState(int(seed))
    return rng.choice(n, k, replace=False).astype(np.int64)
