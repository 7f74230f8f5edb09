"""내 손글씨를 MNIST처럼: 그림·배열·캔버스 획 → 28×28 → 모델 입력. (8장 ``08_handwriting.ipynb``)

MNIST를 만든 순서 그대로: 회색조 → (밝은 배경이면) 반전 → 잉크의 경계 상자로 자르기 →
비율을 지켜 20×20 안에 맞추기(안티에일리어싱) → 무게중심을 28×28의 가운데로. 마지막 정규화와
패딩은 2장의 :func:`lenetlib.preprocessing.preprocess_images` 그대로입니다. TensorFlow 없이.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageOps, UnidentifiedImageError
from scipy import ndimage

from lenetlib._internal import checks
from lenetlib._internal.constants import IMAGE_SIZE, MAX_PIXEL
from lenetlib._internal.korean import topic
from lenetlib.preprocessing import preprocess_images

__all__ = [
    "BOX_SIZE", "MAX_PIXELS", "MIN_CONTRAST", "HandwritingSteps", "Strokes", "load_samples",
    "mnist_steps", "render_strokes", "to_mnist", "to_model_input",
]  # fmt: skip

#: 숫자를 맞춰 넣는 상자의 한 변 (MNIST: 28×28 안의 20×20)
BOX_SIZE = 20
#: 받는 그림의 최대 화소 수 (2,500만: 휴대폰 사진 1,200만~5,000만 화소 중 큰 것은 줄여서)
MAX_PIXELS = 25_000_000
#: 잉크와 배경의 밝기 차가 이보다 작으면 숫자를 찾지 못한 것으로 봅니다 (0~1 밝기)
MIN_CONTRAST = 0.25
_WORK_SIDE = 1024  # 이보다 큰 그림은 먼저 줄여서 계산 (결과는 어차피 20×20)
_INK_FLOOR = 0.2  # 배경을 뺀 뒤 이보다 옅은 점은 종이 얼룩으로 보고 0으로
_MAX_INK_FRACTION = 0.6  # MNIST에서 잉크가 가장 많은 숫자도 36%
_TYPES = "그림 파일 경로, bytes, PIL 이미지, NumPy 배열, handwriting.Strokes"


@dataclass(frozen=True)
class Strokes:
    """캔버스에 그린 획: 획마다 ``(x, y)`` 점 목록, 획 굵기, 캔버스 크기 ``(너비, 높이)``. (8장)"""

    points: list[list[tuple[float, float]]]
    width: float = 18.0
    size: tuple[int, int] = (280, 280)


@dataclass(frozen=True)
class HandwritingSteps:
    """:func:`mnist_steps`가 돌려주는 단계별 이미지 (밝기 0~1, 잉크 = 1). (8장)"""

    original: np.ndarray  # 읽은 그림 (컬러면 RGB uint8)
    grey: np.ndarray  # ① 회색조 (흰 종이 = 1)
    ink: np.ndarray  # ② 반전하고 배경을 뺀 잉크
    cropped: np.ndarray  # ③ 잉크의 경계 상자
    resized: np.ndarray  # ④ 긴 변 20
    centred: np.ndarray  # ⑤ 무게중심을 (14, 14)로 옮긴 28×28
    mnist: np.ndarray  # ⑤를 MNIST처럼 uint8 0~255로
    inverted: bool  # ②에서 뒤집었는지
    bbox: tuple[int, int, int, int]  # (행 시작, 행 끝, 열 시작, 열 끝)
    center_of_mass: tuple[float, float]  # 옮기기 전 28×28에서의 (행, 열)


def _too_big(height: int, width: int) -> None:
    if height * width > MAX_PIXELS:
        raise ValueError(
            f"그림이 너무 큽니다: {width}×{height} = {height * width:,}화소 "
            f"(최대 {MAX_PIXELS:,}화소). 숫자 부분만 잘라 내거나 {MAX_PIXELS:,}화소 이하로 줄여서 "
            "넣으세요 (숫자 하나는 500×500이면 충분합니다)."
        )


def render_strokes(strokes: Strokes) -> np.ndarray:
    """획을 흰 바탕에 검은 잉크로 그려 ``uint8 (높이, 너비)`` 이미지로 돌려줍니다. (8장)"""
    checks.check_type(
        strokes, Strokes, "strokes", "handwriting.Strokes", "Strokes(점 목록)을 넘기세요."
    )
    width = checks.check_float(strokes.width, "획 굵기", low=0, high=200, open_low=True)
    size = tuple(checks.check_int(s, "캔버스 크기", minimum=1, example=280) for s in strokes.size)
    _too_big(size[1], size[0])
    try:
        lines = [[(float(x), float(y)) for x, y in stroke] for stroke in strokes.points]
    except (TypeError, ValueError):
        raise ValueError(
            "획은 [[(x, y), (x, y), ...], ...]처럼 획마다 (x, y) 점의 목록이어야 합니다. "
            f"받은 값: {str(strokes.points)[:60]}"
        ) from None
    if not any(lines):
        raise ValueError(
            "캔버스가 비어 있습니다: 그린 획이 없습니다. 마우스나 손가락으로 숫자를 그리세요."
        )
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    r = width / 2
    for line in lines:
        if len(line) > 1:
            draw.line(line, fill=0, width=round(width), joint="curve")
        for x, y in line:  # 둥근 끝과 점 하나짜리 획
            draw.ellipse((x - r, y - r, x + r, y + r), fill=0)
    return np.asarray(image)


def _open(source: Any) -> Image.Image:
    if isinstance(source, (bytes, bytearray)):
        name, source = f"받은 데이터({len(source):,}바이트)", io.BytesIO(bytes(source))
    else:
        name = str(source)
        if not Path(source).is_file():
            raise ValueError(f"그림 파일이 없습니다: {name}. 경로와 파일 이름을 확인하세요.")
    try:
        image = Image.open(source)
    except (UnidentifiedImageError, OSError):
        raise ValueError(
            f"그림 파일이 아닙니다: {name[:80]} (PNG나 JPEG로 읽을 수 없음). "
            "휴대폰 사진이나 PNG 파일을 넣으세요."
        ) from None
    _too_big(image.height, image.width)  # 헤더만 읽은 상태: 큰 그림도 아직 메모리에 올리지 않음
    return ImageOps.exif_transpose(image)  # 휴대폰 사진의 회전 정보 반영


def _from_array(x: Any) -> Image.Image:
    arr = checks.as_numeric(x, "이미지", allow_nan=True)
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(
            f"이미지 배열에 NaN이나 무한대가 {int((~np.isfinite(arr)).sum()):,}개 있습니다. "
            "픽셀 값은 0~255(실수면 0~1)여야 합니다. 그림을 만든 계산을 확인하세요."
        )
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[-1] not in (3, 4)):
        raise ValueError(
            f"{topic('이미지 배열')} (높이, 너비) 흑백이나 (높이, 너비, 3/4) 컬러여야 합니다. "
            f"받은 모양: {arr.shape}. 여러 장이라면 한 장씩 넣으세요 (예: x[0])."
        )
    _too_big(*arr.shape[:2])
    if arr.size == 0 or arr.min() < 0 or arr.max() > MAX_PIXEL:
        low, high = (arr.min(), arr.max()) if arr.size else ("-", "-")
        raise ValueError(
            f"{topic('이미지 배열')} 비어 있지 않고 값이 0~255(실수면 0~1)여야 합니다. "
            f"받은 모양 {arr.shape}, 범위 {low} ~ {high}."
        )
    if arr.dtype.kind == "f" and arr.max() <= 1:
        arr = arr * MAX_PIXEL
    return Image.fromarray(np.round(arr).astype(np.uint8))


def _read(image: Any) -> tuple[np.ndarray, np.ndarray]:
    """무엇이든 읽어 (원본 uint8, 회색조 0~1 (흰색 = 1))로. 큰 그림은 먼저 줄입니다."""
    if isinstance(image, Strokes):
        pil = Image.fromarray(render_strokes(image))
    elif isinstance(image, (str, os.PathLike, bytes, bytearray)):
        pil = _open(image)
    elif isinstance(image, Image.Image):
        _too_big(image.height, image.width)
        pil = image.copy()  # 아래 thumbnail이 받은 그림을 바꾸지 않게
    elif isinstance(image, (np.ndarray, list, tuple)):
        pil = _from_array(image)
    else:
        raise checks.wrong_type("image", image, _TYPES, "예: to_mnist('my_digit.png')")
    if pil.mode in ("RGBA", "LA", "PA") or "transparency" in pil.info:  # 투명 배경 = 흰 종이
        rgba = pil.convert("RGBA")
        pil = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
    pil = pil.convert("RGB") if pil.mode not in ("L", "RGB") else pil
    pil.thumbnail((_WORK_SIDE, _WORK_SIDE), Image.Resampling.BOX)
    grey = np.asarray(pil.convert("L"), dtype=np.float64) / MAX_PIXEL
    return np.asarray(pil), grey


def _ink(grey: np.ndarray) -> tuple[np.ndarray, bool]:
    """밝은 배경이면 뒤집고, 배경 밝기를 0·진한 잉크를 1로 맞춥니다 (잉크가 없으면 오류)."""
    if np.ptp(grey) < 0.05:
        colour = "흰색" if grey.mean() > 0.5 else "검은색"
        raise ValueError(
            f"그림 전체가 거의 한 가지 색({colour})이라 숫자(잉크)가 보이지 않습니다. "
            "흰 종이에 진한 펜으로 쓴 숫자를 찍거나, 캔버스에 숫자를 그려 넣으세요."
        )
    edge = np.median(np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]]))
    inverted = bool(edge > 0.5)  # 가장자리는 보통 종이(배경): 밝으면 뒤집어 잉크를 밝게
    x = 1.0 - grey if inverted else grey
    background, ink_level = (1.0 - edge if inverted else edge), x.max()
    if ink_level - background < MIN_CONTRAST:
        raise ValueError(
            f"잉크와 배경의 밝기 차가 {ink_level - background:.2f}로 너무 작습니다 "
            f"(최소 {MIN_CONTRAST}). 숫자가 뚜렷하지 않은 사진입니다: 밝은 곳에서 흰 종이에 진한 "
            "펜으로 쓴 숫자를 가까이 찍으세요."
        )
    ink = np.clip((x - background) / (ink_level - background), 0.0, 1.0)
    ink[ink < _INK_FLOOR] = 0.0
    if (ink > 0).mean() > _MAX_INK_FRACTION:
        raise ValueError(
            f"잉크가 그림의 {(ink > 0).mean():.0%}를 덮습니다. 배경이 고르지 않거나 숫자가 아닌 "
            "사진으로 보입니다: 숫자 하나만 보이게 잘라서, 고른 배경에서 찍어 넣으세요."
        )
    return ink, inverted


def _fit_box(cropped: np.ndarray) -> np.ndarray:
    """긴 변을 ``BOX_SIZE``로, 비율은 그대로 (줄일 때 안티에일리어싱되는 PIL 쌍선형 보간)."""
    height, width = cropped.shape
    scale = BOX_SIZE / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    image = Image.fromarray(cropped.astype(np.float32))  # 실수 그대로 ("F" 모드)
    return np.clip(np.asarray(image.resize(size, Image.Resampling.BILINEAR)), 0.0, 1.0)


def _centre(resized: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
    """28×28 가운데에 놓고, 무게중심이 (14, 14)에 오도록 정수 칸만큼 옮깁니다."""
    field = np.zeros((IMAGE_SIZE, IMAGE_SIZE))
    top, left = ((IMAGE_SIZE - s) // 2 for s in resized.shape)
    field[top : top + resized.shape[0], left : left + resized.shape[1]] = resized
    com = ndimage.center_of_mass(field)
    shift = np.round(IMAGE_SIZE / 2 - np.asarray(com))
    return ndimage.shift(field, shift, order=0, mode="constant", cval=0.0), (com[0], com[1])


def mnist_steps(image: Any) -> HandwritingSteps:
    """숫자 그림을 MNIST 방식으로 바꾸며 단계마다 이미지를 남깁니다 (그림으로 보여 주기용). (8장)

    ``image``: PNG·JPEG 경로나 bytes, PIL 이미지, NumPy 배열 (H×W, H×W×3/4; uint8 0~255나
    실수 0~1), :class:`Strokes`. 잘못된 입력은 계산 전에 한국어 ``ValueError``.
    """
    original, grey = _read(image)
    ink, inverted = _ink(grey)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    bbox = (int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1)
    cropped = ink[bbox[0] : bbox[1], bbox[2] : bbox[3]]
    resized = _fit_box(cropped)
    centred, com = _centre(resized)
    mnist = np.round(centred * MAX_PIXEL).astype(np.uint8)
    return HandwritingSteps(
        original, grey, ink, cropped, resized, centred, mnist, inverted, bbox, com
    )


def to_mnist(image: Any) -> np.ndarray:
    """숫자 그림 하나를 MNIST와 같은 ``uint8 (28, 28)``(검은 배경, 흰 글씨)로 바꿉니다. (8장)

    예: ``x = handwriting.to_mnist("my_7.png")``. 받는 형식은 :func:`mnist_steps`와 같습니다.
    """
    return mnist_steps(image).mnist


def to_model_input(image: Any) -> np.ndarray:
    """숫자 그림 하나를 모델 입력 ``float32 (1, 32, 32, 1)``로: ``to_mnist`` + 2장 전처리. (8장)"""
    return preprocess_images(to_mnist(image)[None])


def load_samples() -> tuple[np.ndarray, np.ndarray]:
    """패키지에 든 손글씨 견본 (``scripts/make_handwriting_samples.py``가 그림). (8장)

    ``(이미지 uint8 (N, H, W, 3), 레이블 int64 (N,))``: 흰 종이를 휴대폰으로 찍은 듯한 컬러 그림.
    """
    folder = resources.files("lenetlib") / "_data" / "handwriting"
    files = sorted(f for f in folder.iterdir() if f.name.endswith(".png"))
    if not files:
        raise ValueError(
            f"손글씨 견본 그림이 없습니다 ({folder}). "
            "python scripts/make_handwriting_samples.py로 만들거나 lenetlib을 다시 설치하세요."
        )
    images = [np.asarray(Image.open(io.BytesIO(f.read_bytes())).convert("RGB")) for f in files]
    labels = [int(f.name.split("_")[1]) for f in files]
    return np.stack(images), np.asarray(labels, dtype=np.int64)
