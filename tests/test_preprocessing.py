"""lenetlib.preprocessing 테스트 (2장 ``02_preprocessing.ipynb``)."""

from __future__ import annotations

import dataclasses
import math
import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lenetlib import preprocessing as pp
from lenetlib._internal.checks import check_labels

FAST = settings(max_examples=40, deadline=None)
NOUNS = ("레이블", "입력 이미지", "패딩할 이미지", "패딩을 자를 이미지", "채널 축을 더할 이미지")


def no_wrong_particle(message: str) -> None:
    """메시지 속 이름 뒤 조사가 받침에 맞는지 (예: '레이블가'가 없어야 함)."""
    for noun in NOUNS:
        has_final = (ord(noun[-1]) - 0xAC00) % 28 != 0
        for particle in ("는", "가", "를") if has_final else ("은", "이 ", "을"):
            assert noun + particle not in message, message


def raises(fragment: str, func, *args, **kwargs) -> str:
    """한국어 ValueError가 나고 메시지에 fragment가 있는지 확인합니다."""
    with pytest.raises(ValueError, match=fragment) as info:
        func(*args, **kwargs)
    message = str(info.value)
    assert re.search("[가-힣]", message), message
    no_wrong_particle(message)
    return message


@pytest.fixture(scope="module")
def small(mnist_small):
    return mnist_small


@pytest.fixture(scope="module")
def x100(small):
    return small["x_train"][:100]


# ---------------------------------------------------------------------------
# scale_images
# ---------------------------------------------------------------------------
def test_scale_images_matches_seed_notebook(x100):
    scaled = pp.scale_images(x100)
    assert scaled.dtype == np.float32
    assert scaled.shape == (100, 28, 28)
    # 원래 노트북: x.astype('float32') / 255.0
    np.testing.assert_array_equal(scaled, x100.astype("float32") / 255.0)
    assert scaled.min() == 0.0
    assert scaled.max() == 1.0


def test_scale_images_does_not_modify_input(small):
    x = small["x_train"][:10].copy()
    before = x.copy()
    pp.scale_images(x)
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("dtype", [np.int16, np.int64, np.float32, np.float64])
def test_scale_images_accepts_raw_numeric_dtypes(x100, dtype):
    np.testing.assert_allclose(
        pp.scale_images(x100.astype(dtype)), pp.scale_images(x100), rtol=0, atol=1e-7
    )


def test_scale_images_rejects_already_scaled_float(x100):
    already = x100.astype(np.float32) / 255.0
    with pytest.raises(ValueError, match=r"이미 \[0, 1\]로 정규화된 데이터로 보이며"):
        pp.scale_images(already)
    again = pp.scale_images(already, already_scaled=True)
    assert again.dtype == np.float32
    np.testing.assert_array_equal(again, already)


def test_scale_images_already_scaled_checks_range(x100):
    message = raises("0~1 범위여야", pp.scale_images, x100, already_scaled=True)
    assert "already_scaled=False" in message and "받은 범위: 0 ~ 255" in message


def test_scale_images_all_black_float_is_fine():
    out = pp.scale_images(np.zeros((2, 28, 28), dtype=np.float64))
    assert out.dtype == np.float32
    assert not out.any()


@pytest.mark.parametrize(
    ("shape", "fragment"),
    [
        ((28, 28), r"x\[None\]"),
        ((3, 32, 32), "28×28"),
        ((3, 784), r"\(N, 28, 28\) 모양"),
        ((3, 28, 28, 1), r"x\[\.\.\., 0\]"),
        ((0, 28, 28), "비어 있습니다"),
    ],
)
def test_scale_images_rejects_bad_shapes(shape, fragment):
    assert "받은 모양" in raises(fragment, pp.scale_images, np.zeros(shape, dtype=np.uint8))


@pytest.mark.parametrize(
    "bad",
    [
        np.full((2, 28, 28), "a"),
        np.zeros((2, 28, 28), dtype=bool),
        np.zeros((2, 28, 28), dtype=complex),
        np.zeros((2, 28, 28), dtype=object),
    ],
    ids=["str", "bool", "complex", "object"],
)
def test_scale_images_rejects_non_numeric(bad):
    raises(r"정수나 실수 배열이어야 합니다. 받은 dtype", pp.scale_images, bad)


@pytest.mark.parametrize(("low", "high"), [(-1, 100), (0, 256), (0, 1e6)])
def test_scale_images_rejects_out_of_range(low, high):
    x = np.zeros((2, 28, 28), dtype=np.float64)
    x[0, 0, 0], x[1, 5, 5] = low, high
    raises(r"0~255 범위여야 합니다. 받은 범위", pp.scale_images, x)


def test_scale_images_rejects_nan(x100):
    x = x100.astype(np.float32)
    x[3, 10, 10] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        pp.scale_images(x)


# ---------------------------------------------------------------------------
# pad_images / add_channel_axis / preprocess_images / crop_padding
# ---------------------------------------------------------------------------
def test_pad_images_border_zero_and_center_equal(x100):
    scaled = pp.scale_images(x100)
    padded = pp.pad_images(scaled)
    assert padded.shape == (100, 32, 32)
    assert padded.dtype == np.float32
    np.testing.assert_array_equal(padded[:, 2:30, 2:30], scaled)
    border = np.ones((32, 32), dtype=bool)
    border[2:30, 2:30] = False
    assert not padded[:, border].any()


def test_pad_images_keeps_dtype_and_handles_channel_axis(x100):
    assert pp.pad_images(x100).dtype == np.uint8
    padded4 = pp.pad_images(x100[..., None], pad=3)
    assert padded4.shape == (100, 34, 34, 1)
    np.testing.assert_array_equal(padded4[:, 3:31, 3:31, 0], x100)
    np.testing.assert_array_equal(pp.pad_images(x100, pad=0), x100)


def test_pad_images_accepts_any_float_range():
    x = np.full((1, 28, 28), -3.5)
    assert pp.pad_images(x)[0, 0, 0] == 0.0
    assert pp.pad_images(x)[0, 2, 2] == -3.5


@pytest.mark.parametrize(
    ("x", "pad", "fragment"),
    [
        (np.zeros((28, 28)), 2, r"x\[None\]"),
        (np.zeros((2, 28, 28)), -1, "pad은\\(는\\) 0 이상의 정수"),
        (np.zeros((2, 28, 28)), 1.5, "pad은\\(는\\) 0 이상의 정수"),
        (np.full((2, 28, 28), np.nan), 2, "NaN"),
        (np.zeros((2, 28, 28), dtype=bool), 2, "정수나 실수"),
        (np.zeros((2, 28, 28, 3)), 2, r"\(N, H, W, 1\) 모양"),
        (np.zeros((0, 28, 28)), 2, "비어 있습니다"),
    ],
)
def test_pad_images_rejects_bad_input(x, pad, fragment):
    raises(fragment, pp.pad_images, x, pad)


def test_add_channel_axis(x100):
    out = pp.add_channel_axis(x100)
    assert out.shape == (100, 28, 28, 1)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out[..., 0], x100)
    raises("이미 채널 축이 있습니다", pp.add_channel_axis, out)
    raises(r"x\[None\]", pp.add_channel_axis, x100[0])
    raises("NaN", pp.add_channel_axis, np.full((1, 4, 4), np.nan))


def test_preprocess_images_shape_range_border(x100):
    out = pp.preprocess_images(x100)
    assert isinstance(out, np.ndarray)
    assert out.shape == (100, 32, 32, 1)
    assert out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    np.testing.assert_array_equal(out[:, 2:30, 2:30, 0], x100.astype(np.float32) / 255.0)
    assert not out[:, :2].any() and not out[:, 30:].any()
    assert not out[:, :, :2].any() and not out[:, :, 30:].any()


def test_preprocess_images_equals_seed_tensorflow_pipeline(x100):
    tf = pytest.importorskip("tensorflow")
    x = x100.astype("float32") / 255.0
    x = tf.pad(x, [[0, 0], [2, 2], [2, 2]], mode="CONSTANT")
    seed = tf.expand_dims(x, axis=-1).numpy()
    np.testing.assert_array_equal(pp.preprocess_images(x100), seed)


def test_preprocess_images_checks_input():
    raises("0~255", pp.preprocess_images, np.full((1, 28, 28), 300))
    raises("already_scaled=True", pp.preprocess_images, np.full((1, 28, 28), 0.5))
    raises("True 또는 False", pp.preprocess_images, np.ones((1, 28, 28)), already_scaled="yes")
    assert pp.preprocess_images(np.full((1, 28, 28), 0.5), already_scaled=True).max() == 0.5


def test_crop_padding_inverts_preprocess(x100):
    out = pp.preprocess_images(x100)
    cropped = pp.crop_padding(out)
    assert cropped.shape == (100, 28, 28)
    np.testing.assert_array_equal(cropped, pp.scale_images(x100))
    np.testing.assert_array_equal(pp.crop_padding(out[..., 0]), cropped)
    cropped[0, 0, 0] = 123.0  # 사본이므로 원본은 그대로
    assert out[0, 2, 2, 0] != 123.0


@pytest.mark.parametrize(
    ("x", "pad", "fragment"),
    [
        (np.zeros((2, 32, 32, 3)), 2, r"\(N, H, W, 1\) 모양"),
        (np.zeros((32, 32)), 2, r"x\[None\]"),
        (np.zeros((1, 4, 4)), 2, "너무 작아"),
        (np.zeros((1, 32, 32)), -2, "0 이상의 정수"),
    ],
)
def test_crop_padding_rejects_bad_input(x, pad, fragment):
    raises(fragment, pp.crop_padding, x, pad)


# ---------------------------------------------------------------------------
# encode_labels, 그리고 레이블 검사 (_internal.checks.check_labels: 모든 장의 함수가 씀)
# ---------------------------------------------------------------------------
def test_encode_labels_one_hot_matches_to_categorical(small):
    y = small["y_train"]
    encoded = pp.encode_labels(y)
    assert encoded.shape == (len(y), 10)
    assert encoded.dtype == np.float32
    np.testing.assert_array_equal(encoded.sum(axis=1), 1.0)
    np.testing.assert_array_equal(np.argmax(encoded, axis=1), y)
    np.testing.assert_array_equal(encoded, np.eye(10, dtype=np.float32)[y])


def test_encode_labels_sparse(small):
    y = small["y_train"]
    sparse = pp.encode_labels(y, one_hot=False)
    assert sparse.dtype == np.int64
    np.testing.assert_array_equal(sparse, y)
    np.testing.assert_array_equal(pp.encode_labels(y.astype(np.float64), one_hot=False), y)


@pytest.mark.parametrize(
    ("y", "fragment"),
    [
        (np.array([0, 5, 10]), r"0~9 범위여야 합니다. 범위를 벗어난 값: \[10\]"),
        (np.array([-1, 3]), r"범위를 벗어난 값: \[-1\]"),
        (np.array([1.0, 2.5]), r"정수여야 합니다. 정수가 아닌 값: \[2.5\]"),
        (np.array([1.0, np.nan]), "NaN"),
        (np.array([1.0, np.inf]), "무한대"),
        (np.zeros((2, 10)), "합이 1이어야"),
        (np.eye(10)[[1, 2]] * 5, "0~1이어야"),
        (np.zeros((3, 1, 1), dtype=int), r"y.reshape\(-1\)"),
        (np.array(["1", "2"]), "정수나 실수"),
        (np.array([True, False]), "정수나 실수"),
    ],
)
def test_encode_labels_rejects_bad_labels(y, fragment):
    raises(fragment, pp.encode_labels, y)


def test_encode_labels_num_classes_and_one_hot_input():
    raises(r"num_classes은\(는\) 2 이상", pp.encode_labels, np.array([0, 1]), num_classes=0)
    raises(r"num_classes은\(는\) 10 이상", pp.encode_labels, np.array([9, 1]), num_classes=5)
    raises("True 또는 False", pp.encode_labels, np.array([0, 1]), one_hot=1)
    assert pp.encode_labels(np.array([0, 1, 2]), num_classes=3).shape == (3, 3)
    assert pp.encode_labels(np.array([0, 1]), num_classes=12).shape == (2, 12)
    once = pp.encode_labels(np.array([3, 1, 4]))
    np.testing.assert_array_equal(pp.encode_labels(once), once)  # 두 번 불러도 같음


def test_labels_from_one_hot_sparse_and_probabilities(small):
    y = small["y_test"]
    np.testing.assert_array_equal(check_labels(pp.encode_labels(y)), y)
    assert check_labels(pp.encode_labels(y)).dtype == np.int64
    np.testing.assert_array_equal(check_labels(y), y)
    probs = np.array([[0.1, 0.7, 0.2] + [0.0] * 7, [0.05] * 9 + [0.55]])
    np.testing.assert_array_equal(check_labels(probs), [1, 9])


@pytest.mark.parametrize(
    ("y", "fragment"),
    [
        (np.zeros((2, 10)), "합이 1이어야"),
        (np.full((2, 10), 2.0), "0~1이어야"),
        (np.full((2, 10), np.nan), "NaN"),
        (np.zeros((2, 10, 1)), r"\(N, 10\) 원-핫"),
        (np.zeros((2, 7)), r"\(N, 10\) 모양"),
        (np.array([3, 12]), "0~9 범위"),
        (np.full((2, 10), "x"), "정수나 실수"),
    ],
)
def test_bad_labels_are_refused_in_korean(y, fragment):
    raises(fragment, check_labels, y)


# ---------------------------------------------------------------------------
# train_val_split
# ---------------------------------------------------------------------------
def test_train_val_split_matches_keras_validation_split(small):
    array_slicing = pytest.importorskip("keras.src.trainers.data_adapters.array_slicing")
    x, y = small["x_train"], pp.encode_labels(small["y_train"])
    (x_tr, y_tr), (x_val, y_val) = pp.train_val_split(x, y, 0.1)
    (kx_tr, ky_tr), (kx_val, ky_val) = array_slicing.train_validation_split((x, y), 0.1)
    for ours, theirs in [(x_tr, kx_tr), (y_tr, ky_tr), (x_val, kx_val), (y_val, ky_val)]:
        np.testing.assert_array_equal(ours, np.asarray(theirs))


def test_train_val_split_full_mnist_sizes():
    # 전체 MNIST 60,000장: 마지막 6,000장이 검증 세트 (Keras validation_split=0.1)
    index = np.arange(60000)
    (x_tr, y_tr), (x_val, _) = pp.train_val_split(index, index)
    assert len(x_tr) == 54000 and len(x_val) == 6000
    np.testing.assert_array_equal(x_val, np.arange(54000, 60000))
    np.testing.assert_array_equal(y_tr, np.arange(54000))


def test_train_val_split_shuffle_is_deterministic():
    index = np.arange(1000)
    (a_tr, _), (a_val, _) = pp.train_val_split(index, index, shuffle=True, seed=1)
    (b_tr, _), (b_val, _) = pp.train_val_split(index, index, shuffle=True, seed=1)
    (c_tr, _), _ = pp.train_val_split(index, index, shuffle=True, seed=2)
    np.testing.assert_array_equal(a_tr, b_tr)
    np.testing.assert_array_equal(a_val, b_val)
    assert not np.array_equal(a_tr, c_tr)
    assert sorted(np.concatenate([a_tr, a_val]).tolist()) == index.tolist()
    assert not np.array_equal(a_val, np.arange(900, 1000))


@pytest.mark.parametrize("fraction", [0, 1, 1.0, -0.1, 1.5, True, "0.1", None, float("nan")])
def test_train_val_split_rejects_bad_fraction(fraction):
    raises(r"val_fraction은\(는\) \(0, 1\) 범위의 실수", pp.train_val_split,
           np.arange(10), np.arange(10), fraction)  # fmt: skip


def test_train_val_split_rejects_length_mismatch_tiny_data_and_bad_seed():
    raises(r"길이가 서로 다릅니다: 이미지 10개, 레이블 9개", pp.train_val_split,
           np.arange(10), np.arange(9))  # fmt: skip
    raises("한쪽이 비게", pp.train_val_split, np.arange(1), np.arange(1), 0.1)
    index = np.arange(10)
    raises("seed", pp.train_val_split, index, index, shuffle=True, seed=2**33)
    raises("seed", pp.train_val_split, index, index, shuffle=True, seed=-1)
    raises("True 또는 False", pp.train_val_split, index, index, shuffle="yes")
    (a, _), _ = pp.train_val_split(index, index, shuffle=True, seed=np.int64(3))
    (b, _), _ = pp.train_val_split(index, index, shuffle=True, seed=3)
    np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------------------
# prepare_mnist / PreparedData
# ---------------------------------------------------------------------------
def test_prepare_mnist_default(small):
    data = pp.prepare_mnist(
        (small["x_train"], small["y_train"]), (small["x_test"], small["y_test"])
    )
    assert data.x_train.shape == (1800, 32, 32, 1)
    assert data.x_val.shape == (200, 32, 32, 1)
    assert data.x_test.shape == (500, 32, 32, 1)
    assert data.y_train.shape == (1800, 10) and data.y_train.dtype == np.float32
    assert data.one_hot and data.input_shape == (32, 32, 1)
    for x in (data.x_train, data.x_val, data.x_test):
        assert isinstance(x, np.ndarray) and x.dtype == np.float32
        assert x.min() >= 0.0 and x.max() <= 1.0
    np.testing.assert_array_equal(check_labels(data.y_val), small["y_train"][1800:])
    np.testing.assert_array_equal(check_labels(data.y_test), small["y_test"])
    np.testing.assert_array_equal(data.x_val, pp.preprocess_images(small["x_train"][1800:]))
    summary = data.summary()
    assert summary["개수"].tolist() == [1800, 200, 500]
    assert summary["세트"].tolist() == ["훈련", "검증", "테스트"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.x_train = data.x_val  # type: ignore[misc]


def test_prepare_mnist_sparse_and_limit(small):
    data = pp.prepare_mnist(
        (small["x_train"], small["y_train"]),
        (small["x_test"], small["y_test"]),
        val_fraction=0.2,
        one_hot=False,
        train_limit=1000,
    )
    assert len(data.x_train) == 800 and len(data.x_val) == 200
    assert data.y_train.dtype == np.int64 and data.y_train.ndim == 1
    assert not data.one_hot
    np.testing.assert_array_equal(data.y_val, small["y_train"][800:1000])


def test_prepare_mnist_rejects_bad_input(small):
    test = (small["x_test"], small["y_test"])
    train = (small["x_train"], small["y_train"])
    raises("두 개짜리 튜플", pp.prepare_mnist, small["x_train"], test)
    raises("두 개짜리 튜플", pp.prepare_mnist, train, None)
    short = (small["x_train"], small["y_train"][:10])
    raises("길이가 서로 다릅니다: 이미지 2000개, 레이블 10개", pp.prepare_mnist, short, test)
    raises("train_limit", pp.prepare_mnist, train, test, train_limit=0)
    raises("val_fraction", pp.prepare_mnist, train, test, val_fraction=0.0)
    raises("이미 \\[0, 1\\]", pp.prepare_mnist, (small["x_train"] / 255.0, small["y_train"]), test)
    raises("0~9 범위", pp.prepare_mnist, train, (small["x_test"], small["y_test"] + 10))
    raises("True 또는 False", pp.prepare_mnist, train, test, one_hot="yes")


def test_prepared_data_checks_lengths():
    x = np.zeros((3, 32, 32, 1), np.float32)
    raises("검증 이미지 3개, 검증 레이블 2개", pp.PreparedData,
           x, np.zeros(3), x, np.zeros(2), x, np.zeros(3))  # fmt: skip


def test_importing_preprocessing_does_not_import_tensorflow():
    code = (
        "import sys, lenetlib.preprocessing; "
        "bad = [m for m in ('tensorflow', 'keras') if m in sys.modules]; "
        "sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0


# ---------------------------------------------------------------------------
# 성질 기반 테스트 (hypothesis)
# ---------------------------------------------------------------------------
raw_batches = hnp.arrays(
    dtype=st.sampled_from([np.uint8, np.int32, np.float64]),
    shape=st.tuples(st.integers(1, 3), st.just(28), st.just(28)),
    elements=st.integers(0, 255),
)


@FAST
@given(raw_batches)
def test_property_preprocess_shape_range_and_roundtrip(x):
    if x.dtype.kind == "f" and 0 < x.max() <= 1:
        # 문서화한 규칙: 이미 정규화된 것처럼 보이는 실수 입력은 거절
        with pytest.raises(ValueError, match="already_scaled=True"):
            pp.preprocess_images(x)
        return
    out = pp.preprocess_images(x)
    assert out.shape == (x.shape[0], 32, 32, 1)
    assert out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    np.testing.assert_array_equal(pp.crop_padding(out), pp.scale_images(x))
    np.testing.assert_allclose(pp.crop_padding(out) * 255.0, x, atol=1e-4)


@FAST
@given(
    hnp.arrays(
        np.float32,
        st.tuples(st.integers(1, 3), st.integers(1, 12), st.integers(1, 12)),
        elements=st.floats(-1e3, 1e3, width=32),
    ),
    st.integers(0, 4),
)
def test_property_crop_inverts_pad(x, pad):
    padded = pp.pad_images(x, pad)
    assert padded.shape == (x.shape[0], x.shape[1] + 2 * pad, x.shape[2] + 2 * pad)
    assert np.abs(padded).sum() == pytest.approx(np.abs(x).sum(), rel=1e-5)
    np.testing.assert_array_equal(pp.crop_padding(padded, pad), x)


@FAST
@given(hnp.arrays(np.int64, st.integers(1, 60), elements=st.integers(0, 9)))
def test_property_one_hot_argmax_roundtrip(y):
    encoded = pp.encode_labels(y)
    assert encoded.shape == (len(y), 10)
    np.testing.assert_array_equal(encoded.sum(axis=1), 1.0)
    np.testing.assert_array_equal(np.argmax(encoded, axis=1), y)
    np.testing.assert_array_equal(check_labels(encoded), y)


@FAST
@given(st.integers(2, 500), st.floats(0.01, 0.99))
def test_property_split_sizes_follow_keras_formula(n, fraction):
    split_at = math.floor(n * (1.0 - fraction))
    index = np.arange(n)
    if split_at in (0, n):
        with pytest.raises(ValueError, match="한쪽이 비게"):
            pp.train_val_split(index, index, fraction)
        return
    (x_tr, _), (x_val, y_val) = pp.train_val_split(index, index, fraction)
    assert len(x_tr) == split_at and len(x_val) == n - split_at
    np.testing.assert_array_equal(np.concatenate([x_tr, x_val]), index)
    np.testing.assert_array_equal(x_val, y_val)
