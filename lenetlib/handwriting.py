"""내 손글씨를 MNIST처럼: 그림·배열·캔버스 획 → 28×28. (8장 ``08_handwriting.ipynb``)

MNIST를 만든 순서 그대로: 회색조 → (밝은 배경이면) 반전 → 잉크의 경계 상자로 자르기 →
비율을 지켜 20×20 안에 맞추기(안티에일리어싱) → 무게중심을 28×28의 가운데로. 모델 입력은
2장 그대로 ``preprocess_images(to_mnist(그림)[None])``입니다. TensorFlow 없이.
"""

from __future__ import annotations

import errno
import io
import math
import os
import stat
import warnings
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

__all__ = [
    "BOX_SIZE", "MAX_PIXELS", "MIN_CONTRAST", "MIN_INK_SPAN", "HandwritingSteps", "Strokes",
    "load_samples", "mnist_steps", "render_strokes", "to_mnist",
]  # fmt: skip

#: 숫자를 맞춰 넣는 상자의 한 변 (MNIST: 28×28 안의 20×20)
BOX_SIZE = 20
#: 받는 그림의 최대 화소 수 (2,500만: 휴대폰 사진 1,200만~5,000만 화소 중 큰 것은 줄여서)
MAX_PIXELS = 25_000_000
#: 잉크와 배경의 밝기 차가 이보다 작으면 숫자를 찾지 못한 것으로 봅니다 (0~1 밝기)
MIN_CONTRAST = 0.25
#: 잉크가 있는 부분(경계 상자)의 긴 변이 그림 긴 변의 이 비율보다 작으면 점·얼룩으로 봅니다
#: (캔버스를 한 번 톡 친 점: 280 중 18 = 6%, MNIST 숫자: 28 중 20 = 71%)
MIN_INK_SPAN = 0.1
_WORK_PIXELS = 1024 * 1024  # 화소가 이보다 많으면 비율을 지켜 줄여서 계산 (결과는 어차피 20×20)
_UNIT_SLACK = 1e-3  # 실수 배열의 최댓값이 1 + 이 값까지면 0~1 밝기 (정규화의 반올림 오차)
_COORD_LIMIT = 100  # 획 좌표는 캔버스 크기의 이 배수 안 (캔버스 밖으로 끈 획은 괜찮음)
_MAX_STROKE_WIDTH = 200.0  # 획 굵기의 상한 (픽셀, 캔버스 위젯의 stroke_width도 같은 범위)
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


def _too_big(height: int, width: int, size: str = "") -> None:
    if size or height * width > MAX_PIXELS:
        raise ValueError(
            f"그림이 너무 큽니다: {size or f'{width}×{height} = {height * width:,}화소'} "
            f"(최대 {MAX_PIXELS:,}화소). 숫자 부분만 잘라 내거나 {MAX_PIXELS:,}화소 이하로 줄여서 "
            "넣으세요 (숫자 하나는 500×500이면 충분합니다)."
        )


def _canvas_size(size: Any) -> tuple[int, int]:
    if not isinstance(size, tuple | list) or len(size) != 2:
        raise ValueError(
            f"캔버스 크기(size)는 (너비, 높이) 두 정수여야 합니다. 받은 값: {size!r:.40}. "
            "예: Strokes(점 목록, size=(280, 280))"
        )
    width, height = (checks.check_int(s, "캔버스 크기", minimum=1, example=280) for s in size)
    _too_big(height, width)
    return width, height


def _stroke_width(width: Any, name: str = "획 굵기") -> float:
    """획 굵기: 0보다 크고 ``_MAX_STROKE_WIDTH`` 이하인 실수 (캔버스 위젯의 검사도 이것)."""
    return checks.check_float(width, name, low=0, high=_MAX_STROKE_WIDTH, open_low=True)


def render_strokes(strokes: Strokes) -> np.ndarray:
    """획을 흰 바탕에 검은 잉크로 그려 ``uint8 (높이, 너비)`` 이미지로 돌려줍니다. (8장)"""
    checks.check_type(
        strokes, Strokes, "strokes", "handwriting.Strokes", "Strokes(점 목록)을 넘기세요."
    )
    width, size = _stroke_width(strokes.width), _canvas_size(strokes.size)
    try:
        lines = [[(float(x), float(y)) for x, y in stroke] for stroke in strokes.points]
    except (TypeError, ValueError, OverflowError):  # 10**400처럼 실수로 바꿀 수 없는 수도
        raise ValueError(
            "획은 [[(x, y), (x, y), ...], ...]처럼 획마다 (x, y) 점의 목록이어야 합니다. "
            f"받은 값: {str(strokes.points)[:60]}"
        ) from None
    if not any(lines):
        raise ValueError(
            "캔버스가 비어 있습니다: 그린 획이 없습니다. 마우스나 손가락으로 숫자를 그리세요."
        )
    limit = _COORD_LIMIT * max(size)  # NaN·무한대·먼 좌표를 조용히 버리면 다른 숫자가 됨
    for x, y in (point for line in lines for point in line):
        if not (math.isfinite(x) and math.isfinite(y) and max(abs(x), abs(y)) <= limit):
            raise ValueError(
                f"획의 좌표는 유한한 수이고 캔버스 크기의 {_COORD_LIMIT}배(±{limit:,}) 안이어야 "
                f"합니다. 받은 점: ({x:g}, {y:g}). 점을 만든 계산을 확인하세요."
            )
    image = Image.new("L", size, 255)
    draw, r = ImageDraw.Draw(image), width / 2
    for line in lines:
        if len(line) > 1:
            draw.line(line, fill=0, width=round(width), joint="curve")
        for x, y in line:  # 둥근 끝과 점 하나짜리 획
            draw.ellipse((x - r, y - r, x + r, y + r), fill=0)
    return np.asarray(image)


def _file(source: str | os.PathLike[str]) -> Path:
    """그림 파일 경로 (``~`` 풀기). 없음·폴더·일반 파일이 아님·너무 긴 이름은 한국어 오류."""
    path, name = Path(source).expanduser(), str(source)[:80]
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError) as exc:
        if getattr(exc, "errno", None) == errno.ENAMETOOLONG:
            why = f"경로나 파일 이름이 너무 깁니다 ({len(str(source)):,}자). 짧은 이름으로 바꾸세요"
        else:
            why = "경로와 파일 이름을 확인하세요"
        raise ValueError(f"그림 파일이 없습니다: {name}. {why}.") from None
    if not stat.S_ISREG(mode):  # 폴더, 이름 있는 파이프·장치 (열면 끝없이 기다림)
        why = (
            "파일이 아니라 폴더입니다. 폴더 안의 그림 파일 경로를"
            if stat.S_ISDIR(mode)
            else "보통 파일이 아닙니다 (파이프·장치 등). 그림 파일을"
        )
        raise ValueError(f"{topic(repr(name))} {why} 넣으세요.")
    return path


def _open(source: Any) -> Image.Image:
    binary = isinstance(source, bytes | bytearray)
    name = f"받은 데이터({len(source):,}바이트)" if binary else str(source)[:80]
    source = io.BytesIO(bytes(source)) if binary else _file(source)
    try:  # 크기는 _decoded의 _too_big이 한국어로 봄 (영어 경고 대신)
        with warnings.catch_warnings(action="ignore", category=Image.DecompressionBombWarning):
            image = Image.open(source)
    except Image.DecompressionBombError:  # 헤더의 크기가 PIL 한도(약 1억 8천만 화소)도 넘음
        _too_big(0, 0, f"헤더의 크기가 {2 * (Image.MAX_IMAGE_PIXELS or 0):,}화소 넘음")
    except (UnidentifiedImageError, OSError):
        raise ValueError(
            f"그림 파일이 아닙니다: {name} (PNG나 JPEG로 읽을 수 없음). "
            "휴대폰 사진이나 PNG 파일을 넣으세요."
        ) from None
    with image:  # 파일은 이 안에서 닫힘 (돌려주는 것은 다 읽은 사본)
        return _decoded(image, name)


def _decoded(image: Image.Image, name: str) -> Image.Image:
    """끝까지 읽은 사본 (사진의 회전 정보 반영). 큰·잘린·망가진 파일, 닫힌 이미지는 한국어로."""
    _too_big(image.height, image.width)  # 파일이면 헤더만 읽은 상태: 큰 그림도 아직 메모리 밖
    if 0 in image.size:
        raise ValueError(f"그림이 비어 있습니다 ({image.width}×{image.height}): {name}.")
    try:
        return ImageOps.exif_transpose(image)  # 회전할 것이 없으면 copy(): 받은 그림은 그대로
    except (ValueError, AssertionError, AttributeError) as exc:  # 닫힌 이미지: PIL 판마다 다름
        if isinstance(exc, ValueError) and "closed" not in str(exc):
            raise ValueError(f"그림을 읽을 수 없습니다: {name} ({exc}).") from None
        raise ValueError(
            "이미 닫힌 PIL 이미지라 읽을 수 없습니다 (close()를 불렀거나, 읽기 전에 with 블록이 "
            "끝남). Image.open(...)으로 다시 열거나 파일 경로를 그대로 넣으세요."
        ) from None
    except (OSError, SyntaxError, EOFError):
        raise ValueError(
            f"그림을 끝까지 읽을 수 없습니다: {name} (파일이 잘렸거나 손상됨). 파일을 다시 "
            "저장하거나 내려받아 넣으세요."
        ) from None


def _from_array(x: Any) -> Image.Image:
    x = x.astype(np.uint8) if isinstance(x, np.ndarray) and x.dtype == np.bool_ else x  # 마스크
    arr = checks.as_numeric(x, "이미지", allow_nan=True)
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(
            f"이미지 배열에 NaN이나 무한대가 {int((~np.isfinite(arr)).sum()):,}개 있습니다. "
            "픽셀 값은 0~255(실수면 0~1)여야 합니다. 그림을 만든 계산을 확인하세요."
        )
    arr = arr[..., 0] if arr.ndim == 3 and arr.shape[-1] == 1 else arr
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
    # 밝기 0~1: 실수(반올림 오차 _UNIT_SLACK까지), 정수는 0과 1만 있는 마스크. 아니면 0~255
    unit = arr.max() <= (1 + _UNIT_SLACK if arr.dtype.kind == "f" else 1)
    scaled = np.clip(arr * MAX_PIXEL, 0, MAX_PIXEL) if unit else arr
    return Image.fromarray(np.round(scaled).astype(np.uint8))


def _read(image: Any) -> tuple[np.ndarray, np.ndarray]:
    """무엇이든 읽어 (원본 uint8, 회색조 0~1 (흰색 = 1))로. 큰 그림은 먼저 줄입니다."""
    if isinstance(image, Strokes):
        pil = Image.fromarray(render_strokes(image))
    elif isinstance(image, (str, os.PathLike, bytes, bytearray)):
        pil = _open(image)
    elif isinstance(image, Image.Image):
        pil = _decoded(image, "받은 PIL 이미지")  # 사본: 아래에서 받은 그림을 바꾸지 않게
    elif isinstance(image, (np.ndarray, list, tuple)):
        pil = _from_array(image)
    else:
        raise checks.wrong_type("image", image, _TYPES, "예: to_mnist('my_digit.png')")
    if pil.mode == "F" or pil.mode.startswith("I"):  # 실수(TIFF 등)·16비트: 8비트로 줄이기 전에
        wide = np.asarray(pil)
        pil = _from_array(wide / 65535 if wide.dtype.kind in "iu" and wide.max() > 255 else wide)
    if pil.mode in ("RGBA", "LA", "PA") or "transparency" in pil.info:  # 투명 배경 = 흰 종이
        pil = Image.alpha_composite(Image.new("RGBA", pil.size, "white"), pil.convert("RGBA"))
    pil = pil.convert("RGB") if pil.mode not in ("L", "RGB") else pil
    scale = math.sqrt(_WORK_PIXELS / (pil.width * pil.height))  # 넓이로: 가는 그림도 안 뭉갬
    if scale < 1:
        pil = pil.resize([max(1, round(side * scale)) for side in pil.size], Image.Resampling.BOX)
    return np.asarray(pil), np.asarray(pil.convert("L"), dtype=np.float64) / MAX_PIXEL


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


def mnist_steps(image: Any) -> HandwritingSteps:
    """숫자 그림을 MNIST 방식으로 바꾸며 단계마다 이미지를 남깁니다 (그림으로 보여 주기용). (8장)

    ``image``: PNG·JPEG 경로나 bytes, PIL 이미지, NumPy 배열 (H×W, H×W×3/4; uint8 0~255나
    실수 0~1), :class:`Strokes`. 잘못된 입력은 계산 전에 한국어 ``ValueError``.
    """
    original, grey = _read(image)  # ①
    ink, inverted = _ink(grey)  # ②
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))  # ③
    bbox = (int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1)
    span = max(bbox[1] - bbox[0], bbox[3] - bbox[2]) / max(ink.shape)
    if span < MIN_INK_SPAN:  # 점 하나·얼룩을 20×20으로 키워 숫자로 읽지 않게
        raise ValueError(
            f"잉크가 너무 적습니다: 잉크가 있는 부분이 그림 긴 변의 {span:.1%}뿐입니다 "
            f"(최소 {MIN_INK_SPAN:.0%}). 점이나 얼룩이 아니라 숫자를 크게 그리거나, 숫자 부분만 "
            "잘라서 넣으세요."
        )
    cropped = ink[bbox[0] : bbox[1], bbox[2] : bbox[3]]
    height, width = cropped.shape  # ④ 긴 변을 20으로, 비율은 그대로 (쌍선형: 안티에일리어싱)
    scale = BOX_SIZE / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))  # PIL은 (너비, 높이)
    resized = Image.fromarray(cropped.astype(np.float32)).resize(size, Image.Resampling.BILINEAR)
    resized = np.clip(np.asarray(resized), 0.0, 1.0)
    field = np.zeros((IMAGE_SIZE, IMAGE_SIZE))  # ⑤ 28×28 가운데에 놓고 무게중심을 (14, 14)로
    top, left = ((IMAGE_SIZE - s) // 2 for s in resized.shape)
    field[top : top + resized.shape[0], left : left + resized.shape[1]] = resized
    com = ndimage.center_of_mass(field)
    centred = ndimage.shift(field, np.round(IMAGE_SIZE / 2 - np.asarray(com)), order=0)
    mnist = np.round(centred * MAX_PIXEL).astype(np.uint8)
    return HandwritingSteps(original, grey, ink, cropped, resized, centred, mnist, inverted, bbox,
                            (com[0], com[1]))  # fmt: skip


def to_mnist(image: Any) -> np.ndarray:
    """숫자 그림 하나를 MNIST와 같은 ``uint8 (28, 28)``(검은 배경, 흰 글씨)로 바꿉니다. (8장)

    예: ``x = handwriting.to_mnist("my_7.png")``. 받는 형식은 :func:`mnist_steps`와 같고, 8장이
    같은 단계를 NumPy·PIL·SciPy로 직접 씁니다 (tests/test_chapter_code.py)."""
    return mnist_steps(image).mnist


def load_samples() -> tuple[np.ndarray, np.ndarray]:
    """패키지에 든 손글씨 견본 (``scripts/make_handwriting_samples.py``가 그림). (8장)

    ``(이미지 uint8 (N, H, W, 3), 레이블 int64 (N,))``: 흰 종이를 휴대폰으로 찍은 듯한 컬러 그림."""
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
