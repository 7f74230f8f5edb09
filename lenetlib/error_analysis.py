"""틀린 예측을 분석하고 모델 내부(필터, 특성 맵)를 들여다봅니다. (6장 ``06_error_analysis.ipynb``)

모든 함수는 값(배열, DataFrame, 사전)을 돌려주고 출력하지 않습니다.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from lenetlib._internal import checks
from lenetlib._internal.korean import subj
from lenetlib.evaluation import EvaluationResult

__all__ = [
    "confused_pairs", "feature_maps", "layer_filters", "misclassified", "most_confident_errors",
    "probability_breakdown", "run_summary",
]  # fmt: skip


def misclassified(y_true: Any, y_pred: Any) -> np.ndarray:
    """틀린 예측의 번호를 오름차순으로 돌려줍니다. (6장)"""
    t, p = checks.check_label_pair(y_true, y_pred)
    return np.flatnonzero(t != p).astype(np.int64)


def most_confident_errors(y_true: Any, probabilities: Any, k: int = 16) -> np.ndarray:
    """가장 확신하며 틀린 예측의 번호 ``k``개 (확신도 내림차순, 같으면 번호 순). (6장)"""
    k = checks.check_int(k, "k", minimum=1, example=16)
    t = checks.check_labels(y_true, "y_true")
    p = checks.check_probabilities(probabilities, "probabilities")
    checks.check_same_length(y_true=t, probabilities=p)
    pred = p.argmax(axis=1)
    wrong = np.flatnonzero(pred != t)
    order = np.argsort(-p[wrong, pred[wrong]], kind="stable")
    return wrong[order[:k]].astype(np.int64)


def confused_pairs(y_true: Any, y_pred: Any, k: int = 10) -> pd.DataFrame:
    """가장 자주 헷갈린 (실제, 예측) 쌍 ``k``개: 열 실제, 예측, 개수 (개수 내림차순). (6장)"""
    k = checks.check_int(k, "k", minimum=1, example=10)
    t, p = checks.check_label_pair(y_true, y_pred)
    wrong = pd.DataFrame({"실제": t, "예측": p})[t != p]
    table = wrong.value_counts().reset_index(name="개수")
    table = table.sort_values(["개수", "실제", "예측"], ascending=[False, True, True])
    return table.head(k).reset_index(drop=True)


def probability_breakdown(probabilities: Any, index: int) -> pd.DataFrame:
    """한 예제의 숫자별 예측 확률표 (열 숫자, 확률; 확률 내림차순). (6장)"""
    p = checks.check_probabilities(probabilities, "probabilities")
    row = p[checks.check_index(index, len(p))].astype(np.float64)
    order = np.argsort(-row, kind="stable")
    return pd.DataFrame({"숫자": order.astype(np.int64), "확률": row[order]})


def _layer(model: Any, name: Any) -> Any:
    names = [layer.name for layer in checks.check_model(model).layers]
    return model.get_layer(checks.check_choice(name, "층 이름", names))


def feature_maps(
    model: Any, x_one: Any, layer_names: Sequence[str] = ("C1", "C3")
) -> dict[str, np.ndarray]:
    """이미지 한 장 ``(32, 32, 1)``의 층별 특성 맵 ``(H, W, C)`` (6장이 같은 계산을 씀). (6장)"""
    from lenetlib._internal.backend import keras

    names = [layer_names] if isinstance(layer_names, str) else list(layer_names)
    if not names:
        raise ValueError(f"{subj('layer_names')} 비어 있습니다. 받은 값: (). 예: ('C1', 'C3')")
    layers = {name: _layer(model, name) for name in names}
    arr = checks.as_numeric(x_one, "x_one")
    batch = checks.check_model_input(arr[None] if arr.ndim == 3 else arr, "x_one")
    if len(batch) != 1:
        raise ValueError(
            f"이미지는 한 장만 넘기세요. 받은 모양: {arr.shape}. x_test[i]처럼 한 장을 고르세요."
        )
    if not model.built:
        model(batch)  # 입력 모양을 정하지 않은 Sequential: 한 번 불러 만듭니다.
    for name, layer in layers.items():
        if len(layer.output.shape) != 4:
            raise ValueError(
                f"'{name}' 층의 출력은 (H, W, C) 특성 맵이 아닙니다. 받은 모양: "
                f"{layer.output.shape}. 합성곱이나 풀링 층(C1, S2, C3, S4)을 고르세요."
            )
    sub = keras.Model(model.inputs[0], {name: layer.output for name, layer in layers.items()})
    values = sub(batch, training=False)
    return {name: keras.ops.convert_to_numpy(values[name])[0] for name in names}


def layer_filters(model: Any, layer_name: str) -> np.ndarray:
    """합성곱 층의 필터 가중치 ``(5, 5, 입력 채널, 필터 수)``: 층의 ``kernel``. (6장)"""
    kernel = getattr(_layer(model, layer_name), "kernel", None)
    weights = np.asarray(kernel) if kernel is not None else np.zeros(0)
    if weights.ndim != 4:
        raise ValueError(
            f"'{layer_name}' 층에는 (kh, kw, 입력 채널, 필터 수) 합성곱 필터가 없습니다. "
            f"받은 가중치 모양: {weights.shape}. C1이나 C3 같은 합성곱 층을 고르세요."
        )
    return weights


def run_summary(
    model: Any, history: Any, result: EvaluationResult, cfg: Any, *, data: Any = None
) -> dict[str, Any]:
    """훈련과 평가 전체를 요약한 사전 (마지막 요약 셀용, 값은 숫자 그대로). (6장)

    ``history``: ``training.train``의 결과나 기록 사전, ``cfg``: ``training.TrainConfig``,
    ``data``: ``PreparedData`` (주면 훈련·검증 개수를 넣음).
    """
    model = checks.check_model(model)
    checks.check_type(result, EvaluationResult, "result", "EvaluationResult",
                      "evaluation.evaluate_model(...)의 결과를 넘기세요.")  # fmt: skip
    fix = "training.train(...)이나 artifacts.load_history(...)의 결과를 넘기세요."
    log = getattr(history, "history", history)
    checks.check_type(log, Mapping, "history", "훈련 기록", fix)
    optimizer = getattr(model, "optimizer", None)
    return {
        "모델 아키텍처": "LeNet-5 (이 강의의 구성, 3장)",
        "훈련 데이터 수": None if data is None else len(data.x_train),
        "검증 데이터 수": None if data is None else len(data.x_val),
        "테스트 데이터 수": result.n_samples,
        "입력 크기": tuple(model.input_shape[1:]),
        "총 파라미터": int(model.count_params()),
        "훈련 에포크": int(getattr(history, "epochs_run", len(log.get("loss", [])))),
        "최대 에포크": getattr(cfg, "epochs", None),
        "최고 에포크": getattr(history, "best_epoch", None),
        "배치 크기": getattr(cfg, "batch_size", None),
        "옵티마이저": type(optimizer).__name__ if optimizer is not None else "Adam",
        "학습률": getattr(cfg, "learning_rate", None),
        "테스트 정확도": float(result.accuracy),
        "테스트 손실": float(result.loss),
        "오분류 개수": result.n_errors,
        "오분류율": float(result.error_rate),
        "클래스별 성능": result.per_class.copy(),
    }
