"""LeNet-5 모델 정의와 구조 표. (3장 ``03_model.ipynb``)

두 가지 LeNet-5를 제공합니다.

- :func:`build_lenet5` — 원래 노트북의 모델 그대로 (최대 풀링, ``tanh``, C5는 ``Dense``,
  파라미터 61,706개). 4~6장에서 훈련하고 평가하는 기본 모델입니다.
- :func:`build_lenet5_classic` — LeCun 외(1998) 논문에 더 충실한 모델 (학습 가능한 계수와
  편향이 있는 평균 서브샘플링, 스케일된 tanh ``1.7159·tanh(2x/3)``, 논문 표 1의 부분 연결을
  쓰는 C3, 5×5 합성곱으로 만든 C5). 출력층만은 논문의 유클리드 RBF 대신 softmax ``Dense(10)``.

:func:`layer_table`과 :func:`compare_models`는 층별 출력 모양과 파라미터 수(계산식 포함)를
표로, :func:`save_architecture_diagram`은 구조 그림을 파일로 만듭니다.

참고 문헌: Y. LeCun, L. Bottou, Y. Bengio, P. Haffner, "Gradient-Based Learning Applied to
Document Recognition", *Proceedings of the IEEE*, 86(11), 1998.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lenetlib._backend import keras
from lenetlib.data import NUM_CLASSES

ops = keras.ops

__all__ = [
    "C3_CONNECTION_TABLE",
    "DiagramError",
    "MaskedConv2D",
    "Subsampling",
    "build_lenet5",
    "build_lenet5_classic",
    "compare_models",
    "graphviz_available",
    "layer_table",
    "save_architecture_diagram",
    "scaled_tanh",
]

#: 논문 입력 크기 (28×28 MNIST를 2칸씩 패딩)
INPUT_SHAPE: tuple[int, int, int] = (32, 32, 1)

#: 스케일된 tanh의 진폭 A와 기울기 S: f(a) = A·tanh(S·a) (논문 부록 A)
TANH_AMPLITUDE = 1.7159
TANH_SLOPE = 2.0 / 3.0

# 논문 표 1: S2의 특징 맵(행 0~5)과 C3의 특징 맵(열 0~15) 사이의 연결. "X" = 연결됨.
_C3_TABLE_ROWS = (
    "X...XXX..XXXX.XX",
    "XX...XXX..XXXX.X",
    "XXX...XXX..X.XXX",
    ".XXX..XXXX..X.XX",
    "..XXX..XXXX.XX.X",
    "...XXX..XXXX.XXX",
)
#: C3 부분 연결 표, bool ``(6, 16)``: ``[i, j]``가 ``True``면 S2 맵 i가 C3 맵 j에 연결됩니다.
#: 열 0~5는 이웃한 맵 3개, 6~11은 이웃한 4개, 12~14는 떨어진 4개, 15는 6개 전부 (연결 60개).
C3_CONNECTION_TABLE: np.ndarray = np.array(
    [[c == "X" for c in row] for row in _C3_TABLE_ROWS], dtype=bool
)
C3_CONNECTION_TABLE.setflags(write=False)


class DiagramError(RuntimeError):
    """구조 그림을 만들지 못했을 때의 오류 (한국어 안내 포함). (3장 ``03_model.ipynb``)"""


# ---------------------------------------------------------------------------
# 논문의 구성 요소 (사용자 정의 활성화 함수와 층)
# ---------------------------------------------------------------------------
@keras.saving.register_keras_serializable(package="lenetlib")
def scaled_tanh(x: Any) -> Any:
    """논문의 스케일된 tanh ``1.7159·tanh(2x/3)``. (3장 ``03_model.ipynb``)

    ``f(±1) ≈ ±1``이 되도록 고른 값이라 입력이 ±1 근처일 때 기울기가 크고, 출력은
    (-1.7159, 1.7159) 범위입니다 (논문 부록 A).

    Parameters
    ----------
    x : tensor
        입력 텐서.

    Returns
    -------
    tensor
        같은 모양의 텐서.
    """
    return TANH_AMPLITUDE * ops.tanh(TANH_SLOPE * x)


@keras.saving.register_keras_serializable(package="lenetlib")
class Subsampling(keras.layers.Layer):
    """논문의 서브샘플링 층 S2/S4. (3장 ``03_model.ipynb``)

    2×2 영역의 평균에 특징 맵마다 학습 가능한 **계수**를 곱하고 **편향**을 더한 뒤 활성화
    함수를 통과시킵니다. 논문은 네 값의 합을 쓰지만 평균×계수와 같은 식입니다 (계수가 4배를
    흡수). 파라미터는 맵마다 2개: S2는 (1+1)×6 = 12개, S4는 (1+1)×16 = 32개.

    Parameters
    ----------
    pool_size : int, default 2
        겹치지 않는 풀링 창의 한 변 (보폭도 같음).
    activation : str or callable or None, default None
        계수·편향 다음에 적용할 활성화 함수 (논문: 시그모이드 계열, 여기서는 ``scaled_tanh``).
    **kwargs
        ``keras.layers.Layer``의 인자 (``name`` 등).
    """

    def __init__(
        self,
        pool_size: int = 2,
        activation: str | Callable[..., Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 1:
            raise ValueError(
                f"pool_size는 1 이상의 정수여야 합니다. 받은 값: {pool_size!r}. 예: pool_size=2"
            )
        self.pool_size = pool_size
        self.activation = keras.activations.get(activation)

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        channels = int(input_shape[-1])
        # 맵마다 계수 하나(처음에는 1 → 그냥 평균), 편향 하나(처음에는 0)
        self.coefficient = self.add_weight(
            name="coefficient", shape=(channels,), initializer="ones"
        )
        self.bias = self.add_weight(name="bias", shape=(channels,), initializer="zeros")

    def call(self, inputs: Any) -> Any:
        pooled = ops.average_pool(
            inputs, pool_size=self.pool_size, strides=self.pool_size, padding="valid"
        )
        return self.activation(pooled * self.coefficient + self.bias)

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        n, h, w, c = input_shape
        return (
            n,
            None if h is None else h // self.pool_size,
            None if w is None else w // self.pool_size,
            c,
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "pool_size": self.pool_size,
                "activation": keras.activations.serialize(self.activation),
            }
        )
        return config


@keras.saving.register_keras_serializable(package="lenetlib")
class MaskedConv2D(keras.layers.Layer):
    """연결 표에 있는 입력 맵만 보는 합성곱 층 (논문의 C3). (3장 ``03_model.ipynb``)

    연결된 (입력 맵, 출력 맵) 쌍의 5×5 가중치만 변수로 저장하므로, 연결되지 않은 가중치는
    처음부터 존재하지 않고 훈련 뒤에도 항상 0입니다. 전체 커널 ``(kh, kw, 입력, 출력)``은
    :attr:`kernel` 속성이 매번 조립합니다. 파라미터 수 = 연결 수×kh×kw + 출력 맵 수
    (논문 C3: 60×5×5 + 16 = 1,516).

    Parameters
    ----------
    filters : int
        출력 특징 맵 수 (연결 표의 열 수와 같아야 함).
    kernel_size : int
        정사각형 커널의 한 변.
    connection_table : array_like of bool, shape (입력 맵 수, filters)
        ``True``인 칸만 연결합니다.
    activation : str or callable or None, default None
        활성화 함수.
    kernel_initializer, bias_initializer : str or initializer
        ``Conv2D``와 같은 뜻. 커널 초기화는 전체 커널 모양으로 만든 뒤 연결된 칸만 씁니다.
    **kwargs
        ``keras.layers.Layer``의 인자 (``name`` 등).
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int,
        connection_table: Any,
        activation: str | Callable[..., Any] | None = None,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        table = np.asarray(connection_table, dtype=bool)
        if table.ndim != 2 or table.shape[1] != filters:
            raise ValueError(
                "connection_table은 (입력 맵 수, filters) 모양의 bool 배열이어야 합니다. "
                f"받은 모양: {table.shape}, filters={filters}. 예: C3_CONNECTION_TABLE (6, 16)"
            )
        if not table.any(axis=0).all():
            empty = np.flatnonzero(~table.any(axis=0)).tolist()
            raise ValueError(
                f"connection_table에서 출력 맵 {empty}은(는) 어떤 입력과도 연결되지 않았습니다. "
                "각 열에 True가 하나 이상 있어야 합니다."
            )
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)
        self.connection_table = table
        self.activation = keras.activations.get(activation)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        rows, cols = np.nonzero(table)
        self._rows, self._cols = rows, cols
        # (연결 수, 입력×출력) 0/1 선택 행렬: 압축된 가중치를 전체 커널 자리에 놓습니다.
        selection = np.zeros((rows.size, table.size), dtype="float32")
        selection[np.arange(rows.size), rows * table.shape[1] + cols] = 1.0
        self._selection = selection

    @property
    def num_connections(self) -> int:
        """연결된 (입력 맵, 출력 맵) 쌍의 수 (논문 C3: 60)."""
        return int(self._rows.size)

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        in_channels = int(input_shape[-1])
        if in_channels != self.connection_table.shape[0]:
            raise ValueError(
                f"입력 채널 수({in_channels})가 connection_table의 행 수"
                f"({self.connection_table.shape[0]})와 다릅니다. 앞 층의 맵 수를 확인하세요."
            )
        k = self.kernel_size
        full_shape = (k, k, in_channels, self.filters)
        rows, cols = self._rows, self._cols
        base_init = self.kernel_initializer

        def connected_init(shape: Any, dtype: Any = None) -> Any:
            # 전체 커널을 Conv2D와 똑같이 초기화한 뒤 연결된 칸만 골라 냅니다.
            full = keras.ops.convert_to_numpy(base_init(full_shape, dtype=dtype))
            return full[:, :, rows, cols]

        self.connected_kernel = self.add_weight(
            name="connected_kernel",
            shape=(k, k, self.num_connections),
            initializer=connected_init,
        )
        self.bias = self.add_weight(
            name="bias", shape=(self.filters,), initializer=self.bias_initializer
        )

    @property
    def kernel(self) -> Any:
        """연결되지 않은 칸이 0인 전체 커널 ``(kh, kw, 입력 맵, 출력 맵)`` 텐서."""
        k = self.kernel_size
        n_in, n_out = self.connection_table.shape
        compact = ops.reshape(self.connected_kernel, (k * k, self.num_connections))
        selection = ops.convert_to_tensor(self._selection, dtype=compact.dtype)
        return ops.reshape(ops.matmul(compact, selection), (k, k, n_in, n_out))

    def call(self, inputs: Any) -> Any:
        kernel = ops.cast(self.kernel, inputs.dtype)
        outputs = ops.conv(inputs, kernel, strides=1, padding="valid")
        outputs = outputs + ops.cast(self.bias, outputs.dtype)
        return self.activation(outputs) if self.activation is not None else outputs

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        n, h, w, _ = input_shape
        k = self.kernel_size
        return (
            n,
            None if h is None else h - k + 1,
            None if w is None else w - k + 1,
            self.filters,
        )

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "connection_table": self.connection_table.tolist(),
                "activation": keras.activations.serialize(self.activation),
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            }
        )
        return config


# ---------------------------------------------------------------------------
# 모델 만들기
# ---------------------------------------------------------------------------
def _check_build_args(
    input_shape: Any, num_classes: Any, min_size: int
) -> tuple[tuple[int, int, int], int]:
    shape = tuple(input_shape) if isinstance(input_shape, (tuple, list)) else None
    if (
        shape is None
        or len(shape) != 3
        or not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in shape)
        or min(shape) < 1
    ):
        raise ValueError(
            "input_shape는 (높이, 너비, 채널) 정수 세 개여야 합니다. "
            f"받은 값: {input_shape!r}. 예: input_shape=(32, 32, 1)"
        )
    if shape[0] < min_size or shape[1] < min_size:
        raise ValueError(
            f"이 모델은 {min_size}×{min_size} 이상의 입력이 필요합니다 (5×5 합성곱과 2×2 풀링을 "
            f"거치며 작아지므로). 받은 input_shape: {shape}. 28×28 MNIST는 "
            "preprocess_images()로 32×32로 패딩하세요."
        )
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(
            f"num_classes는 2 이상의 정수여야 합니다. 받은 값: {num_classes!r}. 예: num_classes=10"
        )
    return (int(shape[0]), int(shape[1]), int(shape[2])), num_classes


def build_lenet5(
    input_shape: tuple[int, int, int] = INPUT_SHAPE,
    num_classes: int = NUM_CLASSES,
    *,
    name: str = "LeNet5",
) -> keras.Model:
    """원래 노트북의 LeNet-5를 그대로 만듭니다 (파라미터 61,706개). (3장 ``03_model.ipynb``)

    층 이름은 논문 표기를 따릅니다: C1, S2, C3, S4, Flatten, C5, F6, Output.

    Parameters
    ----------
    input_shape : tuple of int, default (32, 32, 1)
        입력 이미지 모양 (높이, 너비, 채널). 높이·너비는 16 이상.
    num_classes : int, default 10
        출력 클래스 수.
    name : str, default "LeNet5"
        모델 이름.

    Returns
    -------
    keras.Model
        컴파일하지 않은 ``keras.Sequential`` 모델.

    Raises
    ------
    ValueError
        ``input_shape``나 ``num_classes``가 잘못되었을 때.
    """
    shape, num_classes = _check_build_args(input_shape, num_classes, min_size=16)
    layers = keras.layers
    return keras.Sequential(
        [
            # 입력층: 32×32 흑백 이미지 (28×28 MNIST를 2칸씩 0으로 패딩)
            layers.Input(shape=shape),
            # C1: 5×5 필터 6개 → 28×28×6, 파라미터 (5×5×1+1)×6 = 156
            layers.Conv2D(filters=6, kernel_size=5, activation="tanh", name="C1"),
            # S2: 2×2 최대 풀링 → 14×14×6 (논문은 평균 서브샘플링, 파라미터 없음)
            layers.MaxPooling2D(pool_size=2, strides=2, name="S2"),
            # C3: 5×5 필터 16개 → 10×10×16, 모든 입력 맵과 연결: (5×5×6+1)×16 = 2,416
            layers.Conv2D(filters=16, kernel_size=5, activation="tanh", name="C3"),
            # S4: 2×2 최대 풀링 → 5×5×16
            layers.MaxPooling2D(pool_size=2, strides=2, name="S4"),
            # 평탄화: 5×5×16 = 400개 값의 벡터
            layers.Flatten(name="Flatten"),
            # C5: 완전연결 120개 (논문의 5×5 합성곱과 같은 연결 수): (400+1)×120 = 48,120
            layers.Dense(120, activation="tanh", name="C5"),
            # F6: 완전연결 84개: (120+1)×84 = 10,164
            layers.Dense(84, activation="tanh", name="F6"),
            # 출력층: 클래스 10개의 확률 (softmax): (84+1)×10 = 850
            layers.Dense(num_classes, activation="softmax", name="Output"),
        ],
        name=name,
    )


def build_lenet5_classic(
    input_shape: tuple[int, int, int] = INPUT_SHAPE,
    num_classes: int = NUM_CLASSES,
    *,
    connection_table: Any = None,
    name: str = "LeNet5_classic",
) -> keras.Model:
    """LeCun 외(1998) 논문에 충실한 LeNet-5를 만듭니다. (3장 ``03_model.ipynb``)

    원래 노트북 모델(:func:`build_lenet5`)과의 차이:

    - 활성화: 논문의 스케일된 tanh ``1.7159·tanh(2x/3)`` (:func:`scaled_tanh`)
    - S2/S4: 최대 풀링 대신 평균 × 학습 계수 + 학습 편향 (:class:`Subsampling`)
    - C3: 논문 표 1의 부분 연결 (연결 60개, 파라미터 1,516개, :class:`MaskedConv2D`)
    - C5: ``Dense`` 대신 5×5 합성곱 120개 (32×32 입력에서는 1×1×120이 되어 연결 수는 같음)
    - 출력: 논문은 고정된 7×12 비트맵 코드를 중심으로 하는 유클리드 RBF 유닛 84→10을 쓰고
      손실도 달랐지만, 여기서는 다른 장과 같은 손실로 훈련하도록 softmax ``Dense(10)``을 씁니다.

    파라미터 수: 156 + 12 + 1,516 + 32 + 48,120 + 10,164 + 850 = 60,850.

    Parameters
    ----------
    input_shape : tuple of int, default (32, 32, 1)
        입력 모양. C5가 5×5 합성곱이라 높이·너비는 32 이상이어야 합니다.
    num_classes : int, default 10
        출력 클래스 수.
    connection_table : array_like of bool, shape (6, 16), optional
        C3 연결 표. 생략하면 논문의 :data:`C3_CONNECTION_TABLE`.
    name : str, default "LeNet5_classic"
        모델 이름.

    Returns
    -------
    keras.Model
        컴파일하지 않은 ``keras.Sequential`` 모델 (``.keras`` 파일로 저장/불러오기 가능).

    Raises
    ------
    ValueError
        ``input_shape``, ``num_classes``, ``connection_table``이 잘못되었을 때.
    """
    shape, num_classes = _check_build_args(input_shape, num_classes, min_size=32)
    table = C3_CONNECTION_TABLE if connection_table is None else connection_table
    layers = keras.layers
    return keras.Sequential(
        [
            # 입력층: 32×32 흑백 이미지
            layers.Input(shape=shape),
            # C1: 5×5 합성곱 6개 + 스케일된 tanh → 28×28×6, (5×5×1+1)×6 = 156
            layers.Conv2D(6, 5, activation=scaled_tanh, name="C1"),
            # S2: 2×2 평균 × 계수 + 편향, 맵마다 2개 → 14×14×6, (1+1)×6 = 12
            Subsampling(2, activation=scaled_tanh, name="S2"),
            # C3: 표 1의 부분 연결 합성곱 16개 → 10×10×16, 60×(5×5)+16 = 1,516
            MaskedConv2D(16, 5, table, activation=scaled_tanh, name="C3"),
            # S4: 2×2 평균 × 계수 + 편향 → 5×5×16, (1+1)×16 = 32
            Subsampling(2, activation=scaled_tanh, name="S4"),
            # C5: 5×5 합성곱 120개 → 1×1×120, (5×5×16+1)×120 = 48,120
            layers.Conv2D(120, 5, activation=scaled_tanh, name="C5"),
            # 평탄화: 1×1×120 → 120
            layers.Flatten(name="Flatten"),
            # F6: 완전연결 84개 + 스케일된 tanh, (120+1)×84 = 10,164
            layers.Dense(84, activation=scaled_tanh, name="F6"),
            # 출력층: softmax Dense(10) (논문은 유클리드 RBF 유닛), (84+1)×10 = 850
            layers.Dense(num_classes, activation="softmax", name="Output"),
        ],
        name=name,
    )


# ---------------------------------------------------------------------------
# 구조 표
# ---------------------------------------------------------------------------
LAYER_TABLE_COLUMNS = ["층", "종류", "출력 모양", "파라미터 수", "계산식"]


def _check_model(model: Any) -> None:
    if not isinstance(model, keras.Model):
        raise ValueError(
            f"keras.Model이 필요합니다. 받은 값의 종류: {type(model).__name__}. "
            "build_lenet5()로 만든 모델을 넣으세요."
        )
    if not model.built:
        raise ValueError(
            f"모델 '{model.name}'이(가) 아직 만들어지지(build) 않아 모양과 파라미터 수를 알 수 "
            "없습니다. keras.Input으로 시작하거나 model.build((None, 32, 32, 1))를 먼저 호출하세요."
        )


def _fmt(n: int) -> str:
    return f"{n:,}"


def _formula(layer: keras.layers.Layer, params: int) -> str:
    """파라미터 수를 계산하는 식을 문자열로 만듭니다."""
    if params == 0:
        return "0 (학습할 가중치 없음)"
    candidate: tuple[str, int] | None = None
    if isinstance(layer, MaskedConv2D):
        k = layer.kernel_size
        candidate = (
            f"{layer.num_connections}×({k}×{k})+{layer.filters}",
            layer.num_connections * k * k + layer.filters,
        )
    elif isinstance(layer, Subsampling):
        c = int(layer.coefficient.shape[0])
        candidate = (f"(1+1)×{c}", 2 * c)
    elif isinstance(layer, keras.layers.Conv2D) and len(layer.kernel.shape) == 4:
        kh, kw, cin, cout = (int(d) for d in layer.kernel.shape)
        if layer.use_bias:
            candidate = (f"({kh}×{kw}×{cin}+1)×{cout}", (kh * kw * cin + 1) * cout)
        else:
            candidate = (f"{kh}×{kw}×{cin}×{cout}", kh * kw * cin * cout)
    elif isinstance(layer, keras.layers.Dense) and len(layer.kernel.shape) == 2:
        nin, units = (int(d) for d in layer.kernel.shape)
        if layer.use_bias:
            candidate = (f"({nin}+1)×{units}", (nin + 1) * units)
        else:
            candidate = (f"{nin}×{units}", nin * units)
    if candidate is not None and candidate[1] == params:
        return f"{candidate[0]} = {_fmt(params)}"
    if isinstance(layer, keras.Model):
        return f"하위 층의 합 = {_fmt(params)}"
    # 그 밖의 층: 가중치 모양의 곱을 더합니다 (예: 3×3×8×16 + 16).
    terms = ["×".join(str(int(d)) for d in w.shape) or "1" for w in layer.weights]
    return f"{' + '.join(terms)} = {_fmt(params)}"


def _output_shapes(model: keras.Model) -> list[str]:
    """빌드된 모델에서 각 층의 출력 모양을 ``"(None, 28, 28, 6)"`` 꼴 문자열로 구합니다."""
    shapes: list[str] = []
    previous: tuple[Any, ...] | None = None
    for i, layer in enumerate(model.layers):
        shape: tuple[Any, ...] | None = None
        try:
            shape = tuple(layer.output.shape)
        except (AttributeError, ValueError, RuntimeError):
            # 서브클래스 모델 등 layer.output이 없는 경우: 앞 층 모양에서 계산합니다.
            try:
                source = previous if i > 0 else tuple(model.inputs[0].shape)
                shape = tuple(layer.compute_output_shape(source))
            except Exception:  # 모양을 모르면 표에 표시만 합니다.
                shape = None
        previous = shape
        shapes.append(
            "알 수 없음"
            if shape is None
            else str(tuple(None if d is None else int(d) for d in shape))
        )
    return shapes


def layer_table(model: keras.Model) -> pd.DataFrame:
    """층별 이름, 종류, 출력 모양, 파라미터 수와 계산식을 표로 만듭니다. (3장 ``03_model.ipynb``)

    Keras 3에는 ``layer.output_shape``가 없으므로 빌드된 모델의 ``layer.output.shape``를
    씁니다. ``파라미터 수``의 합은 ``model.count_params()``와 같습니다.

    Parameters
    ----------
    model : keras.Model
        빌드된 모델 (``build_lenet5()`` 등).

    Returns
    -------
    pandas.DataFrame
        열 ``["층", "종류", "출력 모양", "파라미터 수", "계산식"]``, 층마다 한 행.
        예: ``C1 | Conv2D | (None, 28, 28, 6) | 156 | (5×5×1+1)×6 = 156``.

    Raises
    ------
    ValueError
        ``keras.Model``이 아니거나 아직 빌드되지 않았을 때.
    """
    _check_model(model)
    shapes = _output_shapes(model)
    rows = []
    for layer, shape in zip(model.layers, shapes, strict=True):
        params = int(layer.count_params())
        rows.append(
            {
                "층": layer.name,
                "종류": type(layer).__name__,
                "출력 모양": shape,
                "파라미터 수": params,
                "계산식": _formula(layer, params),
            }
        )
    table = pd.DataFrame(rows, columns=LAYER_TABLE_COLUMNS)
    table["파라미터 수"] = table["파라미터 수"].astype("int64")
    return table


def compare_models(models: Mapping[str, keras.Model]) -> pd.DataFrame:
    """여러 모델의 층별 파라미터 수를 나란히 비교합니다. (3장 ``03_model.ipynb``)

    Parameters
    ----------
    models : dict[str, keras.Model]
        ``{"노트북 LeNet-5": build_lenet5(), "논문 LeNet-5": build_lenet5_classic()}`` 처럼
        표의 열 이름 → 빌드된 모델.

    Returns
    -------
    pandas.DataFrame
        인덱스 ``층`` (처음 나온 순서대로의 층 이름, 마지막 행은 ``합계``), 열은 모델 이름,
        값은 파라미터 수 (그 모델에 없는 층은 ``<NA>``, 정수형 ``Int64``).

    Raises
    ------
    ValueError
        비어 있거나, 사전이 아니거나, 값 중에 빌드된 ``keras.Model``이 아닌 것이 있을 때.
    """
    if not isinstance(models, Mapping) or len(models) == 0:
        raise ValueError(
            "compare_models에는 {이름: 모델} 사전을 하나 이상 넣어야 합니다. "
            f"받은 값: {type(models).__name__}. 예: compare_models({{'LeNet-5': build_lenet5()}})"
        )
    order: list[str] = []
    columns: dict[str, dict[str, int]] = {}
    for label, model in models.items():
        _check_model(model)
        counts: dict[str, int] = {}
        for layer in model.layers:
            counts[layer.name] = int(layer.count_params())
            if layer.name not in order:
                order.append(layer.name)
        counts["합계"] = int(model.count_params())
        columns[str(label)] = counts
    index = [*order, "합계"]
    table = pd.DataFrame(
        {label: [counts.get(name) for name in index] for label, counts in columns.items()},
        index=pd.Index(index, name="층"),
    )
    return table.astype("Int64")


# ---------------------------------------------------------------------------
# 구조 그림
# ---------------------------------------------------------------------------
def graphviz_available() -> bool:
    """``plot_model``에 필요한 pydot과 graphviz(``dot``)가 있는지 봅니다. (3장 ``03_model.ipynb``)

    Returns
    -------
    bool
        빈 그래프를 실제로 그려 보아 성공하면 ``True``.
    """
    try:
        import pydot
    except ImportError:
        return False
    try:
        pydot.Dot.create(pydot.Dot())
    except Exception:  # dot 실행 파일이 없거나 깨진 모든 경우
        return False
    return True


def save_architecture_diagram(
    model: keras.Model,
    path: str | Path,
    *,
    show_shapes: bool = True,
    dpi: int = 150,
    prefer_graphviz: bool = True,
) -> Path:
    """모델 구조 그림을 파일로 저장합니다. (3장 ``03_model.ipynb``)

    pydot과 graphviz가 있으면 ``keras.utils.plot_model``을, 없거나 실패하면
    ``lenetlib.plotting.plot_architecture``의 matplotlib 그림을 저장합니다.

    Parameters
    ----------
    model : keras.Model
        빌드된 모델.
    path : str or Path
        저장할 파일 경로. 확장자가 없으면 ``.png``를 붙입니다. 폴더는 자동으로 만듭니다.
    show_shapes : bool, default True
        graphviz 그림에 출력 모양을 표시할지.
    dpi : int, default 150
        해상도.
    prefer_graphviz : bool, default True
        ``False``이면 graphviz가 있어도 matplotlib 그림을 씁니다.

    Returns
    -------
    Path
        실제로 저장된 파일 경로.

    Raises
    ------
    ValueError
        ``model``이 빌드된 ``keras.Model``이 아닐 때.
    DiagramError
        두 방법 모두 실패했을 때 (이유와 해결 방법을 한국어로 안내).
    """
    _check_model(model)
    target = Path(path)
    if not target.suffix:
        target = target.with_suffix(".png")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DiagramError(
            f"그림을 저장할 폴더 '{target.parent}'를 만들 수 없습니다 ({exc}). "
            "쓰기 권한이 있는 다른 경로를 지정하세요."
        ) from exc

    graphviz_problem = "pydot 또는 graphviz(dot)가 설치되어 있지 않음"
    if prefer_graphviz and graphviz_available():
        try:
            keras.utils.plot_model(
                model,
                to_file=str(target),
                show_shapes=show_shapes,
                show_layer_names=True,
                rankdir="TB",
                dpi=dpi,
            )
            # Jupyter 안에서는 plot_model이 파일 없이 조용히 끝날 수 있으므로 확인합니다.
            if target.is_file() and target.stat().st_size > 0:
                return target
            graphviz_problem = "plot_model이 파일을 만들지 않음"
        except Exception as exc:
            graphviz_problem = f"plot_model 실패: {type(exc).__name__}: {exc}"
    elif not prefer_graphviz:
        graphviz_problem = "prefer_graphviz=False"

    try:
        import matplotlib.pyplot as plt

        from lenetlib.plotting import plot_architecture

        figure = plot_architecture(model)
        try:
            figure.savefig(target, dpi=dpi, bbox_inches="tight")
        finally:
            plt.close(figure)
    except Exception as exc:
        raise DiagramError(
            f"모델 구조 그림을 '{target}'에 저장하지 못했습니다. "
            f"graphviz 경로: {graphviz_problem}; "
            f"matplotlib 경로: {type(exc).__name__}: {exc}. 경로의 확장자(.png, .pdf, .svg)와 "
            "쓰기 권한을 확인하거나, graphviz를 쓰려면 `pip install pydot`과 시스템 graphviz "
            "(예: `apt install graphviz`)를 설치하세요. 그림 없이도 layer_table(model)로 구조를 "
            "볼 수 있습니다."
        ) from exc
    return target
