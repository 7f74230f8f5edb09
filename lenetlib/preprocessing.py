"""MNIST 이미지를 LeNet-5 입력으로 바꾸는 전처리. (2장 ``02_preprocessing.ipynb``)

원래 노트북의 전처리 네 단계를 각각 함수 하나로 나누었습니다.

1. :func:`scale_images` — 0~255 정수 픽셀을 [0, 1] ``float32``로 정규화
2. :func:`pad_images` — 28×28 이미지를 둘레에 0을 2칸씩 채워 32×32로 확장
3. :func:`add_channel_axis` — 흑백 채널 축을 더해 ``(N, 32, 32, 1)``로 변환
4. :func:`encode_labels` — 레이블을 원-핫 벡터(또는 정수 그대로)로 변환

:func:`preprocess_images`는 1~3단계를 한 번에, :func:`prepare_mnist`는 훈련/검증/테스트
세트 전체를 한 번에 만들어 :class:`PreparedData`로 돌려줍니다. 모든 함수는 NumPy 배열을
받아 NumPy 배열을 돌려주며(``tf.Tensor``를 돌려주지 않음) TensorFlow를 불러오지 않습니다.

정규화 규칙 (조용히 틀린 결과를 막기 위한 약속)
-------------------------------------------------
:func:`scale_images`는 **원시 픽셀(0~255)** 만 받습니다. 실수형 배열의 최댓값이
0보다 크고 1 이하이면 이미 정규화된 데이터를 한 번 더 255로 나누는 실수일 가능성이 높으므로
오류를 냅니다. 이미 [0, 1]로 정규화된 데이터라면 ``already_scaled=True``를 주세요.
정수형 배열(``uint8`` 등)은 항상 원시 픽셀로 봅니다.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from lenetlib._korean import topic
from lenetlib.data import NUM_CLASSES

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "IMAGE_SIZE",
    "PAD",
    "PADDED_SIZE",
    "PreparedData",
    "add_channel_axis",
    "crop_padding",
    "encode_labels",
    "labels_of",
    "pad_images",
    "prepare_mnist",
    "preprocess_images",
    "scale_images",
    "train_val_split",
]

#: MNIST 원본 이미지의 한 변 크기
IMAGE_SIZE = 28
#: LeNet-5 입력을 만들 때 네 변에 채우는 0의 칸 수
PAD = 2
#: 패딩 뒤 한 변 크기 (LeNet-5 논문의 32×32 입력)
PADDED_SIZE = IMAGE_SIZE + 2 * PAD
#: 원시 픽셀의 최댓값
MAX_PIXEL = 255.0


# ---------------------------------------------------------------------------
# 내부 검사 도우미
# ---------------------------------------------------------------------------
def _as_numeric_array(x: ArrayLike, what: str) -> np.ndarray:
    """배열로 바꾸고 숫자형(정수/실수)인지 확인합니다. bool, 복소수, 문자열, 객체는 거절."""
    arr = np.asarray(x)
    kind = arr.dtype.kind
    if kind not in "iuf":
        raise ValueError(
            f"{topic(what)} 정수나 실수 배열이어야 합니다. 받은 dtype: {arr.dtype}. "
            "숫자 배열로 바꾼 뒤 다시 호출하세요 (예: np.asarray(x, dtype=np.uint8))."
        )
    return arr


def _check_no_nan(arr: np.ndarray, what: str) -> None:
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        count = int(np.isnan(arr).sum())
        raise ValueError(
            f"{what}에 NaN(숫자가 아닌 값)이 {count}개 있습니다. "
            "데이터를 불러오거나 계산한 과정을 확인하고 NaN을 없앤 뒤 다시 호출하세요."
        )


def _check_image_batch(arr: np.ndarray, what: str, size: int | None = IMAGE_SIZE) -> None:
    """``(N, size, size)`` 모양인지 확인합니다 (``size=None``이면 크기는 검사하지 않음)."""
    if arr.ndim != 3:
        hint = (
            "한 장이라면 x[None]을 쓰세요."
            if arr.ndim == 2
            else "채널 축이 있다면 x[..., 0]으로 없애세요."
            if arr.ndim == 4 and arr.shape[-1] == 1
            else "(이미지 수, 높이, 너비) 모양으로 바꾸세요."
        )
        expected = f"(N, {size}, {size})" if size is not None else "(N, 높이, 너비)"
        raise ValueError(
            f"{topic(what)} {expected} 모양의 3차원 배열이어야 합니다. "
            f"받은 모양: {arr.shape}. {hint}"
        )
    if size is not None and arr.shape[1:] != (size, size):
        raise ValueError(
            f"{what}의 한 장 크기는 {size}×{size}이어야 합니다. 받은 모양: {arr.shape}. "
            "MNIST 원본(28×28) 이미지를 넣었는지 확인하세요. 이미 패딩한 32×32 이미지라면 "
            "crop_padding()으로 되돌릴 수 있습니다."
        )
    if arr.shape[0] == 0:
        raise ValueError(
            f"{what}에 이미지가 한 장도 없습니다. 받은 모양: {arr.shape}. "
            "데이터를 제대로 불러왔는지 확인하세요."
        )


def _check_int_param(value: object, name: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(
            f"{topic(name)} {minimum} 이상의 정수여야 합니다. 받은 값: {value!r}. "
            f"예: {name}={max(minimum, 2)}"
        )
    return int(value)


# ---------------------------------------------------------------------------
# 1~3단계: 이미지
# ---------------------------------------------------------------------------
def scale_images(x: ArrayLike, *, already_scaled: bool = False) -> np.ndarray:
    """이미지를 [0, 1] ``float32``로 정규화합니다. (2장 ``02_preprocessing.ipynb``)

    원래 노트북의 ``x.astype('float32') / 255.0``과 같은 값을 돌려줍니다.

    Parameters
    ----------
    x : array_like, shape (N, 28, 28)
        원시 픽셀(0~255). 정수형 또는 실수형.
    already_scaled : bool, default False
        ``True``이면 ``x``가 이미 [0, 1]로 정규화되었다고 보고 255로 나누지 않습니다
        (범위만 확인하고 ``float32``로 바꿉니다).

    Returns
    -------
    np.ndarray, shape (N, 28, 28), float32
        [0, 1] 범위의 새 배열 (입력은 바뀌지 않음).

    Raises
    ------
    ValueError
        모양이 ``(N, 28, 28)``이 아니거나, 숫자형이 아니거나, NaN이 있거나, 값이 0~255
        (``already_scaled=True``이면 0~1) 밖이거나, 실수형 입력이 이미 정규화된 것처럼
        보일 때 (최댓값이 0보다 크고 1 이하).
    """
    arr = _as_numeric_array(x, "입력 이미지")
    _check_image_batch(arr, "입력 이미지")
    _check_no_nan(arr, "입력 이미지")
    lo, hi = float(arr.min()), float(arr.max())
    if already_scaled:
        if lo < 0.0 or hi > 1.0:
            raise ValueError(
                "already_scaled=True이면 픽셀 값이 0~1 범위여야 합니다. "
                f"받은 범위: {lo:g} ~ {hi:g}. 원시 픽셀(0~255)이라면 already_scaled=False로 "
                "호출하세요."
            )
        return arr.astype(np.float32, copy=True)
    if lo < 0.0 or hi > MAX_PIXEL:
        raise ValueError(
            f"원시 픽셀 값은 0~255 범위여야 합니다. 받은 범위: {lo:g} ~ {hi:g}. "
            "다른 전처리(예: 평균 빼기)를 거친 데이터인지 확인하고 원본 MNIST를 넣으세요."
        )
    if arr.dtype.kind == "f" and 0.0 < hi <= 1.0:
        raise ValueError(
            f"실수형 이미지의 최댓값이 {hi:g}로 1 이하입니다. 이미 [0, 1]로 정규화된 데이터로 "
            "보이며, 다시 255로 나누면 거의 검은 이미지가 됩니다. 이미 정규화된 데이터라면 "
            "scale_images(x, already_scaled=True)를 쓰세요."
        )
    return (arr.astype(np.float32) / np.float32(MAX_PIXEL)).astype(np.float32, copy=False)


def pad_images(x: ArrayLike, pad: int = PAD) -> np.ndarray:
    """이미지 둘레에 0을 ``pad``칸씩 채웁니다 (28×28 → 32×32). (2장 ``02_preprocessing.ipynb``)

    원래 노트북의 ``tf.pad(x, [[0, 0], [2, 2], [2, 2]])``와 같은 값을 NumPy로 만듭니다.
    값의 범위는 검사하지 않으므로 원시 이미지와 정규화된 이미지 모두 쓸 수 있습니다.

    Parameters
    ----------
    x : array_like, shape (N, H, W) 또는 (N, H, W, C)
        숫자형 이미지 묶음. 4차원이면 높이·너비 축만 채웁니다.
    pad : int, default 2
        한 변에 채울 칸 수 (0 이상).

    Returns
    -------
    np.ndarray, shape (N, H+2·pad, W+2·pad[, C])
        입력과 같은 dtype의 새 배열. 가운데는 입력과 같고 테두리는 0입니다.

    Raises
    ------
    ValueError
        3차원/4차원이 아니거나, 숫자형이 아니거나, NaN이 있거나, ``pad``가 음수일 때.
    """
    pad = _check_int_param(pad, "pad", minimum=0)
    arr = _as_numeric_array(x, "패딩할 이미지")
    if arr.ndim not in (3, 4):
        hint = "한 장이라면 x[None]을 쓰세요." if arr.ndim == 2 else ""
        raise ValueError(
            "패딩할 이미지는 (N, 높이, 너비) 또는 (N, 높이, 너비, 채널) 모양이어야 합니다. "
            f"받은 모양: {arr.shape}. {hint}".rstrip()
        )
    _check_no_nan(arr, "패딩할 이미지")
    widths = [(0, 0), (pad, pad), (pad, pad)] + [(0, 0)] * (arr.ndim - 3)
    return np.pad(arr, widths, mode="constant", constant_values=0)


def add_channel_axis(x: ArrayLike) -> np.ndarray:
    """흑백 이미지에 채널 축(크기 1)을 맨 뒤에 더합니다. (2장 ``02_preprocessing.ipynb``)

    원래 노트북의 ``tf.expand_dims(x, axis=-1)``과 같습니다. Keras ``Conv2D``는
    ``(N, 높이, 너비, 채널)`` 모양을 기대하기 때문입니다.

    Parameters
    ----------
    x : array_like, shape (N, H, W)
        숫자형 이미지 묶음 (값의 범위는 검사하지 않음).

    Returns
    -------
    np.ndarray, shape (N, H, W, 1)
        입력과 같은 dtype.

    Raises
    ------
    ValueError
        3차원이 아니거나(이미 채널 축이 있는 4차원 포함), 숫자형이 아니거나, NaN이 있을 때.
    """
    arr = _as_numeric_array(x, "채널 축을 더할 이미지")
    if arr.ndim == 4 and arr.shape[-1] == 1:
        raise ValueError(
            f"이미 채널 축이 있습니다. 받은 모양: {arr.shape}. 두 번 더하면 (N, H, W, 1, 1)이 "
            "되므로 add_channel_axis()를 다시 호출하지 마세요."
        )
    _check_image_batch(arr, "채널 축을 더할 이미지", size=None)
    _check_no_nan(arr, "채널 축을 더할 이미지")
    return arr[..., np.newaxis].copy()


def preprocess_images(x: ArrayLike, *, already_scaled: bool = False) -> np.ndarray:
    """정규화 + 패딩 + 채널 축 추가를 한 번에 합니다. (2장 ``02_preprocessing.ipynb``)

    Parameters
    ----------
    x : array_like, shape (N, 28, 28)
        원시 픽셀(0~255, 정수형 또는 실수형). 이미 [0, 1]로 정규화되었다면
        ``already_scaled=True``.
    already_scaled : bool, default False
        :func:`scale_images`에 그대로 전달됩니다.

    Returns
    -------
    np.ndarray, shape (N, 32, 32, 1), float32
        값은 [0, 1], 테두리 2칸은 0.

    Raises
    ------
    ValueError
        :func:`scale_images`와 같은 경우 (모양, dtype, 범위, NaN, 이미 정규화된 입력).
    """
    padded = pad_images(scale_images(x, already_scaled=already_scaled), PAD)
    # padded는 방금 만든 배열이므로 복사하지 않고 채널 축만 더합니다 (메모리 절약).
    return padded[..., np.newaxis]


def crop_padding(x: ArrayLike, pad: int = PAD) -> np.ndarray:
    """패딩을 잘라 원래 크기로 되돌립니다 (보여 주기용). (2장 ``02_preprocessing.ipynb``)

    :func:`pad_images`의 역연산입니다. 원래 노트북의 ``img.squeeze()[2:30, 2:30]``.

    Parameters
    ----------
    x : array_like, shape (N, H, W) 또는 (N, H, W, 1)
        패딩된 이미지 묶음 (보통 ``(N, 32, 32, 1)``).
    pad : int, default 2
        한 변에서 잘라 낼 칸 수.

    Returns
    -------
    np.ndarray, shape (N, H-2·pad, W-2·pad)
        채널 축이 없는 새 배열 (입력과 같은 dtype).

    Raises
    ------
    ValueError
        모양이 맞지 않거나(채널이 1이 아닌 4차원 포함), 잘라 낼 칸이 이미지보다 크거나,
        숫자형이 아닐 때.
    """
    pad = _check_int_param(pad, "pad", minimum=0)
    arr = _as_numeric_array(x, "패딩을 자를 이미지")
    if arr.ndim == 4 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim != 3:
        raise ValueError(
            "패딩을 자를 이미지는 (N, 32, 32) 또는 (N, 32, 32, 1) 모양이어야 합니다. "
            f"받은 모양: {arr.shape}. 한 장이라면 x[None]을 쓰세요."
        )
    height, width = arr.shape[1:]
    if height <= 2 * pad or width <= 2 * pad:
        raise ValueError(
            f"이미지({height}×{width})가 너무 작아 네 변에서 {pad}칸씩 자를 수 없습니다. "
            f"받은 모양: {np.shape(x)}. pad 값을 줄이거나 패딩된 이미지를 넣으세요."
        )
    return arr[:, pad : height - pad, pad : width - pad].copy()


# ---------------------------------------------------------------------------
# 4단계: 레이블
# ---------------------------------------------------------------------------
def _check_label_vector(y: ArrayLike, num_classes: int, what: str) -> np.ndarray:
    """정수 레이블 벡터 ``(N,)``를 검사해 ``int64``로 돌려줍니다."""
    arr = _as_numeric_array(y, what)
    if arr.ndim != 1:
        hint = (
            "이미 원-핫 인코딩된 레이블이라면 labels_of(y)로 정수 레이블을 얻으세요."
            if arr.ndim == 2
            else "1차원 배열로 바꾸세요 (예: y.reshape(-1))."
        )
        raise ValueError(
            f"{topic(what)} (N,) 모양의 1차원 정수 배열이어야 합니다. "
            f"받은 모양: {arr.shape}. {hint}"
        )
    if arr.dtype.kind == "f":
        _check_no_nan(arr, what)
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            bad = arr[~np.isfinite(arr) | (arr != np.round(arr))][:5]
            raise ValueError(
                f"{topic(what)} 정수여야 합니다. 정수가 아닌 값: {bad.tolist()}. "
                "확률이나 원-핫 벡터가 아닌 숫자 레이블(0~9)을 넣으세요."
            )
    if arr.size and (arr.min() < 0 or arr.max() >= num_classes):
        bad = np.unique(arr[(arr < 0) | (arr >= num_classes)])[:5]
        raise ValueError(
            f"{topic(what)} 0~{num_classes - 1} 범위여야 합니다. 범위를 벗어난 값: "
            f"{bad.tolist()}. 데이터와 num_classes({num_classes})를 확인하세요."
        )
    return arr.astype(np.int64)


def encode_labels(
    y: ArrayLike, *, one_hot: bool = True, num_classes: int = NUM_CLASSES
) -> np.ndarray:
    """숫자 레이블을 원-핫 벡터(또는 정수)로 바꿉니다. (2장 ``02_preprocessing.ipynb``)

    ``one_hot=True``이면 원래 노트북의 ``keras.utils.to_categorical(y, 10)``과 같은 값입니다.

    Parameters
    ----------
    y : array_like, shape (N,)
        0~9 정수 레이블 (정수값인 실수도 허용).
    one_hot : bool, default True
        ``True``: 원-핫 ``float32 (N, num_classes)`` (손실 ``categorical_crossentropy``).
        ``False``: 정수 ``int64 (N,)`` (손실 ``sparse_categorical_crossentropy``).
    num_classes : int, default 10
        클래스 수.

    Returns
    -------
    np.ndarray
        ``float32 (N, num_classes)`` 또는 ``int64 (N,)``.

    Raises
    ------
    ValueError
        1차원이 아니거나, 정수가 아니거나, 0~9 범위를 벗어나거나, NaN이 있을 때.
    """
    num_classes = _check_int_param(num_classes, "num_classes", minimum=2)
    labels = _check_label_vector(y, num_classes, "레이블")
    if not one_hot:
        return labels
    encoded = np.zeros((labels.shape[0], num_classes), dtype=np.float32)
    encoded[np.arange(labels.shape[0]), labels] = 1.0
    return encoded


def labels_of(y: ArrayLike) -> np.ndarray:
    """원-핫이든 정수든 정수 레이블 ``int64 (N,)``를 돌려줍니다. (2장 ``02_preprocessing.ipynb``)

    원-핫(또는 확률) ``(N, C)``이면 ``argmax``를, 정수 ``(N,)``이면 검사 후 그대로 돌려줍니다.

    Parameters
    ----------
    y : array_like, shape (N, C) 또는 (N,)
        원-핫/확률 행렬 (각 행의 값은 0~1, 합은 1) 또는 0~9 정수 레이블.

    Returns
    -------
    np.ndarray, shape (N,), int64

    Raises
    ------
    ValueError
        모양이 1·2차원이 아니거나, 숫자형이 아니거나, NaN이 있거나, 원-핫 행이 0~1 범위가
        아니거나 합이 1이 아닐 때(예: 모두 0인 행), 정수 레이블이 0~9 밖일 때.
    """
    arr = _as_numeric_array(y, "레이블")
    if arr.ndim == 1:
        return _check_label_vector(arr, NUM_CLASSES, "레이블")
    if arr.ndim != 2:
        raise ValueError(
            "레이블은 (N,) 정수 배열이나 (N, 10) 원-핫 배열이어야 합니다. "
            f"받은 모양: {arr.shape}. 모양을 확인하세요."
        )
    _check_no_nan(arr, "원-핫 레이블")
    if arr.size == 0:
        return np.zeros((arr.shape[0],), dtype=np.int64)
    if arr.min() < 0 or arr.max() > 1:
        raise ValueError(
            "원-핫 레이블의 값은 0~1 범위여야 합니다. "
            f"받은 범위: {float(arr.min()):g} ~ {float(arr.max()):g}. "
            "로짓(logit)이라면 softmax를 적용한 뒤 넣으세요."
        )
    sums = arr.sum(axis=1, dtype=np.float64)
    bad = np.flatnonzero(np.abs(sums - 1.0) > 1e-3)
    if bad.size:
        raise ValueError(
            "원-핫 레이블의 각 행은 합이 1이어야 합니다. "
            f"합이 1이 아닌 행 {bad.size}개 (처음 몇 개의 번호: {bad[:5].tolist()}, "
            f"합: {np.round(sums[bad[:5]], 4).tolist()}). 모두 0인 행이 없는지 확인하세요."
        )
    return np.argmax(arr, axis=1).astype(np.int64)


# ---------------------------------------------------------------------------
# 훈련/검증 나누기
# ---------------------------------------------------------------------------
def _check_fraction(val_fraction: object) -> float:
    if (
        isinstance(val_fraction, bool)
        or not isinstance(val_fraction, (int, float, np.floating, np.integer))
        or not 0.0 < float(val_fraction) < 1.0
    ):
        raise ValueError(
            f"val_fraction은 0과 1 사이(양 끝 제외)의 실수여야 합니다. 받은 값: {val_fraction!r}. "
            "예: val_fraction=0.1 (마지막 10%를 검증 세트로 사용)"
        )
    return float(val_fraction)


def train_val_split(
    x: ArrayLike,
    y: ArrayLike,
    val_fraction: float = 0.1,
    *,
    shuffle: bool = False,
    seed: int = 42,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """훈련 세트와 검증 세트로 결정적으로 나눕니다. (2장 ``02_preprocessing.ipynb``)

    기본값은 ``model.fit(..., validation_split=0.1)``과 똑같이 **섞지 않고 마지막 10%** 를
    검증 세트로 씁니다. 나누는 위치는 Keras와 같은
    ``floor(N × (1 - val_fraction))``입니다 (N=60,000이면 54,000 / 6,000).

    Parameters
    ----------
    x, y : array_like
        길이(첫 축)가 같은 이미지와 레이블 (원-핫이어도 됨).
    val_fraction : float, default 0.1
        검증 세트 비율, 0과 1 사이 (양 끝 제외).
    shuffle : bool, default False
        ``True``이면 ``seed``로 순서를 섞은 뒤 나눕니다 (Keras ``validation_split``과 다름).
    seed : int, default 42
        ``shuffle=True``일 때의 난수 시드.

    Returns
    -------
    ((x_train, y_train), (x_val, y_val))
        NumPy 배열 네 개. ``shuffle=False``이면 입력을 복사하지 않은 슬라이스(뷰)입니다.

    Raises
    ------
    ValueError
        길이가 다르거나, ``val_fraction``이 (0, 1) 밖이거나, 나눈 한쪽이 비게 될 때.
    """
    fraction = _check_fraction(val_fraction)
    x_arr, y_arr = np.asarray(x), np.asarray(y)
    if x_arr.ndim == 0 or y_arr.ndim == 0:
        raise ValueError(
            "x와 y는 첫 축이 샘플 수인 배열이어야 합니다. "
            f"받은 모양: x {x_arr.shape}, y {y_arr.shape}."
        )
    if len(x_arr) != len(y_arr):
        raise ValueError(
            f"이미지와 레이블의 개수가 다릅니다. 이미지 {len(x_arr)}개, 레이블 {len(y_arr)}개. "
            "같은 데이터에서 나온 x와 y를 넣었는지 확인하세요."
        )
    n = len(x_arr)
    split_at = math.floor(n * (1.0 - fraction))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"샘플 {n}개를 val_fraction={fraction:g}로 나누면 한쪽이 비게 됩니다. "
            "데이터를 늘리거나 val_fraction을 바꾸세요."
        )
    if shuffle:
        seed = _check_int_param(seed, "seed", minimum=0)
        order = np.random.default_rng(seed).permutation(n)
        x_arr, y_arr = x_arr[order], y_arr[order]
    return (x_arr[:split_at], y_arr[:split_at]), (x_arr[split_at:], y_arr[split_at:])


# ---------------------------------------------------------------------------
# 한 번에 준비하기
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PreparedData:
    """훈련·검증·테스트 세트를 한데 묶은 결과. (2장 ``02_preprocessing.ipynb``)

    Attributes
    ----------
    x_train, x_val, x_test : np.ndarray, shape (N, 32, 32, 1), float32
        전처리된 이미지.
    y_train, y_val, y_test : np.ndarray
        원-핫 ``float32 (N, 10)`` 또는 정수 ``int64 (N,)``. 정수 레이블은
        :func:`labels_of`로 얻습니다.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def __post_init__(self) -> None:
        for split in ("train", "val", "test"):
            x, y = getattr(self, f"x_{split}"), getattr(self, f"y_{split}")
            if len(x) != len(y):
                raise ValueError(
                    f"{split} 세트의 이미지({len(x)}개)와 레이블({len(y)}개) 개수가 다릅니다. "
                    "prepare_mnist()로 만드세요."
                )

    @property
    def one_hot(self) -> bool:
        """레이블이 원-핫 ``(N, 10)``이면 ``True``."""
        return self.y_train.ndim == 2

    @property
    def input_shape(self) -> tuple[int, ...]:
        """모델 입력 모양 (보통 ``(32, 32, 1)``)."""
        return tuple(int(d) for d in self.x_train.shape[1:])

    def summary(self) -> pd.DataFrame:
        """세트별 모양과 개수를 표로 돌려줍니다. (2장 ``02_preprocessing.ipynb``)

        Returns
        -------
        pandas.DataFrame
            열: ``세트``, ``이미지 모양``, ``레이블 모양``, ``개수``,
            ``픽셀 최솟값``, ``픽셀 최댓값``.
        """
        import pandas as pd

        rows = []
        for name, split in (("훈련", "train"), ("검증", "val"), ("테스트", "test")):
            x, y = getattr(self, f"x_{split}"), getattr(self, f"y_{split}")
            rows.append(
                {
                    "세트": name,
                    "이미지 모양": tuple(int(d) for d in x.shape),
                    "레이블 모양": tuple(int(d) for d in y.shape),
                    "개수": len(x),
                    "픽셀 최솟값": float(x.min()),
                    "픽셀 최댓값": float(x.max()),
                }
            )
        return pd.DataFrame(rows)


def _check_split_pair(pair: object, name: str) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        raise ValueError(
            f"{topic(name)} (이미지, 레이블) 두 개짜리 튜플이어야 합니다. "
            f"받은 값의 종류: {type(pair).__name__}. "
            "(x_train, y_train), (x_test, y_test) = load_mnist() 결과를 그대로 넣으세요."
        )
    x, y = np.asarray(pair[0]), np.asarray(pair[1])
    if x.ndim == 0 or y.ndim == 0 or len(x) != len(y):
        raise ValueError(
            f"{name}의 이미지와 레이블 개수가 다릅니다. 받은 모양: 이미지 {x.shape}, "
            f"레이블 {y.shape}. 같은 세트에서 나온 x와 y를 넣으세요."
        )
    return x, y


def prepare_mnist(
    train: tuple[ArrayLike, ArrayLike],
    test: tuple[ArrayLike, ArrayLike],
    *,
    val_fraction: float = 0.1,
    one_hot: bool = True,
    train_limit: int | None = None,
) -> PreparedData:
    """MNIST 전체를 LeNet-5 입력으로 준비합니다. (2장 ``02_preprocessing.ipynb``)

    순서: (``train_limit``만큼 앞부분 남기기) → 이미지 전처리 → 레이블 인코딩 →
    훈련 세트의 마지막 ``val_fraction``을 검증 세트로 분리 (Keras ``validation_split``과 같음).

    Parameters
    ----------
    train, test : tuple
        ``load_mnist()``가 돌려준 ``(x_train, y_train)``, ``(x_test, y_test)``.
        이미지는 원시 픽셀(0~255), 레이블은 0~9 정수.
    val_fraction : float, default 0.1
        훈련 세트에서 검증 세트로 떼어 낼 비율 (0과 1 사이).
    one_hot : bool, default True
        레이블을 원-핫 ``float32 (N, 10)``으로 만들지 (``False``이면 ``int64 (N,)``).
    train_limit : int or None, default None
        빠른 실행을 위해 훈련 이미지 앞 ``train_limit``장만 씁니다 (나누기 전에 적용).
        데이터보다 크면 전부 씁니다. ``None``이면 전부.

    Returns
    -------
    PreparedData

    Raises
    ------
    ValueError
        입력 튜플이 잘못되었거나, 전처리/레이블/나누기 검사 중 하나라도 실패할 때.
    """
    fraction = _check_fraction(val_fraction)
    x_train, y_train = _check_split_pair(train, "train")
    x_test, y_test = _check_split_pair(test, "test")
    if train_limit is not None:
        limit = _check_int_param(train_limit, "train_limit", minimum=2)
        x_train, y_train = x_train[:limit], y_train[:limit]
    x_train_p = preprocess_images(x_train)
    x_test_p = preprocess_images(x_test)
    y_train_e = encode_labels(y_train, one_hot=one_hot)
    y_test_e = encode_labels(y_test, one_hot=one_hot)
    (x_tr, y_tr), (x_val, y_val) = train_val_split(x_train_p, y_train_e, fraction)
    return PreparedData(
        x_train=x_tr,
        y_train=y_tr,
        x_val=x_val,
        y_val=y_val,
        x_test=x_test_p,
        y_test=y_test_e,
    )
