"""lenetlib.augment: 논문의 평면 아핀 왜곡을 Keras 전처리 층으로. (7장)"""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import raises_korean


@pytest.fixture(scope="module")
def images(mnist_small):
    from lenetlib.preprocessing import preprocess_images

    return preprocess_images(mnist_small["x_train"][:64])


def test_block_is_three_keras_layers_without_parameters():
    from lenetlib import augment
    from lenetlib._internal.backend import keras

    block = augment.distortions(seed=1)
    assert [layer.name for layer in block.layers] == list(augment.DISTORTION_NAMES)
    assert isinstance(block.layers[0], keras.layers.RandomTranslation)
    assert isinstance(block.layers[1], keras.layers.RandomZoom)
    assert isinstance(block.layers[2], keras.layers.RandomShear)
    assert all(layer.interpolation == "nearest" for layer in block.layers)  # 획을 흐리지 않음
    zoom = block.layers[1]
    assert (zoom.height_lower, zoom.height_upper) == (-0.08, 0.08)
    assert (zoom.width_lower, zoom.width_upper) == (-0.08, 0.08)  # 가로·세로 배율을 따로 뽑음
    block.build((None, 32, 32, 1))
    assert block.count_params() == 0


def test_training_output_keeps_shape_dtype_and_range_and_changes_images(images):
    from lenetlib import augment

    out = np.asarray(augment.distortions(seed=3)(images, training=True))
    assert out.shape == images.shape and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    moved = np.abs(out - images).reshape(len(images), -1).max(axis=1)
    assert (moved > 0.1).mean() > 0.9  # 거의 모든 이미지가 바뀜


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_zero_magnitude_is_identity(images, interpolation):
    from lenetlib import augment

    block = augment.distortions(0, 0, 0, interpolation=interpolation, seed=3)
    np.testing.assert_allclose(np.asarray(block(images, training=True)), images, atol=1e-6)


def test_nearest_keeps_pixel_values_and_bilinear_blurs(images):
    """가장 가까운 픽셀은 원래 있던 값만 옮기고, 쌍선형 보간은 새 중간값(흐림)을 만듭니다."""
    from lenetlib import augment

    original = set(np.unique(images).tolist())
    sharp = np.asarray(augment.distortions(seed=5)(images, training=True))
    soft = np.asarray(augment.distortions(interpolation="bilinear", seed=5)(images, training=True))
    assert set(np.unique(sharp).tolist()) <= original
    assert len(set(np.unique(soft).tolist()) - original) > 100


def test_same_seed_same_distortions(images):
    from lenetlib import augment

    first = np.asarray(augment.distortions(seed=7)(images, training=True))
    again = np.asarray(augment.distortions(seed=7)(images, training=True))
    other = np.asarray(augment.distortions(seed=8)(images, training=True))
    np.testing.assert_array_equal(first, again)
    assert np.abs(first - other).max() > 0.1


def test_inactive_at_inference(images):
    """model.predict·evaluate는 training=False로 부르므로 왜곡 층이 입력을 그대로 넘깁니다."""
    from lenetlib import augment
    from lenetlib._internal.backend import keras

    net = keras.Sequential([keras.Input((32, 32, 1)), augment.distortions(seed=1)])
    np.testing.assert_array_equal(net.predict(images, verbose=0), images)
    np.testing.assert_array_equal(np.asarray(net(images, training=False)), images)


def test_examples_per_layer_and_together(images):
    from lenetlib import augment

    got = augment.distortion_examples(images[:2], repeats=3)
    assert list(got) == ["원본", *augment.DISTORTION_NAMES.values(), "모두 함께"]
    assert all(v.shape == (6, 32, 32, 1) for v in got.values())
    np.testing.assert_array_equal(got["원본"][:3], np.repeat(images[:1], 3, axis=0))
    assert np.abs(got["모두 함께"] - got["원본"]).max() > 0.1


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"translation": -0.1}, "translation"),
        ({"zoom": 0.9}, "zoom"),
        ({"shear": "큼"}, "shear"),
        ({"seed": -1}, "seed"),
        ({"interpolation": "cubic"}, "interpolation"),
    ],
)
def test_bad_magnitudes_are_korean(kwargs, fragment):
    from lenetlib import augment

    raises_korean(fragment, augment.distortions, **kwargs)


def test_examples_reject_raw_pixels(mnist_small):
    from lenetlib import augment

    raises_korean("32", augment.distortion_examples, mnist_small["x_train"][:2])


def test_saved_model_with_distortions_loads_again(tmp_path, images):
    """Keras 3.15의 RandomShear는 음수 범위를 저장하면 다시 못 불러옵니다: 그 함정을 피했는지."""
    from lenetlib import augment
    from lenetlib._internal.backend import keras

    net = keras.Sequential([keras.Input((32, 32, 1)), augment.distortions(seed=2)])
    net.save(path := tmp_path / "distortions.keras")
    again = keras.saving.load_model(path)
    assert [layer.name for layer in again.layers[0].layers] == list(augment.DISTORTION_NAMES)
    np.testing.assert_array_equal(again.predict(images[:4], verbose=0), images[:4])
