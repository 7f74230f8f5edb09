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
