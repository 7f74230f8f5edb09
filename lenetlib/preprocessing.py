"""MNIST 이미지와 레이블을 LeNet-5 입력으로 바꾸는 전처리. (2장 ``02_preprocessing.ipynb``)

정규화 → 패딩(28×28 → 32×32) → 채널 축 → 원-핫. NumPy만 쓰며 TensorFlow를 불러오지 않습니다.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from lenetlib._internal import checks
from lenetlib._internal.constants import IMAGE_SIZE, MAX_PIXEL, NUM_CLASSES, PAD, PADDED_SIZE

__all__ = [
    "IMAGE_SIZE", "MAX_PIXEL", "PAD", "PADDED_SIZE", "PreparedData", "add_channel_axis",
    "crop_padding", "encode_labels", "pad_images", "prepare_mnist",
    "preprocess_images", "scale_images", "train_val_split",
]  # fmt: skip


def scale_images(x: ArrayLike, *, already_scaled: bool = False) -> np.ndarray:
    """0~255 픽셀 ``(N, 28, 28)``을 [0, 1] ``float32``로 정규화합니다 (``x / 255.0``). (2장)

    이미 [0, 1]인 실수 배열은 거절합니다: 그런 데이터라면 ``already_scaled=True``를 주세요.
    """
    arr = checks.check_images(x, "입력 이미지", size=IMAGE_SIZE)
    top = 1.0 if checks.check_bool(already_scaled, "already_scaled") else MAX_PIXEL
    low, high = float(arr.min()), float(arr.max())
    if low < 0 or high > top:
        fix = "already_scaled=False로 부르세요" if already_scaled else "원본 MNIST를 넣으세요"
        raise ValueError(
            f"픽셀 값은 0~{top:g} 범위여야 합니다. 받은 범위: {low:g} ~ {high:g}. "
            f"원시 픽셀(0~255)이라면 {fix}."
        )
    if not already_scaled and arr.dtype.kind == "f" and 0 < high <= 1:
        raise ValueError(
            f"실수 이미지의 최댓값이 {high:g}로 1 이하입니다. 이미 [0, 1]로 정규화된 데이터로 "
            "보이며, 다시 255로 나누면 거의 검은 이미지가 됩니다. 이미 정규화된 데이터라면 "
            "scale_images(x, already_scaled=True)를 쓰세요."
        )
    return arr.astype(np.float32) / np.float32(top)


def _batch(x: ArrayLike, name: str) -> np.ndarray:
    arr = checks.as_numeric(x, name)
    return checks.check_images(arr, name, channel=arr.ndim == 4)


def pad_images(x: ArrayLike, pad: int = PAD) -> np.ndarray:
    """이미지 네 변에 0을 ``pad``칸씩 채웁니다 (28×28 → 32×32, 채널 축이 있어도 됨). (2장)"""
    pad = checks.check_int(pad, "pad", minimum=0, example=PAD)
    arr = _batch(x, "패딩할 이미지")
    widths = [(0, 0), (pad, pad), (pad, pad)] + [(0, 0)] * (arr.ndim - 3)
    return np.pad(arr, widths)


def add_channel_axis(x: ArrayLike) -> np.ndarray:
    """흑백 이미지 ``(N, H, W)``에 채널 축을 더해 ``(N, H, W, 1)``로 만듭니다. (2장)"""
    arr = checks.as_numeric(x, "채널 축을 더할 이미지")
    if arr.ndim == 4 and arr.shape[-1] == 1:
        raise ValueError(
            f"이미 채널 축이 있습니다. 받은 모양: {arr.shape}. 두 번 더하면 (N, H, W, 1, 1)이 "
            "되므로 add_channel_axis()를 다시 호출하지 마세요."
        )
    return checks.check_images(arr, "채널 축을 더할 이미지")[..., np.newaxis].copy()


def preprocess_images(x: ArrayLike, *, already_scaled: bool = False) -> np.ndarray:
    """정규화 + 패딩 + 채널 축: ``(N, 28, 28)`` → ``(N, 32, 32, 1)`` ``float32``. (2장)"""
    return pad_images(scale_images(x, already_scaled=already_scaled))[..., np.newaxis]


def crop_padding(x: ArrayLike, pad: int = PAD) -> np.ndarray:
    """패딩을 잘라 원래 크기 ``(N, 28, 28)``로 되돌립니다 (보여 주기용). (2장)"""
    pad = checks.check_int(pad, "pad", minimum=0, example=PAD)
    arr = _batch(x, "패딩을 자를 이미지")
    arr = arr[..., 0] if arr.ndim == 4 else arr
    height, width = arr.shape[1:]
    if min(height, width) <= 2 * pad:
        raise ValueError(
            f"이미지({height}×{width})가 너무 작아 네 변에서 {pad}칸씩 자를 수 없습니다. "
            f"받은 모양: {arr.shape}. pad 값을 줄이거나 패딩된 이미지를 넣으세요."
        )
    return arr[:, pad : height - pad, pad : width - pad].copy()


def encode_labels(
    y: ArrayLike, *, one_hot: bool = True, num_classes: int = NUM_CLASSES
) -> np.ndarray:
    """숫자 레이블을 원-핫 ``float32 (N, 10)``(또는 정수 ``int64 (N,)``)로 바꿉니다. (2장)

    ``keras.utils.to_categorical(y, 10)``과 같은 값입니다. 원-핫을 넣으면 같은 원-핫이 나옵니다.
    """
    labels = checks.check_labels(y)
    least = int(labels.max()) + 1 if labels.size else 1
    num_classes = checks.check_int(num_classes, "num_classes", minimum=least, example=NUM_CLASSES)
    if not checks.check_bool(one_hot, "one_hot"):
        return labels
    return np.eye(num_classes, dtype=np.float32)[labels]


def train_val_split(
    x: ArrayLike, y: ArrayLike, val_fraction: float = 0.1, *, shuffle: bool = False, seed: int = 42
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """훈련·검증 세트로 나눕니다: 기본은 Keras ``validation_split``처럼 마지막 10%. (2장)

    나누는 위치는 ``floor(N × (1 - val_fraction))``, ``shuffle=True``면 ``seed``로 섞은 뒤.
    """
    fraction = checks.check_float(
        val_fraction, "val_fraction", low=0, high=1, open_low=True, open_high=True,
        hint="예: val_fraction=0.1 (마지막 10%를 검증 세트로 사용)",
    )  # fmt: skip
    x_arr, y_arr = np.atleast_1d(x), np.atleast_1d(y)
    n = checks.check_same_length(이미지=x_arr, 레이블=y_arr)
    split_at = math.floor(n * (1.0 - fraction))
    if split_at in (0, n):
        raise ValueError(
            f"샘플 {n}개를 val_fraction={fraction:g}로 나누면 한쪽이 비게 됩니다. "
            "데이터를 늘리거나 val_fraction을 바꾸세요."
        )
    if checks.check_bool(shuffle, "shuffle"):
        order = np.random.default_rng(checks.check_seed(seed)).permutation(n)
        x_arr, y_arr = x_arr[order], y_arr[order]
    return (x_arr[:split_at], y_arr[:split_at]), (x_arr[split_at:], y_arr[split_at:])


@dataclass(frozen=True)
class PreparedData:
    """전처리한 훈련·검증·테스트 세트 (이미지 ``(N, 32, 32, 1)``, 레이블). (2장)"""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def __post_init__(self) -> None:
        for name, x, y in self._sets():
            checks.check_same_length(**{f"{name} 이미지": x, f"{name} 레이블": y})

    def _sets(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        splits = (("훈련", "train"), ("검증", "val"), ("테스트", "test"))
        return [(name, getattr(self, f"x_{s}"), getattr(self, f"y_{s}")) for name, s in splits]

    @property
    def one_hot(self) -> bool:
        """레이블이 원-핫 ``(N, 10)``이면 ``True``."""
        return self.y_train.ndim == 2

    @property
    def input_shape(self) -> tuple[int, ...]:
        """모델 입력 모양 (보통 ``(32, 32, 1)``)."""
        return tuple(int(d) for d in self.x_train.shape[1:])

    def summary(self) -> pd.DataFrame:
        """세트별 모양, 개수, 픽셀 범위를 표로 돌려줍니다. (2장)"""
        return pd.DataFrame(
            {"세트": name, "이미지 모양": x.shape, "레이블 모양": y.shape, "개수": len(x),
             "픽셀 최솟값": float(x.min()), "픽셀 최댓값": float(x.max())}
            for name, x, y in self._sets()
        )  # fmt: skip


def prepare_mnist(
    train: tuple[ArrayLike, ArrayLike],
    test: tuple[ArrayLike, ArrayLike],
    *,
    val_fraction: float = 0.1,
    one_hot: bool = True,
    train_limit: int | None = None,
) -> PreparedData:
    """``load_mnist()``의 train, test를 한 번에 LeNet-5 입력으로 준비합니다. (2장)

    검증 세트는 훈련 세트의 마지막 ``val_fraction``. ``train_limit``: 훈련 이미지 앞 몇 장만 씀.
    """
    try:
        (x_train, y_train), (x_test, y_test) = train, test
    except (TypeError, ValueError):
        raise ValueError(
            "train, test 인자는 각각 (이미지, 레이블) 두 개짜리 튜플이어야 합니다. 받은 형식: "
            f"{type(train).__name__}, {type(test).__name__}. "
            "data.load_mnist()가 돌려준 train, test를 그대로 넣으세요."
        ) from None
    if train_limit is not None:
        limit = checks.check_int(train_limit, "train_limit", minimum=2, example=1000)
        x_train, y_train = x_train[:limit], y_train[:limit]
    (x_tr, y_tr), (x_val, y_val) = train_val_split(x_train, y_train, val_fraction)
    ys = [encode_labels(y, one_hot=one_hot) for y in (y_tr, y_val, y_test)]  # 빠른 검사 먼저
    xs = [preprocess_images(x) for x in (x_tr, x_val, x_test)]
    return PreparedData(xs[0], ys[0], xs[1], ys[1], xs[2], ys[2])
