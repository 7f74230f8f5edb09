"""lenetlib.model 테스트 (3장 ``03_model.ipynb``)."""

from __future__ import annotations

import sys
import types

import keras
import matplotlib
import numpy as np
import pandas as pd
import pytest

from lenetlib import model as lm
from lenetlib.preprocessing import preprocess_images

matplotlib.use("Agg")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def lenet5():
    return lm.build_lenet5()


@pytest.fixture(scope="module")
def classic():
    keras.utils.set_random_seed(0)
    return lm.build_lenet5_classic()


@pytest.fixture(scope="module")
def images(mnist_small):
    """전처리된 실제 MNIST 64장과 정수 레이블."""
    return preprocess_images(mnist_small["x_train"][:64]), mnist_small["y_train"][:64]


# ---------------------------------------------------------------------------
# build_lenet5 (원래 노트북 모델)
# ---------------------------------------------------------------------------
def test_lenet5_parameter_count_and_names(lenet5):
    assert lenet5.count_params() == 61706
    assert [layer.name for layer in lenet5.layers] == [
        "C1",
        "S2",
        "C3",
        "S4",
        "Flatten",
        "C5",
        "F6",
        "Output",
    ]
    assert tuple(lenet5.inputs[0].shape) == (None, 32, 32, 1)
    assert tuple(lenet5.outputs[0].shape) == (None, 10)


def test_lenet5_layers_match_seed_notebook(lenet5):
    c1, s2, c3, s4, _, c5, f6, out = lenet5.layers
    assert (c1.filters, c1.kernel_size, c1.activation.__name__) == (6, (5, 5), "tanh")
    assert (c3.filters, c3.kernel_size, c3.activation.__name__) == (16, (5, 5), "tanh")
    for pool in (s2, s4):
        assert isinstance(pool, keras.layers.MaxPooling2D)
        assert pool.pool_size == (2, 2) and pool.strides == (2, 2)
    assert [(d.units, d.activation.__name__) for d in (c5, f6, out)] == [
        (120, "tanh"),
        (84, "tanh"),
        (10, "softmax"),
    ]


def test_lenet5_layer_table_exact(lenet5):
    expected = pd.DataFrame(
        [
            ["C1", "Conv2D", "(None, 28, 28, 6)", 156, "(5×5×1+1)×6 = 156"],
            ["S2", "MaxPooling2D", "(None, 14, 14, 6)", 0, "0 (학습할 가중치 없음)"],
            ["C3", "Conv2D", "(None, 10, 10, 16)", 2416, "(5×5×6+1)×16 = 2,416"],
            ["S4", "MaxPooling2D", "(None, 5, 5, 16)", 0, "0 (학습할 가중치 없음)"],
            ["Flatten", "Flatten", "(None, 400)", 0, "0 (학습할 가중치 없음)"],
            ["C5", "Dense", "(None, 120)", 48120, "(400+1)×120 = 48,120"],
            ["F6", "Dense", "(None, 84)", 10164, "(120+1)×84 = 10,164"],
            ["Output", "Dense", "(None, 10)", 850, "(84+1)×10 = 850"],
        ],
        columns=["층", "종류", "출력 모양", "파라미터 수", "계산식"],
    )
    table = lm.layer_table(lenet5)
    pd.testing.assert_frame_equal(table, expected)
    assert table["파라미터 수"].sum() == lenet5.count_params()


def test_lenet5_predicts_probabilities_on_real_digits(lenet5, images):
    x, _ = images
    probs = lenet5.predict(x, verbose=0)
    assert probs.shape == (64, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"input_shape": (32, 32)}, r"input_shape는 \(높이, 너비, 채널\)"),
        ({"input_shape": (8, 8, 1)}, "16×16 이상의 입력"),
        ({"input_shape": (32, 32, 0)}, "input_shape는"),
        ({"num_classes": 1}, "num_classes는 2 이상"),
        ({"num_classes": 10.0}, "num_classes는 2 이상"),
    ],
)
def test_build_lenet5_rejects_bad_arguments(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        lm.build_lenet5(**kwargs)


# ---------------------------------------------------------------------------
# C3 연결 표와 논문 모델
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
    table = lm.C3_CONNECTION_TABLE
    assert table.shape == (6, 16) and table.dtype == bool
    assert int(table.sum()) == 60
    assert table.sum(axis=0).tolist() == [3] * 6 + [4] * 9 + [6]
    np.testing.assert_array_equal(table, _paper_table_from_rule())
    assert not table.flags.writeable


def test_classic_parameter_counts(classic):
    counts = {layer.name: layer.count_params() for layer in classic.layers}
    assert counts == {
        "C1": 156,
        "S2": 12,
        "C3": 1516,  # 논문: 60 연결 × 25 + 편향 16
        "S4": 32,
        "C5": 48120,
        "Flatten": 0,
        "F6": 10164,
        "Output": 850,
    }
    assert classic.count_params() == 60850


def test_classic_layer_table(classic):
    table = lm.layer_table(classic)
    assert table["층"].tolist() == ["C1", "S2", "C3", "S4", "C5", "Flatten", "F6", "Output"]
    assert table["종류"].tolist()[:4] == ["Conv2D", "Subsampling", "MaskedConv2D", "Subsampling"]
    assert table["출력 모양"].tolist() == [
        "(None, 28, 28, 6)",
        "(None, 14, 14, 6)",
        "(None, 10, 10, 16)",
        "(None, 5, 5, 16)",
        "(None, 1, 1, 120)",
        "(None, 120)",
        "(None, 84)",
        "(None, 10)",
    ]
    formulas = dict(zip(table["층"], table["계산식"], strict=True))
    assert formulas["S2"] == "(1+1)×6 = 12"
    assert formulas["C3"] == "60×(5×5)+16 = 1,516"
    assert formulas["C5"] == "(5×5×16+1)×120 = 48,120"
    assert table["파라미터 수"].sum() == classic.count_params()


def test_scaled_tanh_values():
    x = np.array([-100.0, -1.0, 0.0, 1.0, 1.5, 100.0], dtype=np.float32)
    y = keras.ops.convert_to_numpy(lm.scaled_tanh(x))
    np.testing.assert_allclose(y, 1.7159 * np.tanh(2.0 * x / 3.0), rtol=1e-6)
    assert y[2] == 0.0
    assert y[3] == pytest.approx(1.0, abs=2e-3)  # f(1) ≈ 1 (논문이 고른 상수)
    assert abs(y).max() <= 1.7159 + 1e-6


def test_c3_kernel_is_masked_and_matches_dense_conv(classic, images):
    c3 = classic.get_layer("C3")
    kernel = keras.ops.convert_to_numpy(c3.kernel)
    assert kernel.shape == (5, 5, 6, 16)
    table = lm.C3_CONNECTION_TABLE
    assert not kernel[:, :, ~table].any()
    assert np.all(kernel[:, :, table] != 0)
    # 같은 (마스크된) 커널을 쓰는 보통 Conv2D와 출력이 같아야 합니다.
    s2_out = keras.Model(classic.inputs[0], classic.get_layer("S2").output)(images[0][:8])
    reference = keras.layers.Conv2D(16, 5, activation=lm.scaled_tanh)
    reference.build((None, 14, 14, 6))
    reference.set_weights([kernel, keras.ops.convert_to_numpy(c3.bias)])
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(c3(s2_out)),
        keras.ops.convert_to_numpy(reference(s2_out)),
        atol=1e-5,
    )


def test_subsampling_is_average_times_coefficient_plus_bias():
    layer = lm.Subsampling(2, name="S")
    layer.build((None, 4, 4, 2))
    layer.set_weights([np.array([2.0, -1.0], np.float32), np.array([0.5, 0.0], np.float32)])
    x = np.arange(32, dtype=np.float32).reshape(1, 4, 4, 2)
    expected = x.reshape(1, 2, 2, 2, 2, 2).mean(axis=(2, 4)) * [2.0, -1.0] + [0.5, 0.0]
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)), expected, rtol=1e-6)
    assert layer.compute_output_shape((None, 4, 4, 2)) == (None, 2, 2, 2)


def test_masked_connections_stay_zero_after_training_step(images):
    keras.utils.set_random_seed(1)
    model = lm.build_lenet5_classic()
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="sparse_categorical_crossentropy"
    )
    c3, s2 = model.get_layer("C3"), model.get_layer("S2")
    kernel_before = keras.ops.convert_to_numpy(c3.kernel)
    coef_before = keras.ops.convert_to_numpy(s2.coefficient)
    x, y = images
    model.train_on_batch(x, y)
    kernel_after = keras.ops.convert_to_numpy(c3.kernel)
    table = lm.C3_CONNECTION_TABLE
    assert not kernel_after[:, :, ~table].any()
    assert not np.allclose(kernel_after[:, :, table], kernel_before[:, :, table])
    assert not np.allclose(keras.ops.convert_to_numpy(s2.coefficient), coef_before)
    assert [w.name for w in c3.trainable_weights] == ["connected_kernel", "bias"]


def test_classic_save_load_roundtrip(classic, images, tmp_path):
    path = tmp_path / "classic.keras"
    classic.save(path)
    loaded = keras.models.load_model(path)  # safe_mode 기본값(True)으로도 불러와야 함
    assert isinstance(loaded.get_layer("C3"), lm.MaskedConv2D)
    assert isinstance(loaded.get_layer("S2"), lm.Subsampling)
    assert loaded.get_layer("C1").activation is lm.scaled_tanh
    np.testing.assert_array_equal(loaded.get_layer("C3").connection_table, lm.C3_CONNECTION_TABLE)
    x = images[0][:16]
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), classic.predict(x, verbose=0), rtol=1e-6, atol=1e-6
    )
    assert loaded.count_params() == classic.count_params()


def test_lenet5_save_load_roundtrip(lenet5, images, tmp_path):
    path = tmp_path / "lenet5.keras"
    lenet5.save(path)
    loaded = keras.models.load_model(path)
    pd.testing.assert_frame_equal(lm.layer_table(loaded), lm.layer_table(lenet5))
    x = images[0][:16]
    np.testing.assert_allclose(loaded.predict(x, verbose=0), lenet5.predict(x, verbose=0))


def test_classic_rejects_bad_arguments():
    with pytest.raises(ValueError, match="32×32 이상의 입력"):
        lm.build_lenet5_classic(input_shape=(28, 28, 1))
    with pytest.raises(ValueError, match=r"connection_table은 \(입력 맵 수, filters\)"):
        lm.build_lenet5_classic(connection_table=np.ones((6, 10), bool))
    no_input = lm.C3_CONNECTION_TABLE.copy()
    no_input[:, 3] = False
    with pytest.raises(ValueError, match=r"출력 맵 \[3\]"):
        lm.build_lenet5_classic(connection_table=no_input)
    with pytest.raises(ValueError, match="pool_size는 1 이상의 정수"):
        lm.Subsampling(0)


def test_classic_accepts_full_connection_table():
    full = lm.build_lenet5_classic(connection_table=np.ones((6, 16), bool))
    assert full.get_layer("C3").count_params() == 2416


# ---------------------------------------------------------------------------
# layer_table / compare_models 입력 검사
# ---------------------------------------------------------------------------
def test_layer_table_rejects_non_model_and_unbuilt_model():
    with pytest.raises(ValueError, match=r"keras\.Model이 필요합니다"):
        lm.layer_table("LeNet5")  # type: ignore[arg-type]
    unbuilt = keras.Sequential([keras.layers.Dense(3)])
    with pytest.raises(ValueError, match="아직 만들어지지"):
        lm.layer_table(unbuilt)


def test_compare_models(lenet5, classic):
    table = lm.compare_models({"노트북": lenet5, "논문": classic})
    assert table.index.name == "층"
    assert table.index.tolist() == ["C1", "S2", "C3", "S4", "Flatten", "C5", "F6", "Output", "합계"]
    assert table.loc["C3"].tolist() == [2416, 1516]
    assert table.loc["S2"].tolist() == [0, 12]
    assert table.loc["합계"].tolist() == [61706, 60850]
    assert str(table.dtypes.iloc[0]) == "Int64"

    other = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="D")])
    mixed = lm.compare_models({"a": lenet5, "b": other})
    assert pd.isna(mixed.loc["C1", "b"]) and pd.isna(mixed.loc["D", "a"])
    assert mixed.loc["D", "b"] == 10


@pytest.mark.parametrize("bad", [{}, [1, 2], None])
def test_compare_models_rejects_bad_input(bad):
    with pytest.raises(ValueError, match="사전을 하나 이상"):
        lm.compare_models(bad)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# graphviz_available / save_architecture_diagram
# ---------------------------------------------------------------------------
def test_graphviz_available_is_false_without_pydot(monkeypatch):
    monkeypatch.setitem(sys.modules, "pydot", None)  # import pydot → ImportError
    assert lm.graphviz_available() is False


def test_graphviz_available_is_false_when_dot_fails(monkeypatch):
    def broken_create(*args, **kwargs):
        raise FileNotFoundError("dot not found")

    monkeypatch.setitem(sys.modules, "pydot", types.SimpleNamespace(Dot=_FakeDot(broken_create)))
    assert lm.graphviz_available() is False
    monkeypatch.setitem(sys.modules, "pydot", types.SimpleNamespace(Dot=_FakeDot(lambda g: b"")))
    assert lm.graphviz_available() is True


class _FakeDot:
    """``pydot.Dot()``과 ``pydot.Dot.create(graph)``만 흉내 냅니다."""

    def __init__(self, create):
        self.create = create

    def __call__(self):
        return object()


@pytest.fixture
def fake_plotting(monkeypatch):
    """``lenetlib.plotting.plot_architecture``를 가짜로 바꾸고 호출 횟수를 셉니다."""
    import matplotlib.pyplot as plt

    calls = []

    def plot_architecture(model):
        calls.append(model.name)
        fig, ax = plt.subplots(figsize=(2, 2))
        ax.text(0.5, 0.5, model.name)
        return fig

    module = types.ModuleType("lenetlib.plotting")
    module.plot_architecture = plot_architecture
    monkeypatch.setitem(sys.modules, "lenetlib.plotting", module)
    return calls


def test_diagram_falls_back_to_matplotlib_without_graphviz(
    lenet5, tmp_path, monkeypatch, fake_plotting
):
    monkeypatch.setattr(lm, "graphviz_available", lambda: False)
    monkeypatch.setattr(keras.utils, "plot_model", _must_not_be_called)
    out = lm.save_architecture_diagram(lenet5, tmp_path / "sub" / "arch")
    assert out == tmp_path / "sub" / "arch.png"
    assert out.read_bytes()[:8] == PNG_MAGIC
    assert fake_plotting == ["LeNet5"]


def _must_not_be_called(*args, **kwargs):
    raise AssertionError("plot_model이 호출되면 안 됩니다")


def test_diagram_falls_back_when_plot_model_fails(lenet5, tmp_path, monkeypatch, fake_plotting):
    def failing_plot_model(*args, **kwargs):
        raise OSError("dot crashed")

    monkeypatch.setattr(lm, "graphviz_available", lambda: True)
    monkeypatch.setattr(keras.utils, "plot_model", failing_plot_model)
    out = lm.save_architecture_diagram(lenet5, tmp_path / "arch.png")
    assert out.read_bytes()[:8] == PNG_MAGIC
    assert fake_plotting == ["LeNet5"]


def test_diagram_falls_back_when_plot_model_writes_nothing(
    lenet5, tmp_path, monkeypatch, fake_plotting
):
    # Jupyter 안의 plot_model은 graphviz가 없으면 파일 없이 조용히 끝납니다.
    monkeypatch.setattr(lm, "graphviz_available", lambda: True)
    monkeypatch.setattr(keras.utils, "plot_model", lambda *a, **k: None)
    out = lm.save_architecture_diagram(lenet5, tmp_path / "arch.png")
    assert out.read_bytes()[:8] == PNG_MAGIC
    assert fake_plotting == ["LeNet5"]


def test_diagram_uses_plot_model_when_graphviz_works(lenet5, tmp_path, monkeypatch, fake_plotting):
    received = {}

    def fake_plot_model(model, to_file, **kwargs):
        received.update(kwargs, to_file=to_file)
        with open(to_file, "wb") as handle:
            handle.write(PNG_MAGIC + b"graphviz")

    monkeypatch.setattr(lm, "graphviz_available", lambda: True)
    monkeypatch.setattr(keras.utils, "plot_model", fake_plot_model)
    out = lm.save_architecture_diagram(lenet5, tmp_path / "arch.png")
    assert out.read_bytes() == PNG_MAGIC + b"graphviz"
    assert received["show_shapes"] is True and received["to_file"] == str(out)
    assert fake_plotting == []


def test_diagram_error_is_korean_when_everything_fails(lenet5, tmp_path, monkeypatch):
    def broken(model):
        raise RuntimeError("no font")

    module = types.ModuleType("lenetlib.plotting")
    module.plot_architecture = broken
    monkeypatch.setitem(sys.modules, "lenetlib.plotting", module)
    monkeypatch.setattr(lm, "graphviz_available", lambda: False)
    with pytest.raises(lm.DiagramError, match="저장하지 못했습니다") as info:
        lm.save_architecture_diagram(lenet5, tmp_path / "arch.png")
    assert "layer_table" in str(info.value)
    assert isinstance(info.value.__cause__, RuntimeError)


def test_diagram_rejects_non_model(tmp_path):
    with pytest.raises(ValueError, match=r"keras\.Model이 필요합니다"):
        lm.save_architecture_diagram(object(), tmp_path / "x.png")  # type: ignore[arg-type]


def test_diagram_with_real_plotting_module(classic, tmp_path):
    pytest.importorskip("lenetlib.plotting")
    out = lm.save_architecture_diagram(classic, tmp_path / "classic.png", prefer_graphviz=False)
    assert out.read_bytes()[:8] == PNG_MAGIC
    assert out.stat().st_size > 1000
