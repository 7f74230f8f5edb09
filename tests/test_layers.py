"""lenetlib.layers 테스트: 논문(1998)의 스케일된 tanh, 서브샘플링, C3 부분 연결 (3장)."""

from __future__ import annotations

import numpy as np
import pytest

from lenetlib import layers as ll
from lenetlib._internal.backend import keras

ops = keras.ops


def _numpy(x):
    return ops.convert_to_numpy(x)


# ---------------------------------------------------------------------------
# scaled_tanh
# ---------------------------------------------------------------------------
def test_scaled_tanh_values_on_numpy_and_tensor():
    x = np.array([-100.0, -1.0, 0.0, 1.0, 1.5, 100.0], dtype=np.float32)
    expected = 1.7159 * np.tanh(2.0 * x / 3.0)
    np.testing.assert_allclose(_numpy(ll.scaled_tanh(x)), expected, rtol=1e-6)
    np.testing.assert_allclose(_numpy(ll.scaled_tanh(ops.convert_to_tensor(x))), expected, 1e-6)
    y = np.asarray(ll.scaled_tanh(np.array([-1.0, 0.0, 1.0])))  # 3장처럼 np.asarray로
    assert y[1] == 0.0 and y[2] == pytest.approx(1.0, abs=2e-3)  # f(1) ≈ 1 (논문이 고른 상수)
    assert np.abs(expected).max() <= ll.TANH_AMPLITUDE
    assert ll.TANH_AMPLITUDE == 1.7159 and abs(ll.TANH_SLOPE - 2 / 3) < 1e-12


# ---------------------------------------------------------------------------
# C3 연결 표
# ---------------------------------------------------------------------------
def _paper_table_from_rule() -> np.ndarray:
    """논문 본문의 설명으로 표 1을 다시 만듭니다 (하드코딩한 표와 독립적인 확인)."""
    table = np.zeros((6, 16), dtype=bool)
    for j in range(6):  # 이웃한 3개
        table[[(j + k) % 6 for k in range(3)], j] = True
    for j in range(6):  # 이웃한 4개
        table[[(j + k) % 6 for k in range(4)], 6 + j] = True
    for j, maps in enumerate([(0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5)]):  # 떨어진 4개
        table[list(maps), 12 + j] = True
    table[:, 15] = True  # 전부
    return table


def test_c3_connection_table_is_papers_table_1():
    table = ll.C3_CONNECTION_TABLE
    assert table.shape == (6, 16) and table.dtype == bool
    assert int(table.sum()) == 60
    assert table.sum(axis=0).tolist() == [3] * 6 + [4] * 9 + [6]
    np.testing.assert_array_equal(table, _paper_table_from_rule())
    assert not table.flags.writeable


# ---------------------------------------------------------------------------
# Subsampling
# ---------------------------------------------------------------------------
def test_subsampling_is_average_times_coefficient_plus_bias():
    layer = ll.Subsampling(2, name="S")
    layer.build((None, 4, 4, 2))
    assert layer.count_params() == 4  # 맵마다 계수 1 + 편향 1
    layer.set_weights([np.array([2.0, -1.0], np.float32), np.array([0.5, 0.0], np.float32)])
    x = np.arange(32, dtype=np.float32).reshape(1, 4, 4, 2)
    expected = x.reshape(1, 2, 2, 2, 2, 2).mean(axis=(2, 4)) * [2.0, -1.0] + [0.5, 0.0]
    np.testing.assert_allclose(_numpy(layer(x)), expected, rtol=1e-6)


def test_subsampling_activation_and_output_shape():
    layer = ll.Subsampling(2, activation=ll.scaled_tanh)
    x = np.full((1, 4, 4, 1), 1.5, np.float32)  # 평균 1.5, 계수 1, 편향 0
    np.testing.assert_allclose(_numpy(layer(x)), _numpy(ll.scaled_tanh(x[:, :2, :2])), 1e-6)
    assert layer.compute_output_shape((None, 28, 28, 6)) == (None, 14, 14, 6)
    assert ll.Subsampling(3).compute_output_shape((8, None, 9, 4)) == (8, None, 3, 4)


@pytest.mark.parametrize("bad", [0, -1, 2.0, True, "2"])
def test_subsampling_rejects_bad_pool_size(bad):
    with pytest.raises(ValueError, match=r"pool_size은\(는\) 1 이상의 정수") as info:
        ll.Subsampling(bad)
    assert "pool_size는" not in str(info.value)


# ---------------------------------------------------------------------------
# MaskedConv2D
# ---------------------------------------------------------------------------
@pytest.fixture
def c3():
    keras.utils.set_random_seed(0)
    layer = ll.MaskedConv2D(16, 5, ll.C3_CONNECTION_TABLE, activation=ll.scaled_tanh, name="C3")
    layer.build((None, 14, 14, 6))
    return layer


def test_masked_conv_parameters_and_shape(c3):
    assert c3.count_params() == 60 * 5 * 5 + 16 == 1516
    assert c3.num_connections == 60
    assert [w.name for w in c3.trainable_weights] == ["connected_kernel", "bias"]
    assert c3.compute_output_shape((None, 14, 14, 6)) == (None, 10, 10, 16)
    assert c3.compute_output_shape((None, None, 14, 6)) == (None, None, 10, 16)
    full = ll.MaskedConv2D(16, 5, np.ones((6, 16), bool))
    full.build((None, 14, 14, 6))
    assert full.count_params() == 2416  # 모든 맵 연결 = 보통 Conv2D


def test_masked_kernel_is_zero_off_table_and_matches_dense_conv(c3):
    kernel = _numpy(c3.kernel)
    table = ll.C3_CONNECTION_TABLE
    assert kernel.shape == (5, 5, 6, 16)
    assert not kernel[:, :, ~table].any()
    assert np.all(kernel[:, :, table] != 0)
    # 같은 (마스크된) 커널을 쓰는 보통 Conv2D와 출력이 같아야 합니다.
    x = np.random.default_rng(0).normal(size=(4, 14, 14, 6)).astype(np.float32)
    reference = keras.layers.Conv2D(16, 5, activation=ll.scaled_tanh)
    reference.build((None, 14, 14, 6))
    reference.set_weights([kernel, _numpy(c3.bias)])
    np.testing.assert_allclose(_numpy(c3(x)), _numpy(reference(x)), atol=1e-5)


def test_masked_connections_stay_zero_after_training_step():
    keras.utils.set_random_seed(1)
    net = keras.Sequential(
        [
            keras.Input((14, 14, 6)),
            ll.MaskedConv2D(16, 5, ll.C3_CONNECTION_TABLE, activation="tanh", name="C3"),
            ll.Subsampling(2, name="S4"),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    net.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="categorical_crossentropy")
    c3, s4 = net.get_layer("C3"), net.get_layer("S4")
    before, coef_before = _numpy(c3.kernel), _numpy(s4.coefficient)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 14, 14, 6)).astype(np.float32)
    net.train_on_batch(x, np.eye(10, dtype=np.float32)[rng.integers(0, 10, 32)])
    after, table = _numpy(c3.kernel), ll.C3_CONNECTION_TABLE
    assert not after[:, :, ~table].any()
    assert not np.allclose(after[:, :, table], before[:, :, table])
    assert not np.allclose(_numpy(s4.coefficient), coef_before)


def test_layers_from_config_round_trip(c3):
    copy = ll.MaskedConv2D.from_config(c3.get_config())
    np.testing.assert_array_equal(copy.connection_table, ll.C3_CONNECTION_TABLE)
    assert (copy.filters, copy.kernel_size, copy.activation) == (16, 5, ll.scaled_tanh)
    s2 = ll.Subsampling.from_config(ll.Subsampling(3, activation="tanh").get_config())
    assert s2.pool_size == 3 and s2.activation is keras.activations.tanh


def test_masked_conv_rejects_bad_table():
    with pytest.raises(ValueError, match=r"connection_table은\(는\) \(입력 맵 수, filters\)"):
        ll.MaskedConv2D(16, 5, np.ones((6, 10), bool))
    with pytest.raises(ValueError, match=r"connection_table은\(는\)"):
        ll.MaskedConv2D(16, 5, np.ones(16, bool))
    no_input = ll.C3_CONNECTION_TABLE.copy()
    no_input[:, [3, 7]] = False
    with pytest.raises(ValueError, match=r"출력 맵 \[3, 7\]은\(는\) 어떤 입력과도") as info:
        ll.MaskedConv2D(16, 5, no_input)
    assert "]는" not in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "fragment"), [({"filters": 0}, "filters"), ({"kernel_size": 2.5}, "kernel_size")]
)
def test_masked_conv_rejects_bad_sizes(kwargs, fragment):
    args = {"filters": 16, "kernel_size": 5, "connection_table": ll.C3_CONNECTION_TABLE} | kwargs
    with pytest.raises(ValueError, match=rf"{fragment}은\(는\) 1 이상의 정수"):
        ll.MaskedConv2D(**args)


def test_masked_conv_rejects_wrong_input_channels():
    layer = ll.MaskedConv2D(16, 5, ll.C3_CONNECTION_TABLE)
    with pytest.raises(ValueError, match=r"입력 채널 수\(3\)가 connection_table의 행 수\(6\)와"):
        layer.build((None, 14, 14, 3))
