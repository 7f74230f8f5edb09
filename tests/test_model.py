"""lenetlib.model 테스트: 두 LeNet-5, 층 표, 모델 비교, 구조 그림 (3장 ``03_model.ipynb``)."""

from __future__ import annotations

import zipfile

import matplotlib
import numpy as np
import pandas as pd
import pytest

from lenetlib import layers as ll
from lenetlib import model as lm
from lenetlib._internal.backend import keras

matplotlib.use("Agg")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NAMES = ["C1", "S2", "C3", "S4", "Flatten", "C5", "F6", "Output"]
CLASSIC_NAMES = ["C1", "S2", "C3", "S4", "C5", "Flatten", "F6", "Output"]


@pytest.fixture(scope="module")
def images(mnist_small):
    """실제 MNIST 64장을 32×32×1, 0~1로 (2장의 전처리와 같은 식)."""
    x = np.pad(mnist_small["x_train"][:64], ((0, 0), (2, 2), (2, 2)))
    return (x[..., None] / 255.0).astype(np.float32), mnist_small["y_train"][:64]


# ---------------------------------------------------------------------------
# build_lenet5 (원래 노트북 모델)
# ---------------------------------------------------------------------------
def test_lenet5_parameter_count_and_names(lenet5):
    assert lenet5.count_params() == 61706
    assert [layer.name for layer in lenet5.layers] == NAMES
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


def test_layer_table_formula_for_other_layers():
    net = keras.Sequential(
        [
            keras.Input((6, 6, 2)),
            keras.layers.Conv2D(3, 3, use_bias=False, name="nb"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.Flatten(),
            keras.layers.Dense(4, use_bias=False, name="d"),
        ]
    )
    table = lm.layer_table(net).set_index("층")
    assert table.loc["nb", "계산식"] == "3×3×2×3 = 54"
    assert table.loc["bn", "계산식"] == "3 + 3 + 3 + 3 = 12"
    assert table.loc["d", "계산식"] == "48×4 = 192"
    assert table.loc["bn", "출력 모양"] == "(None, 4, 4, 3)"
    assert table["파라미터 수"].sum() == net.count_params()


def test_lenet5_predicts_probabilities_on_real_digits(lenet5, images):
    probs = lenet5.predict(images[0], verbose=0)
    assert probs.shape == (64, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"input_shape": (32, 32)}, r"input_shape은\(는\) \(높이, 너비, 채널\)"),
        ({"input_shape": "32x32"}, r"input_shape은\(는\)"),
        ({"input_shape": (32, 32, 0)}, r"input_shape은\(는\)"),
        ({"input_shape": (32.0, 32, 1)}, r"input_shape은\(는\)"),
        ({"input_shape": (8, 8, 1)}, "16×16 이상의 입력"),
        ({"num_classes": 1}, r"num_classes은\(는\) 2 이상의 정수"),
        ({"num_classes": 10.0}, r"num_classes은\(는\) 2 이상의 정수"),
    ],
)
def test_build_lenet5_rejects_bad_arguments(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment) as info:
        lm.build_lenet5(**kwargs)
    assert "input_shape는" not in str(info.value) and "num_classes는" not in str(info.value)


def test_build_lenet5_accepts_other_shapes():
    net = lm.build_lenet5(input_shape=[28, 28, 3], num_classes=np.int64(5), name="small")
    assert tuple(net.outputs[0].shape) == (None, 5) and net.name == "small"


# ---------------------------------------------------------------------------
# build_lenet5_classic (논문 모델)
# ---------------------------------------------------------------------------
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
    assert isinstance(classic.get_layer("C3"), ll.MaskedConv2D)
    np.testing.assert_array_equal(classic.get_layer("C3").connection_table, ll.C3_CONNECTION_TABLE)
    assert classic.get_layer("F6").activation is ll.scaled_tanh


def test_classic_layer_table(classic):
    table = lm.layer_table(classic)
    assert table["층"].tolist() == CLASSIC_NAMES
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


def test_classic_trains_and_masked_weights_stay_zero(images):
    keras.utils.set_random_seed(1)
    net = lm.build_lenet5_classic()
    net.compile(optimizer=keras.optimizers.SGD(0.5), loss="sparse_categorical_crossentropy")
    before = keras.ops.convert_to_numpy(net.get_layer("C3").kernel)
    net.train_on_batch(*images)
    after = keras.ops.convert_to_numpy(net.get_layer("C3").kernel)
    assert not after[:, :, ~ll.C3_CONNECTION_TABLE].any()
    assert not np.allclose(after, before)


def test_classic_accepts_full_connection_table():
    full = lm.build_lenet5_classic(connection_table=np.ones((6, 16), bool))
    assert full.get_layer("C3").count_params() == 2416


def test_classic_rejects_bad_arguments():
    with pytest.raises(ValueError, match="32×32 이상의 입력"):
        lm.build_lenet5_classic(input_shape=(28, 28, 1))
    with pytest.raises(ValueError, match=r"connection_table은\(는\) \(입력 맵 수, filters\)"):
        lm.build_lenet5_classic(connection_table=np.ones((6, 10), bool))
    no_input = ll.C3_CONNECTION_TABLE.copy()
    no_input[:, 3] = False
    with pytest.raises(ValueError, match=r"출력 맵 \[3\]은\(는\)"):
        lm.build_lenet5_classic(connection_table=no_input)


# ---------------------------------------------------------------------------
# 저장과 불러오기 (keras.saving)
# ---------------------------------------------------------------------------
def test_classic_save_load_roundtrip(classic, images, tmp_path):
    path = tmp_path / "classic.keras"
    classic.save(path)
    loaded = keras.saving.load_model(path)  # safe_mode 기본값(True)으로도 불러와야 함
    assert isinstance(loaded.get_layer("C3"), ll.MaskedConv2D)
    assert isinstance(loaded.get_layer("S2"), ll.Subsampling)
    assert loaded.get_layer("C1").activation is ll.scaled_tanh
    np.testing.assert_array_equal(loaded.get_layer("C3").connection_table, ll.C3_CONNECTION_TABLE)
    x = images[0][:16]
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), classic.predict(x, verbose=0), rtol=1e-6, atol=1e-6
    )
    assert loaded.count_params() == classic.count_params() == 60850


def test_lenet5_save_load_roundtrip(lenet5, images, tmp_path):
    path = tmp_path / "lenet5.keras"
    lenet5.save(path)
    loaded = keras.saving.load_model(path)
    pd.testing.assert_frame_equal(lm.layer_table(loaded), lm.layer_table(lenet5))
    x = images[0][:16]
    np.testing.assert_allclose(loaded.predict(x, verbose=0), lenet5.predict(x, verbose=0))


def test_classic_saved_before_the_split_still_loads(classic, images, tmp_path):
    """층이 lenetlib.model에 있던 때 저장한 파일(config의 module이 다름)도 불러옵니다."""
    new, old = tmp_path / "new.keras", tmp_path / "old.keras"
    classic.save(new)
    with zipfile.ZipFile(new) as source, zipfile.ZipFile(old, "w") as target:
        for item in source.namelist():
            data = source.read(item)
            if item == "config.json":
                assert b'"lenetlib.layers"' in data
                data = data.replace(b'"lenetlib.layers"', b'"lenetlib.model"')
            target.writestr(item, data)
    loaded = keras.saving.load_model(old)
    assert isinstance(loaded.get_layer("C3"), ll.MaskedConv2D)
    x = images[0][:8]
    np.testing.assert_allclose(loaded.predict(x, verbose=0), classic.predict(x, verbose=0), 1e-6)


# ---------------------------------------------------------------------------
# layer_table / parameter_table
# ---------------------------------------------------------------------------
def test_layer_table_rejects_non_model_and_unbuilt_model():
    with pytest.raises(ValueError, match=r"model은\(는\) Keras 모델이어야"):
        lm.layer_table("LeNet5")  # type: ignore[arg-type]
    unbuilt = keras.Sequential([keras.layers.Dense(3)], name="합성곱")
    with pytest.raises(ValueError, match="아직 빌드되지 않아") as info:
        lm.layer_table(unbuilt)
    assert "모델 '합성곱'이 " in str(info.value)  # '곱'은 받침이 있으므로 '이'
    assert "'합성곱'가" not in str(info.value)


def test_layer_table_of_subclassed_model_marks_unknown_shapes():
    class Tiny(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(3)

        def call(self, x):
            return self.dense(x)

    tiny = Tiny()
    tiny(np.zeros((1, 4), np.float32))
    table = lm.layer_table(tiny)
    assert table["출력 모양"].tolist() == ["알 수 없음"]
    assert table["계산식"].tolist() == ["(4+1)×3 = 15"]


def test_parameter_table(lenet5, classic):
    table = lm.parameter_table({"노트북": lenet5, "논문": classic})
    assert table.index.name == "층"
    assert table.index.tolist() == [*NAMES, "합계"]
    assert table.loc["C3"].tolist() == [2416, 1516]
    assert table.loc["S2"].tolist() == [0, 12]
    assert table.loc["합계"].tolist() == [61706, 60850]
    assert table.columns.tolist() == ["노트북", "논문"]
    assert all(str(dtype) == "Int64" for dtype in table.dtypes)

    other = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="D")])
    mixed = lm.parameter_table({"a": lenet5, "b": other})
    assert mixed.index.tolist() == [*NAMES, "D", "합계"]
    assert pd.isna(mixed.loc["C1", "b"]) and pd.isna(mixed.loc["D", "a"])
    assert mixed.loc["D", "b"] == 10 and mixed.loc["합계", "b"] == 10


@pytest.mark.parametrize("bad", [{}, [1, 2], None])
def test_parameter_table_rejects_bad_input(bad):
    # 함수 이름은 parameter_table (예전 이름 compare_models가 메시지에 남아 있었음)
    with pytest.raises(ValueError, match=r"^parameter_table에는 .*사전을 하나 이상"):
        lm.parameter_table(bad)  # type: ignore[arg-type]


def test_parameter_table_names_the_bad_entry(lenet5):
    with pytest.raises(ValueError, match=r"models\['논문'\]은 Keras 모델이어야") as info:
        lm.parameter_table({"노트북": lenet5, "논문": "classic"})  # '문'은 받침이 있으므로 '은'
    assert "'논문']는" not in str(info.value)
