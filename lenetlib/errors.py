"""틀린 예측을 분석하고 모델 내부(필터, 특성 맵)를 들여다봅니다. (6장 ``06_error_analysis.ipynb``)

모든 함수는 계산한 값(배열, DataFrame, 사전)을 돌려주고 출력하지 않습니다.
Keras는 특성 맵을 구할 때만 불러옵니다.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from lenetlib.evaluation import (
    NUM_CLASSES,
    EvaluationResult,
    as_labels,
    check_positive_int,
    check_probabilities,
    check_same_length,
)

__all__ = [
    "confused_pairs",
    "feature_maps",
    "layer_filters",
    "misclassified",
    "most_confident_errors",
    "probability_breakdown",
    "run_summary",
]


def misclassified(y_true: Any, y_pred: Any) -> np.ndarray:
    """틀린 예측의 번호를 돌려줍니다. (6장 ``06_error_analysis.ipynb``)

    Parameters
    ----------
    y_true, y_pred : array-like
        (N,) 정수 레이블 (원-핫도 됨).

    Returns
    -------
    np.ndarray
        int64 번호, 오름차순.
    """
    t = as_labels(y_true, "y_true")
    p = as_labels(y_pred, "y_pred")
    check_same_length(y_true=t, y_pred=p)
    return np.flatnonzero(t != p).astype(np.int64)


def most_confident_errors(y_true: Any, probabilities: Any, k: int = 16) -> np.ndarray:
    """가장 확신하며 틀린 예측의 번호 (확신도 내림차순). (6장 ``06_error_analysis.ipynb``)

    확신도는 예측한 클래스의 확률(``probabilities.max(axis=1)``)입니다. 확신도가 같으면
    번호가 작은 것이 먼저입니다.

    Parameters
    ----------
    y_true : array-like
        (N,) 정수 레이블 또는 (N, 10) 원-핫.
    probabilities : array-like
        (N, 10) 예측 확률.
    k : int, default 16
        최대 개수 (틀린 것이 더 적으면 그만큼만).

    Returns
    -------
    np.ndarray
        int64 번호, 길이 ``min(k, 틀린 개수)``.
    """
    k = check_positive_int("k", k)
    t = as_labels(y_true, "y_true")
    p = check_probabilities(probabilities)
    check_same_length(y_true=t, probabilities=p)
    pred = p.argmax(axis=1)
    wrong = np.flatnonzero(pred != t)
    confidence = p[wrong, pred[wrong]]
    order = np.argsort(-confidence, kind="stable")
    return wrong[order[:k]].astype(np.int64)


def confused_pairs(y_true: Any, y_pred: Any, k: int = 10) -> pd.DataFrame:
    """가장 자주 헷갈린 (실제, 예측) 숫자 쌍. (6장 ``06_error_analysis.ipynb``)

    Parameters
    ----------
    y_true, y_pred : array-like
        (N,) 정수 레이블.
    k : int, default 10
        최대 행 수.

    Returns
    -------
    pd.DataFrame
        열 ``실제``, ``예측``, ``개수``. 개수 내림차순(같으면 실제, 예측 오름차순), 0인 쌍은 뺌.
    """
    k = check_positive_int("k", k)
    t = as_labels(y_true, "y_true")
    p = as_labels(y_pred, "y_pred")
    check_same_length(y_true=t, y_pred=p)
    counts = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
    np.add.at(counts, (t, p), 1)
    np.fill_diagonal(counts, 0)
    actual, predicted = np.nonzero(counts)
    table = pd.DataFrame(
        {
            "실제": actual.astype(np.int64),
            "예측": predicted.astype(np.int64),
            "개수": counts[actual, predicted],
        }
    )
    table = table.sort_values(
        ["개수", "실제", "예측"], ascending=[False, True, True], kind="stable"
    )
    return table.head(k).reset_index(drop=True)


def probability_breakdown(probabilities: Any, index: int) -> pd.DataFrame:
    """한 예제에 대한 숫자별 예측 확률표 (높은 순). (6장 ``06_error_analysis.ipynb``)

    Parameters
    ----------
    probabilities : array-like
        (N, 10) 예측 확률.
    index : int
        볼 예제의 번호 (0 이상 N 미만).

    Returns
    -------
    pd.DataFrame
        열 ``숫자``, ``확률``, 확률 내림차순 10행.
    """
    p = check_probabilities(probabilities)
    n = len(p)
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < n:
        raise ValueError(
            f"index는 0 이상 {n} 미만의 정수여야 합니다. 받은 값: {index!r}. "
            "misclassified(...)나 most_confident_errors(...)가 돌려준 번호를 쓰세요."
        )
    row = p[int(index)].astype(np.float64)
    order = np.argsort(-row, kind="stable")
    return pd.DataFrame({"숫자": order.astype(np.int64), "확률": row[order]}).reset_index(drop=True)


def _layer_names(model: Any) -> list[str]:
    return [layer.name for layer in getattr(model, "layers", [])]


def _get_layer(model: Any, name: str) -> Any:
    if not isinstance(name, str):
        raise ValueError(
            f"층 이름은 문자열이어야 합니다. 받은 값: {name!r}. 사용할 수 있는 층: "
            f"{_layer_names(model)}"
        )
    try:
        return model.get_layer(name)
    except ValueError:
        raise ValueError(
            f"모델에 '{name}' 층이 없습니다. 사용할 수 있는 층: {_layer_names(model)}. "
            "build_lenet5()로 만든 모델의 층 이름(C1, C3 등)을 쓰세요."
        ) from None


def _one_image_batch(model: Any, x_one: Any) -> np.ndarray:
    x = np.asarray(x_one, dtype=np.float32)
    if x.ndim == 3:
        x = x[None]
    if x.ndim != 4 or x.shape[0] != 1:
        raise ValueError(
            "이미지 한 장은 (32, 32, 1) 또는 (1, 32, 32, 1) 모양이어야 합니다. 받은 모양: "
            f"{np.shape(x_one)}. "
            "x_test[i]처럼 한 장을 넘기세요."
        )
    want = getattr(model, "input_shape", None)
    if (
        isinstance(want, tuple)
        and len(want) == 4
        and any(w is not None and w != g for w, g in zip(want[1:], x.shape[1:], strict=True))
    ):
        raise ValueError(
            f"이미지 모양이 모델 입력과 다릅니다. 모델 입력: {want[1:]}, 받은 모양: "
            f"{x.shape[1:]}. "
            "preprocess_images(x)를 거친 이미지를 쓰세요."
        )
    return x


def feature_maps(
    model: Any, x_one: Any, layer_names: Sequence[str] = ("C1", "C3")
) -> dict[str, np.ndarray]:
    """이미지 한 장에 대한 층별 특성 맵을 구합니다. (6장 ``06_error_analysis.ipynb``)

    ``keras.Model(model.inputs, [층.output, ...])`` 부분 모델을 만들어 한 번에 계산합니다.
    아직 호출된 적 없는 Sequential 모델이면 먼저 이 이미지로 한 번 호출해 만듭니다.

    Parameters
    ----------
    model : keras.Model
        훈련된 모델.
    x_one : array-like
        (32, 32, 1) 또는 (1, 32, 32, 1) 전처리된 이미지 한 장.
    layer_names : sequence of str, default ("C1", "C3")
        특성 맵을 볼 층 이름.

    Returns
    -------
    dict[str, np.ndarray]
        층 이름 → (H, W, C) 특성 맵 (NumPy).
    """
    from lenetlib._backend import keras

    if isinstance(layer_names, str):
        layer_names = (layer_names,)
    names = list(layer_names)
    if not names:
        raise ValueError("layer_names가 비어 있습니다. 받은 값: (). 예: layer_names=('C1', 'C3')")
    x = _one_image_batch(model, x_one)
    layers = [_get_layer(model, name) for name in names]
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        inputs = None
    if not inputs:
        model(x)  # 입력 모양이 정해지지 않은 Sequential: 한 번 호출해 만듭니다.
        inputs = model.inputs
    try:
        outputs = [layer.output for layer in layers]
    except (AttributeError, ValueError) as exc:
        raise ValueError(
            f"층 {names}의 출력을 연결할 수 없습니다 ({exc}). keras.Input으로 입력을 정한 "
            "모델(build_lenet5())을 쓰세요."
        ) from exc
    sub = keras.Model(inputs=inputs[0] if len(inputs) == 1 else inputs, outputs=outputs)
    values = sub(x, training=False)
    if not isinstance(values, (list, tuple)):
        values = [values]
    out: dict[str, np.ndarray] = {}
    for name, value in zip(names, values, strict=True):
        arr = np.asarray(keras.ops.convert_to_numpy(value))[0]
        if arr.ndim != 3:
            raise ValueError(
                f"'{name}' 층의 출력은 (H, W, C) 특성 맵이 아닙니다. 받은 모양: {arr.shape}. "
                "합성곱이나 풀링 층(C1, S2, C3, S4)을 고르세요."
            )
        out[name] = arr
    return out


def layer_filters(model: Any, layer_name: str) -> np.ndarray:
    """합성곱 층의 필터(커널) 가중치를 돌려줍니다. (6장 ``06_error_analysis.ipynb``)

    Parameters
    ----------
    model : keras.Model
        모델.
    layer_name : str
        합성곱 층 이름 (예: ``"C1"``, ``"C3"``).

    Returns
    -------
    np.ndarray
        (kh, kw, 입력 채널, 필터 수) 가중치. C1은 (5, 5, 1, 6), C3는 (5, 5, 6, 16).
    """
    layer = _get_layer(model, layer_name)
    kernel = getattr(layer, "kernel", None)
    weights = [np.asarray(kernel)] if kernel is not None else []
    weights += [np.asarray(w) for w in layer.get_weights()]
    for w in weights:
        if w.ndim == 4:
            return w
    raise ValueError(
        f"'{layer_name}' 층에는 (kh, kw, in, out) 합성곱 필터가 없습니다. "
        f"받은 가중치 모양: {[w.shape for w in weights]}. C1이나 C3 같은 합성곱 층을 고르세요."
    )


def _history_dict(history: Any) -> Mapping[str, Sequence[float]]:
    hist = getattr(history, "history", history)
    if not isinstance(hist, Mapping):
        raise ValueError(
            "history는 훈련 기록(History)이나 사전이어야 합니다. 받은 형식: "
            f"{type(history).__name__}. "
            "train(...)이나 load_history(...)의 결과를 넘기세요."
        )
    return hist


def run_summary(
    model: Any,
    history: Any,
    evaluation: EvaluationResult,
    config: Any,
    *,
    data: Any | None = None,
) -> dict[str, Any]:
    """실행 전체를 요약한 사전 (마지막 요약 셀용). (6장 ``06_error_analysis.ipynb``)

    값은 숫자 그대로 두므로 노트북에서 원하는 형식으로 출력하세요.

    Parameters
    ----------
    model : keras.Model
        훈련된 모델.
    history : History or Mapping
        훈련 기록.
    evaluation : EvaluationResult
        :func:`lenetlib.evaluation.evaluate_model`의 결과.
    config : TrainConfig
        훈련 설정.
    data : PreparedData, optional
        주면 훈련/검증 개수를 넣습니다 (없으면 기록의 ``extra``에서 찾음).

    Returns
    -------
    dict
        키: ``모델 아키텍처``, ``모델 이름``, ``입력 크기``, ``총 파라미터``, ``훈련 데이터 수``,
        ``검증 데이터 수``, ``테스트 데이터 수``, ``훈련 에포크``, ``최대 에포크``, ``최고 에포크``,
        ``배치 크기``, ``옵티마이저``, ``학습률``, ``테스트 정확도``, ``테스트 손실``,
        ``오분류 개수``, ``오분류율``, ``클래스별 성능`` (DataFrame).
    """
    if not isinstance(evaluation, EvaluationResult):
        raise ValueError(
            f"evaluation은 EvaluationResult여야 합니다. 받은 형식: {type(evaluation).__name__}. "
            "evaluate_model(...)의 결과를 넘기세요."
        )
    hist = _history_dict(history)
    extra = getattr(history, "extra", {}) or {}
    epochs_run = getattr(history, "epochs_run", None)
    if epochs_run is None:
        epochs_run = len(hist.get("loss", hist.get("accuracy", [])))
    optimizer = getattr(model, "optimizer", None)
    optimizer_name = type(optimizer).__name__ if optimizer is not None else "Adam"
    n_train = len(data.x_train) if data is not None else extra.get("n_train")
    n_val = len(data.x_val) if data is not None else extra.get("n_val")
    input_shape = getattr(model, "input_shape", None)
    return {
        "모델 아키텍처": "LeNet-5 (LeCun et al., 1998)",
        "모델 이름": str(getattr(model, "name", "")),
        "입력 크기": tuple(input_shape[1:]) if isinstance(input_shape, tuple) else None,
        "총 파라미터": int(model.count_params()),
        "훈련 데이터 수": None if n_train is None else int(n_train),
        "검증 데이터 수": None if n_val is None else int(n_val),
        "테스트 데이터 수": evaluation.n_samples,
        "훈련 에포크": int(epochs_run),
        "최대 에포크": int(getattr(config, "epochs", epochs_run)),
        "최고 에포크": getattr(history, "best_epoch", None),
        "배치 크기": getattr(config, "batch_size", None),
        "옵티마이저": optimizer_name,
        "학습률": getattr(config, "learning_rate", None),
        "테스트 정확도": float(evaluation.accuracy),
        "테스트 손실": float(evaluation.loss),
        "오분류 개수": evaluation.n_errors,
        "오분류율": float(evaluation.error_rate),
        "클래스별 성능": evaluation.per_class.copy(),
    }
