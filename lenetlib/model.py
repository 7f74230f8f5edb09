"""LeNet-5 두 가지(이 강의의 모델, 1998 논문)와 층 표, 구조 그림. (3장 ``03_model.ipynb``)

구조 그림(``plot_architecture``, ``save_architecture_diagram``)은 ``plotting``으로도 부릅니다.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from lenetlib._internal.atomic import atomic_path
from lenetlib._internal.backend import keras
from lenetlib._internal.checks import check_bool, check_int, check_model, check_type
from lenetlib._internal.constants import INPUT_SHAPE, NUM_CLASSES, PADDED_SIZE
from lenetlib._internal.fonts import with_korean_font
from lenetlib._internal.korean import obj, subj, topic
from lenetlib.layers import C3_CONNECTION_TABLE, MaskedConv2D, Subsampling, scaled_tanh

__all__ = [
    "DiagramError",
    "build_lenet5",
    "build_lenet5_classic",
    "graphviz_available",
    "layer_table",
    "parameter_table",
    "plot_architecture",
    "save_architecture_diagram",
]


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
        keras.layers.Input(shape=shape),  # 32×32 흑백 (28×28 MNIST를 2칸씩 0으로 패딩)
        keras.layers.Conv2D(6, 5, activation="tanh", name="C1"),  # 28×28×6, (5×5×1+1)×6 = 156
        keras.layers.MaxPooling2D(2, name="S2"),  # 14×14×6 (논문은 학습하는 평균)
        keras.layers.Conv2D(16, 5, activation="tanh", name="C3"),  # 10×10×16, (5×5×6+1)×16 = 2,416
        keras.layers.MaxPooling2D(2, name="S4"),  # 5×5×16
        keras.layers.Flatten(name="Flatten"),  # 400
        keras.layers.Dense(120, activation="tanh", name="C5"),  # (400+1)×120 = 48,120
        keras.layers.Dense(84, activation="tanh", name="F6"),  # (120+1)×84 = 10,164
        keras.layers.Dense(num_classes, activation="softmax", name="Output"),  # (84+1)×10 = 850
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
        keras.layers.Input(shape=shape),
        keras.layers.Conv2D(6, 5, activation=scaled_tanh, name="C1"),  # 28×28×6, 156
        Subsampling(2, activation=scaled_tanh, name="S2"),  # 14×14×6, (1+1)×6 = 12
        MaskedConv2D(16, 5, table, activation=scaled_tanh, name="C3"),  # 60×25+16 = 1,516
        Subsampling(2, activation=scaled_tanh, name="S4"),  # 5×5×16, (1+1)×16 = 32
        keras.layers.Conv2D(120, 5, activation=scaled_tanh, name="C5"),  # 1×1×120, 48,120
        keras.layers.Flatten(name="Flatten"),
        keras.layers.Dense(84, activation=scaled_tanh, name="F6"),  # (120+1)×84 = 10,164
        keras.layers.Dense(num_classes, activation="softmax", name="Output"),  # 850
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
    elif (
        isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))
        and len(layer.weights) == 1 + layer.use_bias
    ):
        *fan_in, units = (str(int(d)) for d in layer.kernel.shape)
        text = f"({'×'.join(fan_in)}+1)×{units}" if layer.use_bias else "×".join([*fan_in, units])
    elif isinstance(layer, keras.Model):
        text = "하위 층의 합"
    else:  # 그 밖의 층: 가중치 모양의 곱의 합 (예: 3×3×8×16 + 16)
        text = " + ".join("×".join(str(int(d)) for d in w.shape) or "1" for w in layer.weights)
    return f"{text} = {n:,}"


def _shape_text(layer: Any, batch: bool = True) -> str:
    """출력 모양 (``batch=False``면 배치 차원을 뺌; 호출 기록이 없는 서브클래스 모델 등은 모름)."""
    try:  # Keras 3에는 layer.output_shape가 없으므로 빌드된 모델의 layer.output을 씁니다.
        shape = tuple(d if d is None else int(d) for d in layer.output.shape)
    except (AttributeError, ValueError, RuntimeError):
        return "알 수 없음"
    return str(shape if batch else shape[1:])


def layer_table(model: keras.Model) -> pd.DataFrame:
    """층별 이름, 종류, 출력 모양, 파라미터 수, 계산식의 표 (수의 합 = count_params). (3장)"""
    rows = [
        (layer.name, type(layer).__name__, _shape_text(layer), n, _formula(layer, n))
        for layer in _check_built(model).layers
        for n in [int(layer.count_params())]
    ]
    table = pd.DataFrame(rows, columns=["층", "종류", "출력 모양", "파라미터 수", "계산식"])
    return table.astype({"파라미터 수": "int64"})


def parameter_table(models: Mapping[str, keras.Model]) -> pd.DataFrame:
    """``{열 이름: 모델}``의 층별 파라미터 수를 나란히 (끝 행 ``합계``, 없는 층 ``<NA>``). (3장)"""
    if not isinstance(models, Mapping) or not models:
        raise ValueError(
            "parameter_table에는 {이름: 모델} 사전을 하나 이상 넣어야 합니다. "
            f"받은 값: {models!r:.60}. 예: parameter_table({{'LeNet-5': build_lenet5()}})"
        )
    nets = {str(k): _check_built(net, f"models[{k!r}]") for k, net in models.items()}
    counts = {k: {la.name: la.count_params() for la in net.layers} for k, net in nets.items()}
    table = pd.DataFrame(counts).reindex(list(dict.fromkeys(n for c in counts.values() for n in c)))
    table.loc["합계"] = [net.count_params() for net in nets.values()]
    return table.astype("Int64").rename_axis("층")


# --- 구조 그림: matplotlib 상자 그림, 그리고 graphviz가 있으면 keras.utils.plot_model의 파일 ---
#: 층 종류(이름에 든 낱말)별 상자 색
_LAYER_COLORS = {"input": "#eee", "conv": "#cfe2f3", "flatten": "#fff2cc", "dense": "#fce5cd"}
_LAYER_COLORS |= dict.fromkeys(["pool", "sampl"], "#d9ead3")  # 풀링과 논문의 서브샘플링
_BOX = "round,pad=0,rounding_size=0.08"


def _diagram_rows(model: Any) -> list[tuple[str, str, str, int]]:
    """(이름, 종류·활성화, 배치 뺀 출력 모양, 파라미터 수): 입력 한 줄 + 층마다 한 줄."""
    inputs = getattr(_check_built(model), "inputs", None)  # 빌드 전이면 여기서 한국어 오류
    rows = [("입력", "Input", str(tuple(inputs[0].shape)[1:]) if inputs else "알 수 없음", 0)]
    for layer in model.layers:
        activation = getattr(getattr(layer, "activation", None), "__name__", "linear")
        kind = type(layer).__name__ + ("" if activation == "linear" else f" · {activation}")
        rows.append((layer.name, kind, _shape_text(layer, batch=False), layer.count_params()))
    return [row for row in rows if row[1] != "InputLayer"]


@with_korean_font
def plot_architecture(model: Any, ax: Axes | None = None, *, title: str | None = None) -> Figure:
    """층마다 이름·종류·출력 모양·파라미터 수를 상자로 그립니다. (3장 ``03_model.ipynb``)"""
    rows = _diagram_rows(model)
    n = len(rows)
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 0.8 * n + 0.8), layout="constrained")
    arrow = {"arrowstyle": "-|>", "color": "#555555", "mutation_scale": 14}
    for i, (name, kind, shape, params) in enumerate(rows):
        y = n - 1 - i
        color = next((c for key, c in _LAYER_COLORS.items() if key in kind.lower()), "#ead1dc")
        style = {"facecolor": color, "edgecolor": "#555555", "linewidth": 1.2}
        ax.add_patch(FancyBboxPatch((0.03, y - 0.36), 0.94, 0.72, _BOX, **style))
        ax.text(0.06, y + 0.12, name, fontsize=12, fontweight="bold", va="center")
        ax.text(0.06, y - 0.17, kind, fontsize=9.5, color="#333333", va="center")
        ax.text(0.56, y + 0.12, f"출력 모양: {shape}", fontsize=10, va="center")
        if i > 0:
            ax.text(0.56, y - 0.17, f"파라미터: {params:,}개", fontsize=10, va="center")
        if i < n - 1:
            ax.annotate("", xy=(0.5, y - 0.64), xytext=(0.5, y - 0.36), arrowprops=arrow)
    ax.set(xlim=(0, 1), ylim=(-0.6, n - 0.4))
    ax.axis("off")
    name = str(getattr(model, "name", "모델")).replace("LeNet5", "LeNet-5")  # 그림에는 LeNet-5
    ax.set_title(title or f"{name} 구조 (총 파라미터 {sum(row[3] for row in rows):,}개)")
    return ax.figure


class DiagramError(RuntimeError):
    """구조 그림을 두 방법 모두로 만들지 못했을 때의 오류. (3장 ``03_model.ipynb``)"""


def graphviz_available() -> bool:
    """``plot_model``에 필요한 pydot과 graphviz(``dot``)가 되는지. (3장 ``03_model.ipynb``)"""
    try:
        import pydot

        return pydot.Dot.create(pydot.Dot()) is not None  # 빈 그래프를 실제로 그려 봅니다.
    except Exception:  # pydot이 없거나 dot 실행 파일이 없거나 깨진 모든 경우
        return False


def _plot_model(model: Any, target: Path, show_shapes: bool, dpi: int) -> str | None:
    """graphviz로 그려 저장하면 ``None``, 못 하면 그 이유."""
    if not graphviz_available():
        return "pydot 또는 graphviz(dot)가 설치되어 있지 않음"
    target.unlink(missing_ok=True)  # 예전 그림이 성공처럼 보이지 않도록
    try:
        keras.utils.plot_model(
            model, to_file=str(target), show_shapes=show_shapes, show_layer_names=True, dpi=dpi
        )
    except Exception as exc:
        return f"plot_model 실패: {type(exc).__name__}: {exc}"
    # Jupyter 안에서는 plot_model이 파일 없이 조용히 끝날 수 있습니다.
    return None if target.is_file() and target.stat().st_size else "파일을 만들지 않음"


def _plot_fallback(model: Any, target: Path, dpi: int, problem: str) -> None:
    """graphviz 없이 :func:`plot_architecture`의 그림을 원자적으로 저장합니다."""
    try:
        figure = plot_architecture(model)
        with atomic_path(target) as tmp:  # 같은 폴더의 임시 파일(확장자 그대로)에 쓰고 바꿔 넣음
            figure.savefig(tmp, dpi=dpi, bbox_inches="tight")
        plt.close(figure)
    except Exception as exc:
        raise DiagramError(
            f"모델 구조 그림을 '{target}'에 저장하지 못했습니다 (graphviz: {problem}; matplotlib: "
            f"{type(exc).__name__}: {exc}). 확장자와 쓰기 권한을 확인하거나 pydot과 graphviz를 "
            "설치하세요. 그림 없이도 layer_table(model)로 구조를 볼 수 있습니다."
        ) from exc


def save_architecture_diagram(
    model: Any,
    path: str | os.PathLike[str],
    *,
    show_shapes: bool = True,
    dpi: int = 150,
    prefer_graphviz: bool = True,
) -> Path:
    """구조 그림을 저장하고 그 경로를 돌려줍니다 (확장자가 없으면 .png). (3장 ``03_model.ipynb``)

    graphviz가 되면 ``keras.utils.plot_model``, 아니면 :func:`plot_architecture`의 그림.
    """
    check_model(model)
    show_shapes = check_bool(show_shapes, "show_shapes")
    dpi = check_int(dpi, "dpi", minimum=1, example=150)
    graphviz = check_bool(prefer_graphviz, "prefer_graphviz")
    check_type(path, (str, os.PathLike), "path", "파일 경로(str 또는 Path)", '예: "lenet5.png"')
    target = Path(path) if Path(path).suffix else Path(path).with_suffix(".png")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DiagramError(
            f"그림을 저장할 {obj(f'폴더 {str(target.parent)!r}')} 만들 수 없습니다 ({exc}). "
            "쓰기 권한이 있는 다른 경로를 지정하세요."
        ) from exc
    problem = _plot_model(model, target, show_shapes, dpi) if graphviz else "사용하지 않음"
    if problem is not None:
        _plot_fallback(model, target, dpi, problem)
    return target
