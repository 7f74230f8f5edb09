"""LeNet-5 두 가지(이 강의의 모델, 1998 논문)와 층 표, 구조 그림. (3장 ``03_model.ipynb``)"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from lenetlib._internal.backend import keras
from lenetlib._internal.checks import check_int, check_model
from lenetlib._internal.constants import INPUT_SHAPE, NUM_CLASSES, PADDED_SIZE
from lenetlib._internal.korean import subj, topic
from lenetlib.layers import C3_CONNECTION_TABLE, MaskedConv2D, Subsampling, scaled_tanh

__all__ = [
    "build_lenet5",
    "build_lenet5_classic",
    "compare_models",
    "layer_table",
]

kl = keras.layers
LAYER_TABLE_COLUMNS = ["층", "종류", "출력 모양", "파라미터 수", "계산식"]


def _check_build_args(input_shape: Any, num_classes: Any, min_size: int) -> tuple[tuple, int]:
    shape = tuple(input_shape) if isinstance(input_shape, (tuple, list)) else ()
    whole = [isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d > 0 for d in shape]
    if len(shape) != 3 or not all(whole):
        raise ValueError(
            f"{topic('input_shape')} (높이, 너비, 채널) 1 이상의 정수 세 개여야 합니다. "
            f"받은 값: {input_shape!r}. 예: input_shape={INPUT_SHAPE}"
        )
    if min(shape[:2]) < min_size:
        raise ValueError(
            f"이 모델은 5×5 합성곱과 2×2 풀링을 거치므로 {min_size}×{min_size} 이상의 입력이 "
            f"필요합니다. 받은 input_shape: {shape}. 28×28 MNIST는 "
            f"preprocessing.preprocess_images(x)로 {PADDED_SIZE}×{PADDED_SIZE}로 패딩하세요."
        )
    classes = check_int(num_classes, "num_classes", minimum=2, example=NUM_CLASSES)
    return tuple(int(d) for d in shape), classes


def build_lenet5(
    input_shape: tuple = INPUT_SHAPE, num_classes: int = NUM_CLASSES, *, name: str = "LeNet5"
) -> keras.Model:
    """이 강의의 LeNet-5 (최대 풀링, tanh, 61,706개, 컴파일 전). 3장이 같은 코드를 씀. (3장)"""
    shape, num_classes = _check_build_args(input_shape, num_classes, min_size=16)
    stack = [
        kl.Input(shape=shape),  # 32×32 흑백 (28×28 MNIST를 2칸씩 0으로 패딩)
        kl.Conv2D(6, 5, activation="tanh", name="C1"),  # 28×28×6, (5×5×1+1)×6 = 156
        kl.MaxPooling2D(2, name="S2"),  # 14×14×6 (논문은 학습하는 평균)
        kl.Conv2D(16, 5, activation="tanh", name="C3"),  # 10×10×16, (5×5×6+1)×16 = 2,416
        kl.MaxPooling2D(2, name="S4"),  # 5×5×16
        kl.Flatten(name="Flatten"),  # 400
        kl.Dense(120, activation="tanh", name="C5"),  # (400+1)×120 = 48,120
        kl.Dense(84, activation="tanh", name="F6"),  # (120+1)×84 = 10,164
        kl.Dense(num_classes, activation="softmax", name="Output"),  # (84+1)×10 = 850
    ]
    return keras.Sequential(stack, name=name)


def build_lenet5_classic(
    input_shape: tuple = INPUT_SHAPE,
    num_classes: int = NUM_CLASSES,
    *,
    connection_table: Any = None,
    name: str = "LeNet5_classic",
) -> keras.Model:
    """논문(1998)에 충실한 LeNet-5 (60,850개; 출력층만 RBF 대신 softmax). (3장 ``03_model.ipynb``)

    ``connection_table``: C3 연결 표 (기본 ``layers.C3_CONNECTION_TABLE``).
    """
    shape, num_classes = _check_build_args(input_shape, num_classes, min_size=32)
    table = C3_CONNECTION_TABLE if connection_table is None else connection_table
    stack = [
        kl.Input(shape=shape),
        kl.Conv2D(6, 5, activation=scaled_tanh, name="C1"),  # 28×28×6, 156
        Subsampling(2, activation=scaled_tanh, name="S2"),  # 14×14×6, (1+1)×6 = 12
        MaskedConv2D(16, 5, table, activation=scaled_tanh, name="C3"),  # 60×25+16 = 1,516
        Subsampling(2, activation=scaled_tanh, name="S4"),  # 5×5×16, (1+1)×16 = 32
        kl.Conv2D(120, 5, activation=scaled_tanh, name="C5"),  # 1×1×120, 48,120
        kl.Flatten(name="Flatten"),
        kl.Dense(84, activation=scaled_tanh, name="F6"),  # (120+1)×84 = 10,164
        kl.Dense(num_classes, activation="softmax", name="Output"),  # 850
    ]
    return keras.Sequential(stack, name=name)


def _check_built(model: Any, name: str = "model") -> Any:
    if not getattr(check_model(model, name), "built", False):
        raise ValueError(
            f"{subj(f'모델 {model.name!r}')} 아직 빌드되지 않아 모양과 파라미터 수를 알 수 "
            "없습니다. keras.Input으로 시작하거나 model.build((None, 32, 32, 1))를 먼저 부르세요."
        )
    return model


def _formula(layer: Any, n: int) -> str:
    """파라미터 수의 계산식, 예: ``(5×5×1+1)×6 = 156``."""
    if n == 0:
        return "0 (학습할 가중치 없음)"
    if isinstance(layer, MaskedConv2D):
        k = layer.kernel_size
        text = f"{layer.num_connections}×({k}×{k})+{layer.filters}"
    elif isinstance(layer, Subsampling):
        text = f"(1+1)×{int(layer.coefficient.shape[0])}"
    elif isinstance(layer, (kl.Conv2D, kl.Dense)) and len(layer.weights) == 1 + layer.use_bias:
        *fan_in, units = (str(int(d)) for d in layer.kernel.shape)
        text = f"({'×'.join(fan_in)}+1)×{units}" if layer.use_bias else "×".join([*fan_in, units])
    elif isinstance(layer, keras.Model):
        text = "하위 층의 합"
    else:  # 그 밖의 층: 가중치 모양의 곱의 합 (예: 3×3×8×16 + 16)
        text = " + ".join("×".join(str(int(d)) for d in w.shape) or "1" for w in layer.weights)
    return f"{text} = {n:,}"


def _output_shape(layer: Any) -> str:
    try:  # Keras 3에는 layer.output_shape가 없으므로 빌드된 모델의 layer.output을 씁니다.
        return str(tuple(d if d is None else int(d) for d in layer.output.shape))
    except (AttributeError, ValueError, RuntimeError):  # 서브클래스 모델 등: 호출 기록 없음
        return "알 수 없음"


def layer_table(model: keras.Model) -> pd.DataFrame:
    """층별 이름, 종류, 출력 모양, 파라미터 수, 계산식의 표 (수의 합 = count_params). (3장)"""
    rows = [
        (layer.name, type(layer).__name__, _output_shape(layer), n, _formula(layer, n))
        for layer in _check_built(model).layers
        for n in [int(layer.count_params())]
    ]
    return pd.DataFrame(rows, columns=LAYER_TABLE_COLUMNS).astype({"파라미터 수": "int64"})


def compare_models(models: Mapping[str, keras.Model]) -> pd.DataFrame:
    """``{열 이름: 모델}``의 층별 파라미터 수를 나란히 (끝 행 ``합계``, 없는 층 ``<NA>``). (3장)"""
    if not isinstance(models, Mapping) or not models:
        raise ValueError(
            "compare_models에는 {이름: 모델} 사전을 하나 이상 넣어야 합니다. "
            f"받은 값: {models!r:.60}. 예: compare_models({{'LeNet-5': build_lenet5()}})"
        )
    nets = {str(k): _check_built(net, f"models[{k!r}]") for k, net in models.items()}
    counts = {k: {la.name: la.count_params() for la in net.layers} for k, net in nets.items()}
    table = pd.DataFrame(counts).reindex(list(dict.fromkeys(n for c in counts.values() for n in c)))
    table.loc["합계"] = [net.count_params() for net in nets.values()]
    return table.astype("Int64").rename_axis("층")
