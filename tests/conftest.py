"""공용 픽스처: 검증된 실제 MNIST (전체와 작은 부분 집합)."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import pytest

from lenetlib.data import load_mnist

N_TRAIN_SMALL = 2000
N_TEST_SMALL = 500


@pytest.fixture(scope="session")
def mnist():
    """``load_mnist()``가 돌려주는 전체 MNIST (네트워크 없이 캐시에서)."""
    return load_mnist(allow_download=False)


@pytest.fixture(scope="session")
def mnist_small(mnist) -> dict[str, np.ndarray]:
    """실제 MNIST의 앞부분: 훈련 2,000장, 테스트 500장 (읽기 전용 사본)."""
    (x_train, y_train), (x_test, y_test) = mnist
    small = {
        "x_train": x_train[:N_TRAIN_SMALL].copy(),
        "y_train": y_train[:N_TRAIN_SMALL].copy(),
        "x_test": x_test[:N_TEST_SMALL].copy(),
        "y_test": y_test[:N_TEST_SMALL].copy(),
    }
    for array in small.values():
        array.setflags(write=False)
    return small


def prepare_small(mnist_small: dict[str, np.ndarray], train_limit: int):
    """``mnist_small``을 2장의 ``prepare_mnist``로 준비합니다 (훈련 앞 ``train_limit``장)."""
    from lenetlib.preprocessing import prepare_mnist

    train = (mnist_small["x_train"], mnist_small["y_train"])
    return prepare_mnist(
        train, (mnist_small["x_test"], mnist_small["y_test"]), train_limit=train_limit
    )


def train_small(data, *, seed: int, epochs: int):
    """작은 LeNet-5를 Keras ``compile``/``fit``으로 훈련해 (모델, Keras History)를 돌려줍니다."""
    from lenetlib._internal.backend import keras
    from lenetlib.model import build_lenet5

    keras.utils.set_random_seed(seed)
    model = build_lenet5()
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    fit = model.fit(data.x_train, data.y_train, epochs=epochs, batch_size=64, verbose=0)
    return model, fit


@pytest.fixture(scope="session")
def lenet5():
    """훈련하지 않은 강의용 LeNet-5."""
    from lenetlib.model import build_lenet5

    return build_lenet5()


@pytest.fixture(scope="session")
def classic():
    """훈련하지 않은 논문판 LeNet-5 (시드 0)."""
    from lenetlib._internal.backend import keras
    from lenetlib.model import build_lenet5_classic

    keras.utils.set_random_seed(0)
    return build_lenet5_classic()


def raises_korean(fragment: str, func, *args, nouns=(), **kwargs) -> str:
    """한국어 ValueError가 나고 ``fragment``가 있으며 ``nouns`` 뒤의 조사가 맞는지 확인합니다."""
    import re

    with pytest.raises(ValueError, match=fragment) as info:
        func(*args, **kwargs)
    message = str(info.value)
    assert re.search("[가-힣]", message), message
    for noun in nouns:
        has_final = (ord(noun[-1]) - 0xAC00) % 28 != 0
        for particle in ("는", "가", "를") if has_final else ("은", "이 ", "을"):
            assert noun + particle not in message, message
    return message
