"""LeCun 외(1998, Proc. IEEE 86(11)) 논문의 부품: 스케일된 tanh, 서브샘플링, C3 연결. (3장)"""

from __future__ import annotations

from typing import Any

import numpy as np

from lenetlib._internal.backend import keras
from lenetlib._internal.checks import check_int
from lenetlib._internal.korean import topic

__all__ = [
    "C3_CONNECTION_TABLE",
    "TANH_AMPLITUDE",
    "TANH_SLOPE",
    "MaskedConv2D",
    "Subsampling",
    "scaled_tanh",
]

ops = keras.ops
serializable = keras.saving.register_keras_serializable(package="lenetlib")

#: 스케일된 tanh의 진폭 A와 기울기 S: f(a) = A·tanh(S·a) (논문 부록 A)
TANH_AMPLITUDE = 1.7159
TANH_SLOPE = 2.0 / 3.0

# 논문 표 1, bool ``(6, 16)``: ``[i, j]``가 ``True``(X)면 S2 맵 i가 C3 맵 j의 입력입니다.
# 열 0~5는 이웃한 맵 3개, 6~11은 이웃한 4개, 12~14는 떨어진 4개, 15는 6개 전부 (연결 60개).
_C3_ROWS = """
X...XXX..XXXX.XX
XX...XXX..XXXX.X
XXX...XXX..X.XXX
.XXX..XXXX..X.XX
..XXX..XXXX.XX.X
...XXX..XXXX.XXX
"""
C3_CONNECTION_TABLE = np.array([[mark == "X" for mark in row] for row in _C3_ROWS.split()])
C3_CONNECTION_TABLE.setflags(write=False)


@serializable
def scaled_tanh(x: Any) -> Any:
    """논문의 스케일된 tanh ``1.7159·tanh(2x/3)``: f(±1) ≈ ±1. (3장 ``03_model.ipynb``)"""
    return TANH_AMPLITUDE * ops.tanh(TANH_SLOPE * x)


@serializable
class Subsampling(keras.layers.Layer):
    """논문의 S2/S4: 2×2 평균 × 학습 계수 + 학습 편향 (맵마다 2개). (3장 ``03_model.ipynb``)

    논문의 네 값의 합과 같은 식입니다 (계수가 4배를 흡수). 활성화는 계수·편향 다음.
    """

    def __init__(self, pool_size: int = 2, activation: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pool_size = check_int(pool_size, "pool_size", minimum=1, example=2)
        self.activation = keras.activations.get(activation)

    def build(self, input_shape: tuple) -> None:
        channels = (int(input_shape[-1]),)
        self.coefficient = self.add_weight(name="coefficient", shape=channels, initializer="ones")
        self.bias = self.add_weight(name="bias", shape=channels, initializer="zeros")

    def call(self, inputs: Any) -> Any:
        pooled = ops.average_pool(inputs, self.pool_size, self.pool_size, padding="valid")
        return self.activation(pooled * self.coefficient + self.bias)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        n, h, w, c = input_shape  # 모르는 크기(None)는 그대로 None
        return (n, h and h // self.pool_size, w and w // self.pool_size, c)

    def get_config(self) -> dict[str, Any]:
        activation = keras.activations.serialize(self.activation)
        return {**super().get_config(), "pool_size": self.pool_size, "activation": activation}


@serializable
class MaskedConv2D(keras.layers.Layer):
    """``connection_table`` (bool, 입력 맵 수×filters)의 연결만 쓰는 합성곱 (논문 C3). (3장)

    연결된 칸만 변수로 두므로 끊긴 칸은 늘 0이고 파라미터는 60×5×5 + 16 = 1,516개입니다.
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int,
        connection_table: Any,
        activation: Any = None,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.filters = check_int(filters, "filters", minimum=1, example=16)
        self.kernel_size = check_int(kernel_size, "kernel_size", minimum=1, example=5)
        table = np.asarray(connection_table, dtype=bool)
        if table.ndim != 2 or table.shape[1] != self.filters:
            raise ValueError(
                f"{topic('connection_table')} (입력 맵 수, filters) 모양의 bool 배열이어야 "
                f"합니다. 받은 모양: {table.shape}, filters={filters}. "
                "예: layers.C3_CONNECTION_TABLE (6, 16)"
            )
        empty = np.flatnonzero(~table.any(axis=0)).tolist()
        if empty:
            raise ValueError(
                f"connection_table에서 {topic(f'출력 맵 {empty}')} 어떤 입력과도 연결되지 "
                "않았습니다. 각 열에 True가 하나 이상 있어야 합니다."
            )
        self.connection_table, self.num_connections = table, int(table.sum())  # 논문 C3: 60
        self.activation = keras.activations.get(activation)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        # (연결 수, 입력×출력) 0/1 행렬: 압축된 가중치를 전체 커널의 제자리에 놓습니다.
        self._selection = np.eye(table.size, dtype="float32")[np.flatnonzero(table)]

    def build(self, input_shape: tuple) -> None:
        n_in, k = self.connection_table.shape[0], self.kernel_size
        if int(input_shape[-1]) != n_in:
            raise ValueError(
                f"입력 채널 수({int(input_shape[-1])})가 connection_table의 행 수({n_in})와 "
                "다릅니다. 앞 층의 맵 수를 확인하세요."
            )
        rows, cols = np.nonzero(self.connection_table)
        full_init, full_shape = self.kernel_initializer, (k, k, n_in, self.filters)

        def connected_init(shape: Any, dtype: Any = None) -> Any:
            # 전체 커널을 Conv2D와 똑같이 초기화한 뒤 연결된 칸만 골라 냅니다.
            return ops.convert_to_numpy(full_init(full_shape, dtype=dtype))[:, :, rows, cols]

        self.connected_kernel = self.add_weight(
            name="connected_kernel", shape=(k, k, rows.size), initializer=connected_init
        )
        self.bias = self.add_weight(
            name="bias", shape=(self.filters,), initializer=self.bias_initializer
        )

    @property
    def kernel(self) -> Any:
        """끊긴 칸이 0인 전체 커널 ``(k, k, 입력 맵, 출력 맵)``."""
        k, (n_in, n_out) = self.kernel_size, self.connection_table.shape
        compact = ops.reshape(self.connected_kernel, (k * k, self.num_connections))
        full = ops.matmul(compact, ops.convert_to_tensor(self._selection, compact.dtype))
        return ops.reshape(full, (k, k, n_in, n_out))

    def call(self, inputs: Any) -> Any:
        outputs = ops.conv(inputs, ops.cast(self.kernel, inputs.dtype), padding="valid")
        return self.activation(outputs + ops.cast(self.bias, outputs.dtype))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        n, h, w, _ = input_shape
        return (n, h and h - self.kernel_size + 1, w and w - self.kernel_size + 1, self.filters)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "connection_table": self.connection_table.tolist(),
            "activation": keras.activations.serialize(self.activation),
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }
