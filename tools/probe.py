"""이슈 #18의 탐침 모음: 잘못되었거나 경계에 있는 입력 하나와 기대 하나씩. (개발용, ``make probe``)

탐침 하나 = 한 번의 호출 + 기대: 오래 걸리는 일 전에 나는 프로젝트의 한국어 오류(``ValueError``
계열, ``DataError``, ``ArtifactError``)이거나 맞는 결과. 나쁨으로 세는 것: 영어·번역되지 않은 예외나
경고, 멈춤(탐침마다 제한 시간), 조용한 틀린 결과, 사용자 파일이 지워지거나 바뀜(임시 폴더에 미끼
파일을 두고 확인), 반쯤 쓴 저장, 열린 채 남은 그림.

영역: handwriting, canvas, exercises, paper, artifacts, data, atomic, speed, setup. 모든 파일은
임시 폴더 안에서만 씁니다 (``LENETLIB_ARTIFACTS``·``KERAS_HOME``도 임시 폴더로). 훈련은 작은
데이터로 한 번(``run_row``)뿐이고 TensorFlow는 한 프로세스에서 한 번만 불러옵니다.

``python -m tools.probe [-k 글자] [-v] [--list]``: 나쁜 탐침이 있으면 종료 코드 1.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import io
import json
import math
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import warnings
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
HANGUL = re.compile("[가-힣]")
#: 학생에게 보이면 안 되는 파이썬 내부 문구 (한국어 문장 속에 섞여 있어도)
PYTHON_TEXT = re.compile(r"Traceback|[A-Za-z]{3,} object|not iterable|object has no attribute")
#: 기록만 하고 나쁨으로 세지 않는 경고 (라이브러리 내부의 사용 중단 예고 등)
QUIET_WARNINGS = (
    DeprecationWarning,
    PendingDeprecationWarning,
    FutureWarning,
    ResourceWarning,
    ImportWarning,
)
AREAS = (
    "handwriting",
    "canvas",
    "exercises",
    "paper",
    "artifacts",
    "data",
    "atomic",
    "speed",
    "setup",
)


class Bad(Exception):
    """탐침의 기대가 어긋남 (메시지 = 원인)."""


class _Timeout(BaseException):  # except Exception에 삼켜지지 않게 BaseException
    pass


@dataclass(frozen=True)
class Probe:
    """탐침 하나: 영역, 고유한 이름, 부를 함수 (기대가 어긋나면 :class:`Bad`), 제한 시간(초)."""

    area: str
    name: str
    run: Callable[[], None]
    timeout: float = 30.0


PROBES: list[Probe] = []


def add(area: str, name: str, run: Callable[[], None], timeout: float = 30.0) -> None:
    """탐침을 표에 더합니다 (이름은 ``영역.``으로 시작)."""
    assert area in AREAS, area
    PROBES.append(Probe(area, f"{area}.{name}", run, timeout))


def probe(area: str, name: str, timeout: float = 30.0) -> Callable:
    """함수 하나를 탐침으로 등록하는 데코레이터."""

    def register(run: Callable[[], None]) -> Callable[[], None]:
        add(area, name, run, timeout)
        return run

    return register


# ---------------------------------------------------------------------------
# 기대
# ---------------------------------------------------------------------------


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"ndarray {value.dtype} {value.shape}"
    return repr(value)[:100]


def korean(text: str, what: str = "메시지") -> str:
    """``text``가 한국어이고 파이썬 내부 문구·ANSI 색 코드가 없는지 봅니다."""
    if not HANGUL.search(text):
        raise Bad(f"영어 {what}: {text[:160]!r}")
    if "\x1b[" in text:
        raise Bad(f"{what}에 ANSI 색 코드: {text[:160]!r}")
    if found := PYTHON_TEXT.search(text):
        raise Bad(f"{what}에 파이썬 내부 문구 {found[0]!r}: {text[:160]!r}")
    return text


def raises(
    call: Callable, *args: Any, kinds: Any = ValueError, match: str = "", **kwargs: Any
) -> BaseException:
    """``call``이 ``kinds``의 한국어 오류를 내야 함 (``match``: 메시지에 있어야 할 정규식)."""
    try:
        got = call(*args, **kwargs)
    except _Timeout:
        raise
    except kinds as exc:
        korean(str(exc), f"{type(exc).__name__} 메시지")
        if match and not re.search(match, str(exc)):
            raise Bad(f"메시지에 {match!r}이(가) 없음: {str(exc)[:200]!r}") from None
        return exc
    except Exception as exc:
        raise Bad(f"프로젝트의 오류가 아님: {type(exc).__name__}: {str(exc)[:160]}") from None
    raise Bad(f"오류 없이 끝남 (조용한 결과: {_short(got)})")


def same(got: Any, expected: np.ndarray, *, tolerance: int = 0, what: str = "결과") -> None:
    """같은 모양·dtype의 배열이고 값 차이가 ``tolerance`` 이하인지."""
    got = np.asarray(got)
    if got.shape != expected.shape or got.dtype != expected.dtype:
        raise Bad(f"{what}: {got.dtype} {got.shape}, 기대 {expected.dtype} {expected.shape}")
    diff = int(np.abs(got.astype(np.int64) - expected.astype(np.int64)).max())
    if diff > tolerance:
        raise Bad(f"{what}이(가) 기준과 다름 (최대 차이 {diff}, 허용 {tolerance})")


@contextlib.contextmanager
def no_new_figures() -> Iterator[None]:
    """블록이 (오류로 끝나도) 열린 그림을 남기지 않아야 함 (셀 아래에 빈 그림이 보임)."""
    import matplotlib.pyplot as plt

    before = set(plt.get_fignums())
    try:
        yield
    finally:
        left = set(plt.get_fignums()) - before
        for number in left:
            plt.close(number)
        if left:
            raise Bad(f"그림 {len(left)}장이 열린 채 남음 (노트북 셀 아래에 보임)")


@contextlib.contextmanager
def env(**values: str | None) -> Iterator[None]:
    """환경 변수를 잠시 바꿉니다 (``None``이면 지움)."""
    old = {k: os.environ.get(k) for k in values}
    try:
        for k, v in values.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
        yield
    finally:
        for k, v in old.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)


def add_bad_values(
    area: str, prefix: str, function: Callable[[], Callable], cases: dict[str, tuple[Any, str]]
) -> None:
    """``function()``(탐침을 실행할 때 꺼냄)에 값 하나씩 넣는 탐침들: 이름 → (값, 메시지에 있을 말).
    모두 그 말이 있는 한국어 ``ValueError``여야 합니다."""
    for name, (value, match) in cases.items():
        add(area, f"{prefix}.{name}", lambda v=value, t=match: raises(function(), v, match=t))


# ---------------------------------------------------------------------------
# 임시 폴더, 미끼 파일, 남은 임시 파일
# ---------------------------------------------------------------------------

_ROOT_DIR: list[Path] = []


def scratch(name: str) -> Path:
    """탐침 하나의 빈 임시 폴더 (모든 탐침이 끝나면 통째로 지움)."""
    if not _ROOT_DIR:
        _ROOT_DIR.append(Path(tempfile.mkdtemp(prefix="lenetlib-probe-")))
    folder = _ROOT_DIR[0] / re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    n = 0
    while folder.exists():
        n += 1
        folder = folder.with_name(f"{folder.name.split('~')[0]}~{n}")
    folder.mkdir(parents=True)
    return folder


#: 사용자가 둔 듯한 파일: 이름에 .tmp·숫자가 있어도 lenetlib 표지가 없으면 절대 지우면 안 됨
DECOYS = (
    ".bash_history.tmp",
    ".draft.tmp.txt",
    ".ssh.tmp",
    ".notes.tmp.md",
    "notes.txt",
    ".lenet5.123.tmp",
    ".mnist.4242.x7.tmp.npz",
    ".config.99999.ab12.tmp.json",
    "lenet5.keras.bak",
    ".lenetlib-run-notes",
)


@contextlib.contextmanager
def decoys(folder: Path) -> Iterator[Path]:
    """``folder``에 오래된 미끼 파일을 두고, 블록이 끝난 뒤 모두 그대로인지 봅니다."""
    folder.mkdir(parents=True, exist_ok=True)
    made = {}
    old = time.time() - 3 * 86400  # 사흘 전: '오래된 임시 파일'로 보일 만큼
    for name in DECOYS:
        path, content = folder / name, f"사용자 파일 {name}\n".encode()
        path.write_bytes(content)
        os.utime(path, (old, old))
        made[path] = content
    try:
        yield folder
    finally:
        lost = [p.name for p, c in made.items() if not p.is_file() or p.read_bytes() != c]
        if lost:
            raise Bad(f"사용자 파일이 지워지거나 바뀜: {', '.join(lost)}")


def leftovers(folder: Path) -> list[str]:
    """lenetlib의 임시 파일과, config.json이 가리키지 않는 세대 폴더."""
    current = None
    with contextlib.suppress(OSError, ValueError, AttributeError):
        current = json.loads((folder / "config.json").read_text()).get("run_folder")
    return sorted(
        p.name
        for p in folder.iterdir()
        if "lenetlib-tmp" in p.name or (p.name.startswith(".lenetlib-run.") and p.name != current)
    )


def no_leftovers(folder: Path) -> None:
    if found := leftovers(folder):
        raise Bad(f"반쯤 쓴 파일·세대 폴더가 남음: {found}")


def user_file(folder: Path, name: str = "내 숙제.txt") -> tuple[Path, bytes]:
    path, content = folder / name, "지우면 안 되는 사용자 파일\n".encode()
    path.write_bytes(content)
    return path, content


def intact(path: Path, content: bytes) -> None:
    if not path.is_file() or path.read_bytes() != content:
        raise Bad(f"사용자 파일이 바뀌거나 지워짐: {path.name}")


def fifo(folder: Path, name: str = "pipe.png") -> Path:
    path = folder / name
    os.mkfifo(path)
    return path


def dead_pid() -> int:
    """방금 끝난 프로세스의 번호 (그 번호를 가진 프로세스는 이제 없음)."""
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


# ---------------------------------------------------------------------------
# 공용 재료 (처음 쓸 때 한 번 만듦)
# ---------------------------------------------------------------------------


@functools.cache
def seven() -> np.ndarray:
    """흰 종이(255)에 검은 펜(0)으로 쓴 7 (100×100, 안티에일리어싱 없는 0/255 값, 읽기 전용)."""
    image = Image.new("L", (100, 100), 255)
    ImageDraw.Draw(image).line([(20, 20), (80, 20), (40, 85)], fill=0, width=9)
    arr = np.array(image)
    arr.setflags(write=False)
    return arr


@functools.cache
def reference() -> np.ndarray:
    """``seven()``의 MNIST 28×28 (모든 같은 그림의 다른 표현이 이것과 같아야 함)."""
    from lenetlib import handwriting

    return handwriting.to_mnist(seven())


def encoded(image: Image.Image, fmt: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def png_with_size(width: int, height: int) -> bytes:
    """머리글(IHDR)만 ``width×height``라고 주장하는 작은 PNG (압축 폭탄·거대한 사진 흉내)."""
    raw = bytearray(encoded(Image.fromarray(seven()), "PNG"))
    raw[16:24] = struct.pack(">II", width, height)
    raw[29:33] = struct.pack(">I", zlib.crc32(bytes(raw[12:29])))
    return bytes(raw)


@functools.cache
def lenet() -> Any:
    from lenetlib import model

    return model.build_lenet5()


def small_model(input_shape: tuple, units: int, activation: str | None, conv: str = "C1") -> Any:
    from lenetlib._internal.backend import keras

    kl = keras.layers
    stack = [kl.Input(shape=input_shape)]
    stack += [kl.Conv2D(2, 5, name=conv)] if len(input_shape) == 3 else []
    stack += [kl.Flatten(), kl.Dense(units, activation=activation)]
    return keras.Sequential(stack)


@functools.cache
def mnist_arrays() -> Any:
    from lenetlib import data

    return data.load_mnist(allow_download=False)


@functools.cache
def tiny() -> Any:
    """진짜 MNIST 앞부분: 훈련 60장(검증 6장 포함), 테스트 40장."""
    from lenetlib import preprocessing

    (x, y), (xt, yt) = mnist_arrays()
    return preprocessing.prepare_mnist((x[:60], y[:60]), (xt[:40], yt[:40]))


def history() -> Any:
    from lenetlib import training

    curve = {"loss": [1.0], "accuracy": [0.5], "val_loss": [1.0], "val_accuracy": [0.5]}
    return training.History(curve, epochs_run=1, best_epoch=1, stopped_early=False, seconds=0.1)


def cfg(**kwargs: Any) -> Any:
    from lenetlib import training

    return training.TrainConfig(**{"epochs": 1, **kwargs})


@functools.cache
def golden() -> Path:
    """훈련하지 않은 LeNet-5를 작은 데이터로 저장한 묶음 (탐침마다 복사해 씀)."""
    from lenetlib import artifacts

    folder = scratch("golden-bundle")
    artifacts.save_run(folder, lenet(), history(), cfg(), tiny())
    return folder


def bundle(name: str) -> Path:
    """``golden()``의 새 사본 (세대 폴더까지)."""
    target = scratch(name) / "run"
    shutil.copytree(golden(), target, symlinks=True)
    return target


def mnist_copy(folder: Path, name: str = "mnist.npz") -> Path:
    from lenetlib._internal.paths import default_data_path

    target = folder / name
    shutil.copyfile(default_data_path(), target)
    return target


def run_python(
    code: str, *, timeout: float = 60, extra_env: dict | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    environment = {**os.environ, **(extra_env or {})}
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment,
        cwd=cwd or ROOT,
    )


# ---------------------------------------------------------------------------
# handwriting: to_mnist · mnist_steps · Strokes · render_strokes
# ---------------------------------------------------------------------------


def _to_mnist(image: Any) -> np.ndarray:
    from lenetlib import handwriting

    return handwriting.to_mnist(image)


def _bad_image(image_factory: Callable[[], Any], match: str = "") -> Callable[[], None]:
    return lambda: raises(_to_mnist, image_factory(), match=match)


def _same_image(image_factory: Callable[[], Any], tolerance: int = 0) -> Callable[[], None]:
    return lambda: same(_to_mnist(image_factory()), reference(), tolerance=tolerance)


def _ink_mask() -> np.ndarray:
    return seven() < 128


def _rgba_on_transparent() -> np.ndarray:
    """캔버스 내보내기처럼: 색은 모두 검정, 잉크만 불투명 (배경은 투명 = 흰 종이)."""
    rgba = np.zeros((100, 100, 4), np.uint8)
    rgba[..., 3] = np.where(_ink_mask(), 255, 0)
    return rgba


def _strided() -> np.ndarray:
    big = np.full((200, 200), 255, np.uint8)
    big[::2, ::2] = seven()
    return big[::2, ::2]


GOOD_ARRAYS: dict[str, Callable[[], Any]] = {
    "uint8": seven,
    "float64-unit": lambda: seven() / 255.0,
    "float32-unit-slack": lambda: (seven() / 255.0 * 1.0000001).astype(np.float64),
    "float64-0-255": lambda: seven().astype(np.float64),
    "float16-unit": lambda: (seven() / 255).astype(np.float16),
    "int64": lambda: seven().astype(np.int64),
    "uint16-0-255": lambda: seven().astype(np.uint16),
    "int8-mask": lambda: _ink_mask().astype(np.int8),
    "bool-mask": _ink_mask,
    "uint8-01-mask": lambda: _ink_mask().astype(np.uint8),
    "dark-background": lambda: 255 - seven(),
    "rgb": lambda: np.stack([seven()] * 3, axis=-1),
    "rgba-opaque": lambda: np.dstack([seven()] * 3 + [np.full((100, 100), 255, np.uint8)]),
    "rgba-transparent-background": _rgba_on_transparent,
    "channel-last-1": lambda: seven()[..., None],
    "fortran-order": lambda: np.asfortranarray(seven()),
    "strided-view": _strided,
    "nested-list": lambda: seven().tolist(),
    "tuple-rows": lambda: tuple(map(tuple, seven().tolist())),
}
for _name, _make in GOOD_ARRAYS.items():
    add("handwriting", f"array.{_name}", _same_image(_make))


def _white(shape: tuple = (100, 100), value: int = 255) -> np.ndarray:
    return np.full(shape, value, np.uint8)


def _with(arr: np.ndarray, where: tuple, value: Any) -> np.ndarray:
    out = arr.copy()
    out[where] = value
    return out


def _speck() -> np.ndarray:
    return _with(_white((500, 500)), (250, 250), 0)


def _faint() -> np.ndarray:
    return np.where(_ink_mask(), 200, 215).astype(np.uint8)


def _mostly_ink() -> np.ndarray:
    return _with(_white(), (slice(5, 95), slice(5, 95)), 0)


BAD_ARRAYS: dict[str, tuple[Callable[[], Any], str]] = {
    "nan": (lambda: _with(seven() / 255.0, (0, 0), np.nan), "NaN"),
    "inf": (lambda: _with(seven() / 255.0, (5, 5), np.inf), "무한대"),
    "minus-inf": (lambda: _with(seven() / 255.0, (5, 5), -np.inf), "무한대"),
    "negative": (lambda: seven().astype(np.int16) - 1, "0~255"),
    "above-255": (lambda: seven().astype(np.int16) + 45, "0~255"),
    "float-above-255": (lambda: seven() * 1.5, "0~255"),
    "empty-0x0": (lambda: np.zeros((0, 0), np.uint8), ""),
    "empty-0x5": (lambda: np.zeros((0, 5)), ""),
    "one-dimensional": (lambda: seven().ravel(), "모양"),
    "batch-4d": (lambda: seven()[None, ..., None], "한 장씩"),
    "two-channels": (lambda: np.stack([seven()] * 2, -1), "모양"),
    "five-channels": (lambda: np.stack([seven()] * 5, -1), "모양"),
    "scalar": (lambda: np.float64(3.0), "형식"),
    "zero-d-array": (lambda: np.array(3.0), "모양"),
    "complex": (lambda: seven().astype(np.complex64), "dtype"),
    "strings": (lambda: np.array([["a", "b"], ["c", "d"]]), "dtype"),
    "object-array": (lambda: np.array([[object()] * 3] * 3), "dtype"),
    "ragged-list": (lambda: [[0, 255, 0], [255]], "배열"),
    "all-white": (_white, "한 가지 색"),
    "all-black": (lambda: _white(value=0), "한 가지 색"),
    "speck": (_speck, "잉크가 너무 적습니다"),
    "faint": (_faint, "밝기 차"),
    "mostly-ink": (_mostly_ink, "덮습니다"),
    "too-many-pixels": (lambda: np.full((5001, 5001), 255, np.uint8), "너무 큽니다"),
}
for _name, (_make, _match) in BAD_ARRAYS.items():
    add("handwriting", f"array.{_name}", _bad_image(_make, _match))

BAD_OBJECTS: dict[str, Callable[[], Any]] = {
    "none": lambda: None,
    "int": lambda: 7,
    "dict": lambda: {"image": seven()},
    "set": lambda: {1, 2},
    "memoryview": lambda: memoryview(b"\x89PNG"),
    "generator": lambda: (row for row in seven()),
}
for _name, _make in BAD_OBJECTS.items():
    add("handwriting", f"type.{_name}", _bad_image(_make, "형식"))


@probe("handwriting", "array.input-not-modified")
def _input_not_modified() -> None:
    image = seven().copy()
    _to_mnist(image)
    same(image, seven(), what="받은 배열")


@probe("handwriting", "array.thin-10000x3-line")
def _thin_line() -> None:
    image = _white((10000, 3))
    image[:, 1] = 0
    got = _to_mnist(image)
    assert got.shape == (28, 28) and got.max() == 255, "가는 세로선이 숫자로 읽히지 않음"


@probe("handwriting", "array.large-20mp-photo", timeout=60)
def _large_photo() -> None:
    image = Image.fromarray(seven()).resize((5000, 4000), Image.Resampling.NEAREST)
    got = _to_mnist(np.asarray(image))
    # 비율이 다르게 늘린 7이지만 잉크가 있는 28×28이어야 함
    assert got.shape == (28, 28) and got.dtype == np.uint8 and got.max() == 255, _short(got)


@probe("handwriting", "array.real-mnist-digit")
def _real_mnist() -> None:
    (x, _), _ = mnist_arrays()
    got = _to_mnist(x[0])  # MNIST 원본은 이미 검은 배경 28×28
    overlap = ((got > 64) & (x[0] > 64)).sum() / max(1, (x[0] > 64).sum())
    assert overlap > 0.6, f"MNIST 숫자를 다시 넣었는데 겹치는 잉크가 {overlap:.0%}뿐"


# PIL 이미지의 여러 모드 (모두 seven()과 같은 그림)
def _pil(mode: str) -> Callable[[], Image.Image]:
    def make() -> Image.Image:
        base = Image.fromarray(seven())
        if mode == "1":
            return base.convert("1", dither=Image.Dither.NONE)
        if mode == "I;16":
            return Image.fromarray(seven().astype(np.uint16) * 257)
        if mode == "I":
            return Image.fromarray(seven().astype(np.int32))
        if mode == "F-unit":
            return Image.fromarray((seven() / 255).astype(np.float32))
        if mode == "F-255":
            return Image.fromarray(seven().astype(np.float32))
        if mode == "P-transparent":
            palette = base.convert("P")
            palette.info["transparency"] = 255  # 흰색 칸을 투명으로: 투명 = 종이
            return palette
        if mode == "LA-transparent":
            la = Image.merge("LA", [Image.new("L", base.size, 0), Image.fromarray(255 - seven())])
            return la
        return base.convert(mode)

    return make


for _mode in (
    "L",
    "1",
    "P",
    "RGB",
    "RGBA",
    "CMYK",
    "LA",
    "I;16",
    "I",
    "F-unit",
    "F-255",
    "P-transparent",
    "LA-transparent",
):
    add("handwriting", f"pil.{_mode}", _same_image(_pil(_mode)))


@probe("handwriting", "pil.ycbcr")
def _ycbcr() -> None:
    same(_to_mnist(Image.fromarray(seven()).convert("YCbCr")), reference(), tolerance=8)


@probe("handwriting", "pil.not-modified")
def _pil_not_modified() -> None:
    image = Image.fromarray(seven()).convert("RGBA")
    before = image.tobytes()
    _to_mnist(image)
    assert image.mode == "RGBA" and image.tobytes() == before, "받은 PIL 이미지가 바뀜"


def _closed() -> Image.Image:
    image = Image.open(io.BytesIO(encoded(Image.fromarray(seven()), "PNG")))
    image.load()
    image.close()
    return image


def _lazy_truncated() -> Image.Image:
    return Image.open(io.BytesIO(encoded(Image.fromarray(seven()), "PNG")[:-60]))


def _transparent() -> Image.Image:
    return Image.new("RGBA", (100, 100), (0, 0, 0, 0))


for _name, (_make, _match) in {
    "closed": (_closed, "닫힌"),
    "lazy-truncated": (_lazy_truncated, "끝까지 읽을 수 없습니다"),
    "zero-size": (lambda: Image.new("L", (0, 0)), "비어 있습니다"),
    "fully-transparent": (_transparent, "한 가지 색"),
    "too-big": (lambda: Image.new("1", (6000, 5000)), "너무 큽니다"),
}.items():
    add("handwriting", f"pil.{_name}", _bad_image(_make, _match))


@probe("handwriting", "pil.exif-rotated-jpeg")
def _exif_rotated() -> None:
    """휴대폰 사진: 화소는 옆으로 누웠고 EXIF가 '90° 돌려서 보라'고 함 → 바로 선 7."""
    upright = Image.fromarray(seven())
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # 보기 전 상태
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: 시계 방향 90° 돌려서 보기
    raw = encoded(stored.convert("RGB"), "JPEG", quality=95, exif=exif.tobytes())
    same(_to_mnist(raw), reference(), tolerance=60, what="EXIF 회전을 반영한 결과")
    wrong = _to_mnist(np.asarray(stored))
    assert np.abs(wrong.astype(int) - reference().astype(int)).max() > 60, "회전 검사가 무의미"


# bytes
_PNG = functools.cache(lambda: encoded(Image.fromarray(seven()), "PNG"))
GOOD_BYTES: dict[str, tuple[Callable[[], Any], int]] = {
    "png": (_PNG, 0),
    "bytearray": (lambda: bytearray(_PNG()), 0),
    "png-16bit": (lambda: encoded(Image.fromarray(seven().astype(np.uint16) * 257), "PNG"), 0),
    "gif": (lambda: encoded(Image.fromarray(seven()), "GIF"), 0),
    "bmp": (lambda: encoded(Image.fromarray(seven()), "BMP"), 0),
    "tiff-float": (lambda: encoded(Image.fromarray((seven() / 255).astype(np.float32)), "TIFF"), 0),
    "webp-lossless": (lambda: encoded(Image.fromarray(seven()), "WEBP", lossless=True), 0),
    "jpeg": (lambda: encoded(Image.fromarray(seven()), "JPEG", quality=90), 40),
}
for _name, (_make, _tol) in GOOD_BYTES.items():
    add("handwriting", f"bytes.{_name}", _same_image(_make, _tol))

BAD_BYTES: dict[str, tuple[Callable[[], Any], str]] = {
    "empty": (lambda: b"", "그림 파일이 아닙니다"),
    "garbage": (lambda: b"not an image at all" * 10, "그림 파일이 아닙니다"),
    "truncated-png": (lambda: _PNG()[: len(_PNG()) // 2], ""),
    "truncated-jpeg": (lambda: encoded(Image.fromarray(seven()), "JPEG")[:400], ""),
    "png-header-only": (lambda: _PNG()[:40], ""),
    "svg-text": (lambda: b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "그림 파일이 아닙니다"),
    "bomb-20000x20000": (lambda: png_with_size(20000, 20000), "너무 큽니다"),
    "header-6000x5000": (lambda: png_with_size(6000, 5000), "너무 큽니다"),
    "npy-bytes": (lambda: _npy_bytes(), "그림 파일이 아닙니다"),
}
for _name, (_make, _match) in BAD_BYTES.items():
    add("handwriting", f"bytes.{_name}", _bad_image(_make, _match))


def _npy_bytes() -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, seven())
    return buffer.getvalue()


# 파일 경로
def _png_file(folder: Path, name: str = "my_7.png") -> Path:
    path = folder / name
    path.write_bytes(_PNG())
    return path


@probe("handwriting", "path.str")
def _path_str() -> None:
    same(_to_mnist(str(_png_file(scratch("hw-path")))), reference())


@probe("handwriting", "path.pathlib")
def _path_pathlib() -> None:
    same(_to_mnist(_png_file(scratch("hw-pathlib"))), reference())


@probe("handwriting", "path.tilde")
def _path_tilde() -> None:
    home = scratch("hw-home")
    _png_file(home)
    with env(HOME=str(home)):
        same(_to_mnist("~/my_7.png"), reference())


@probe("handwriting", "path.symlink")
def _path_symlink() -> None:
    folder = scratch("hw-symlink")
    (folder / "link.png").symlink_to(_png_file(folder))
    same(_to_mnist(folder / "link.png"), reference())


@probe("handwriting", "path.korean-name")
def _path_korean() -> None:
    same(_to_mnist(_png_file(scratch("hw-korean"), "내 숫자 칠.png")), reference())


@probe("handwriting", "path.pathlike-object")
def _path_pathlike() -> None:
    class Where:
        def __init__(self, path: Path) -> None:
            self.path = path

        def __fspath__(self) -> str:
            return str(self.path)

    same(_to_mnist(Where(_png_file(scratch("hw-fspath")))), reference())


def _bad_path(make: Callable[[Path], Any], match: str) -> Callable[[], None]:
    def run() -> None:
        folder = scratch("hw-bad-path")
        with decoys(folder):
            raises(_to_mnist, make(folder), match=match)

    return run


def _write(folder: Path, name: str, content: bytes) -> Path:
    (folder / name).write_bytes(content)
    return folder / name


BAD_PATHS: dict[str, tuple[Callable[[Path], Any], str]] = {
    "missing": (lambda f: str(f / "없는.png"), "없습니다"),
    "missing-tilde": (lambda f: "~/정말-없는-파일-8d1f.png", "없습니다"),
    "url": (lambda f: "https://example.com/seven.png", "없습니다"),
    "folder": (lambda f: f, "폴더"),
    "fifo": (lambda f: fifo(f), "보통 파일이 아닙니다"),
    "dev-null": (lambda f: "/dev/null", "보통 파일이 아닙니다"),
    "long-name": (lambda f: str(f / ("가" * 300 + ".png")), "너무 깁니다"),
    "nul-byte": (lambda f: "digit\0.png", "없습니다"),
    "text-file": (lambda f: _write(f, "notes.png", "숫자 아님".encode()), "그림 파일이 아닙니다"),
    "zero-bytes": (lambda f: _write(f, "empty.png", b""), "그림 파일이 아닙니다"),
    "truncated-file": (lambda f: _write(f, "cut.png", _PNG()[:-80]), "잘렸거나"),
    "broken-symlink": (lambda f: _broken_link(f), "없습니다"),
    "bomb-file": (lambda f: _write(f, "bomb.png", png_with_size(30000, 30000)), "너무 큽니다"),
    "npy-file": (lambda f: _write(f, "x.npy", _npy_bytes()), "그림 파일이 아닙니다"),
    "empty-string": (lambda f: "", ""),
}
for _name, (_make, _match) in BAD_PATHS.items():
    add("handwriting", f"path.{_name}", _bad_path(_make, _match), timeout=10)


def _broken_link(folder: Path) -> Path:
    (folder / "gone.png").symlink_to(folder / "nowhere.png")
    return folder / "gone.png"


# 캔버스의 획
SEVEN_STROKES = [[(60.0, 50.0), (220.0, 50.0), (120.0, 250.0)]]


def _strokes_none() -> Any:
    from lenetlib import handwriting

    return handwriting.Strokes(None)


def _strokes(points: Any = None, **kwargs: Any) -> Any:
    from lenetlib import handwriting

    return handwriting.Strokes(SEVEN_STROKES if points is None else points, **kwargs)


@probe("handwriting", "strokes.seven")
def _strokes_seven() -> None:
    got = _to_mnist(_strokes())
    assert got.shape == (28, 28) and got.max() > 200, f"{_short(got)}, 최대 {got.max()}"


@probe("handwriting", "strokes.numpy-points")
def _strokes_numpy() -> None:
    same(_to_mnist(_strokes(np.array(SEVEN_STROKES))), _to_mnist(_strokes()))


@probe("handwriting", "strokes.partly-outside-canvas")
def _strokes_outside() -> None:
    got = _to_mnist(_strokes([[(-40.0, 50.0), (220.0, 50.0), (120.0, 330.0)]]))
    assert got.max() > 200, "캔버스 밖으로 나간 획 때문에 읽지 못함"


BAD_STROKES: dict[str, tuple[Callable[[], Any], str]] = {
    "empty": (lambda: _strokes([]), "비어 있습니다"),
    "empty-stroke": (lambda: _strokes([[]]), "비어 있습니다"),
    "nan-point": (lambda: _strokes([[(60.0, 50.0), (math.nan, 50.0), (120.0, 250.0)]]), "유한"),
    "inf-point": (lambda: _strokes([[(60.0, 50.0), (math.inf, 50.0)]]), "유한"),
    "huge-point": (lambda: _strokes([[(60.0, 50.0), (1e300, 50.0)]]), "유한"),
    "int-overflow-point": (lambda: _strokes([[(60, 50), (10**400, 50)]]), "점의 목록"),
    "string-point": (lambda: _strokes([[("a", "b")]]), "점의 목록"),
    "three-numbers": (lambda: _strokes([[(1, 2, 3)]]), "점의 목록"),
    "points-int": (lambda: _strokes(0), "점의 목록"),
    "points-none": (lambda: _strokes_none(), "점의 목록"),
    "points-string": (lambda: _strokes("seven"), "점의 목록"),
    "one-tap": (lambda: _strokes([[(140.0, 140.0)]]), "잉크가 너무 적습니다"),
    "all-off-canvas": (lambda: _strokes([[(1000.0, 1000.0), (1200.0, 1100.0)]]), "한 가지 색"),
    "size-int": (lambda: _strokes(size=280), "캔버스 크기"),
    "size-one": (lambda: _strokes(size=(280,)), "캔버스 크기"),
    "size-three": (lambda: _strokes(size=(280, 280, 3)), "캔버스 크기"),
    "size-zero": (lambda: _strokes(size=(0, 0)), "캔버스 크기"),
    "size-float": (lambda: _strokes(size=(280.5, 280)), "캔버스 크기"),
    "size-huge": (lambda: _strokes(size=(100000, 100000)), "너무 큽니다"),
    "width-zero": (lambda: _strokes(width=0), "획 굵기"),
    "width-negative": (lambda: _strokes(width=-3), "획 굵기"),
    "width-nan": (lambda: _strokes(width=math.nan), "획 굵기"),
    "width-string": (lambda: _strokes(width="18"), "획 굵기"),
}
for _name, (_make, _match) in BAD_STROKES.items():
    add("handwriting", f"strokes.{_name}", _bad_image(_make, _match))


@probe("handwriting", "render_strokes.wrong-type")
def _render_wrong_type() -> None:
    from lenetlib import handwriting

    raises(handwriting.render_strokes, SEVEN_STROKES, match="Strokes")


@probe("handwriting", "model-input.shape-range")
def _model_input() -> None:
    from lenetlib import handwriting
    from lenetlib.preprocessing import preprocess_images

    x = preprocess_images(handwriting.to_mnist(seven())[None])  # 8장의 모델 입력 (2장 전처리)
    assert x.shape == (1, 32, 32, 1) and x.dtype == np.float32, _short(x)
    assert x.min() >= 0 and x.max() <= 1 and x.max() > 0.9, f"범위 {x.min()}~{x.max()}"


@probe("handwriting", "mnist_steps.consistent")
def _steps_consistent() -> None:
    from lenetlib import handwriting

    steps = handwriting.mnist_steps(seven())
    same(steps.mnist, reference(), what="steps.mnist")
    assert steps.inverted and max(steps.resized.shape) == handwriting.BOX_SIZE, steps.bbox


@probe("handwriting", "load_samples")
def _samples() -> None:
    from lenetlib import handwriting

    images, labels = handwriting.load_samples()
    assert images.ndim == 4 and images.shape[-1] == 3 and len(images) == len(labels), images.shape
    assert set(labels.tolist()) <= set(range(10)), labels


# ---------------------------------------------------------------------------
# canvas: read_digit · DigitCanvas · plot_reading · plot_steps
# ---------------------------------------------------------------------------

BAD_MODELS: dict[str, Callable[[], Any]] = {
    "input-28x28": lambda: _lenet_28(),
    "input-rgb": lambda: small_model((32, 32, 3), 10, "softmax"),
    "input-no-channel": lambda: small_model((32, 32), 10, "softmax"),
    "three-classes": lambda: small_model((32, 32, 1), 3, "softmax"),
    "not-callable": lambda: SimpleNamespace(predict=lambda x: x, layers=[]),
    "none": lambda: None,
    "string": lambda: "lenet5.keras",
}


@functools.cache
def _lenet_28() -> Any:
    from lenetlib import model

    return model.build_lenet5(input_shape=(28, 28, 1))


def _read(model: Any, image: Any = None) -> Any:
    from lenetlib import canvas

    return canvas.read_digit(model, seven() if image is None else image)


def _board(model: Any, **kwargs: Any) -> Any:
    from lenetlib import canvas

    return canvas.DigitCanvas(model, **kwargs)


for _name, _make in BAD_MODELS.items():
    add("canvas", f"read_digit.model-{_name}", lambda m=_make: raises(_read, m()))
    add("canvas", f"DigitCanvas.model-{_name}", lambda m=_make: raises(_board, m()))

OUTPUT_MODELS: dict[str, tuple[Callable[[], Any], str]] = {
    "logits": (lambda: small_model((32, 32, 1), 10, None), "softmax"),
    "sigmoid": (lambda: small_model((32, 32, 1), 10, "sigmoid"), "softmax"),
}
for _name, (_make, _match) in OUTPUT_MODELS.items():
    add("canvas", f"read_digit.{_name}", lambda m=_make, t=_match: raises(_read, m(), match=t))


def _widget_says(model: Any, strokes: Any, match: str) -> None:
    """그린 뒤 ``strokes``로 바꾸면: 예측은 지워지고 캔버스 안내(message)가 한국어로."""
    with no_new_figures():
        board = _board(model)
        board.strokes = [[(150.0, 30.0), (150.0, 250.0)]]  # 먼저 1을 그려 둠
        board.strokes = strokes
    assert board.reading is None and board.prediction == "", board.prediction
    if not re.search(match, korean(board.message, "캔버스 안내")):
        raise Bad(f"캔버스 안내에 {match!r}이(가) 없음: {board.message[:160]!r}")


@probe("canvas", "read_digit.model-without-C1")
def _no_c1() -> None:
    raises(_read, small_model((32, 32, 1), 10, "softmax", conv="conv"), match="C1")


@probe("canvas", "read_digit.subclassed-model")
def _subclassed() -> None:
    """서브클래스 모델 (입력 모양을 미리 모름): 읽거나 한국어 오류."""
    from lenetlib._internal.backend import keras

    class Tiny(keras.Model):
        def __init__(self) -> None:
            super().__init__()
            self.c1 = keras.layers.Conv2D(6, 5, name="C1")
            self.flat, self.out = keras.layers.Flatten(), keras.layers.Dense(10, "softmax")

        def call(self, x: Any, training: bool = False) -> Any:
            return self.out(self.flat(self.c1(x)))

    try:
        reading = _read(Tiny())
    except ValueError as exc:
        korean(str(exc))
        return
    assert reading.probabilities.shape == (10,), _short(reading.probabilities)


@probe("canvas", "read_digit.good")
def _read_good() -> None:
    reading = _read(lenet())
    p = reading.probabilities
    assert p.shape == (10,) and abs(float(p.sum()) - 1) < 1e-4, _short(p)
    assert reading.digit == int(p.argmax()) and reading.c1.shape == (28, 28, 6), reading.c1.shape
    same(reading.mnist, reference(), what="reading.mnist")


@probe("canvas", "read_digit.bad-image")
def _read_bad_image() -> None:
    raises(_read, lenet(), _white(), match="한 가지 색")


@probe("canvas", "DigitCanvas.strokes-at-construction")
def _board_with_strokes() -> None:
    with no_new_figures():
        board = _board(lenet(), strokes=SEVEN_STROKES)
    assert board.reading is not None and board.prediction.startswith("예측: "), board.message


#: 위젯 안의 문제는 예외 대신 캔버스 안내(message)로: 이름 → (모델, 획, 안내에 있어야 할 말)
WIDGET_MESSAGES: dict[str, tuple[Callable[[], Any], Any, str]] = {
    "logits-message": (OUTPUT_MODELS["logits"][0], SEVEN_STROKES, "softmax"),
    "sigmoid-message": (OUTPUT_MODELS["sigmoid"][0], SEVEN_STROKES, "softmax"),
    "strokes-empty": (lenet, [], "비어 있습니다"),
    "strokes-nan": (lenet, [[[60.0, 50.0], [math.nan, 50.0]]], "유한"),
    "strokes-tap": (lenet, [[[140.0, 140.0]]], "잉크가 너무 적습니다"),
    "strokes-broken-points": (lenet, [[[1, 2, 3]]], "점의 목록"),
    "strokes-strings": (lenet, [[["a", "b"]]], "점의 목록"),
}
for _name, (_model, _drawn, _match) in WIDGET_MESSAGES.items():
    add(
        "canvas",
        f"DigitCanvas.{_name}",
        lambda m=_model, s=_drawn, t=_match: _widget_says(m(), s, t),
    )


@probe("canvas", "DigitCanvas.trait-strokes-string")
def _strokes_string() -> None:
    """문자열 획: 한국어 오류이거나, 캔버스 안내에 한국어로 (읽은 결과는 없음)."""
    try:
        board = _board(lenet(), strokes="seven")
    except ValueError as exc:
        korean(str(exc))
        return
    assert board.reading is None, "문자열 획을 숫자로 읽음"
    korean(board.message, "캔버스 안내")


for _name, _kwargs in {
    "size-string": {"size": "big"},
    "size-zero": {"size": 0},
    "size-negative": {"size": -280},
    "size-huge": {"size": 10**6},
    "width-string": {"stroke_width": "thick"},
    "width-zero": {"stroke_width": 0.0},
    "width-nan": {"stroke_width": math.nan},
}.items():
    add("canvas", f"DigitCanvas.trait-{_name}", lambda k=_kwargs: raises(_board, lenet(), **k))


@probe("canvas", "DigitCanvas.misspelled-option")
def _misspelled() -> None:
    raises(_board, lenet(), stroke_widht=8.0, match="stroke_widht")


@probe("canvas", "read_digit.batch-of-images")
def _read_batch() -> None:
    raises(_read, lenet(), np.zeros((3, 28, 28), np.uint8), match="한 장씩")


@probe("canvas", "DigitCanvas.size-assigned-later")
def _size_later() -> None:
    board = _board(lenet())
    raises(setattr, board, "size", 3, match="size")
    assert board.size == 280, f"거절한 값이 남음: {board.size}"


@probe("canvas", "DigitCanvas.assign-none")
def _assign_none() -> None:
    board = _board(lenet())
    raises(setattr, board, "strokes", None)


@probe("canvas", "DigitCanvas.model-error-becomes-message")
def _model_error() -> None:
    class Broken:
        input_shape, output_shape = (None, 32, 32, 1), (None, 10)

        def __init__(self) -> None:
            self.layers: list = []

        def predict(self, x: Any) -> Any:
            raise RuntimeError("boom")

        def __call__(self, x: Any, training: bool = False) -> Any:
            raise RuntimeError("boom")

    _widget_says(Broken(), SEVEN_STROKES, "예상하지 못한 오류")


@probe("canvas", "plot_steps.none")
def _steps_none() -> None:
    from lenetlib import canvas

    with no_new_figures():
        raises(canvas.plot_steps, None, match="HandwritingSteps")


@probe("canvas", "plot_steps.empty-list")
def _steps_empty() -> None:
    from lenetlib import canvas

    with no_new_figures():
        raises(canvas.plot_steps, [], match="HandwritingSteps")


@probe("canvas", "plot_steps.mixed-list")
def _steps_mixed() -> None:
    from lenetlib import canvas, handwriting

    with no_new_figures():
        raises(canvas.plot_steps, [handwriting.mnist_steps(seven()), "x"], match="HandwritingSteps")


@probe("canvas", "plot_steps.two-rows")
def _steps_two() -> None:
    import matplotlib.pyplot as plt

    from lenetlib import canvas, handwriting

    steps = handwriting.mnist_steps(seven())
    fig = canvas.plot_steps((steps, steps))
    rows = len(fig.axes)
    plt.close(fig)
    assert rows == 14, f"두 줄이면 축 14개, 받은 것 {rows}개"


@probe("canvas", "plot_reading.none")
def _reading_none() -> None:
    from lenetlib import canvas

    with no_new_figures():
        raises(canvas.plot_reading, None, match="Reading")


for _name, _label in {
    "true-label-11": 11,
    "true-label-string": "7",
    "true-label-float": 7.5,
}.items():
    add("canvas", f"plot_reading.{_name}", lambda lab=_label: _plot_reading_bad(lab))


def _plot_reading_bad(label: Any) -> None:
    from lenetlib import canvas

    reading = _read(lenet())
    with no_new_figures():
        raises(canvas.plot_reading, reading, true_label=label, match="true_label")


# ---------------------------------------------------------------------------
# exercises: 모든 번호 × 느슨한 형식, NumPy로 낸 정답
# ---------------------------------------------------------------------------


def _cases() -> dict[str, tuple[Any, Any]]:
    from tools import (
        exercise_cases_1to3,
        exercise_cases_4to6,
        exercise_cases_7,
        exercise_cases_8_A1,
    )

    cases = exercise_cases_1to3.CASES | exercise_cases_4to6.CASES | exercise_cases_7.CASES
    return cases | exercise_cases_8_A1.CASES


def _numpy_version(answer: Any) -> Any:
    """풀이의 답을 NumPy 값으로 (학생이 계산해서 넣는 모양)."""
    if isinstance(answer, str):
        return np.str_(answer)
    if isinstance(answer, bool):
        return answer
    if isinstance(answer, int):
        return np.int64(answer)
    if isinstance(answer, float):
        return np.float64(answer)
    if isinstance(answer, SimpleNamespace):
        return {
            k: np.int64(v) if isinstance(v, int) and not isinstance(v, bool) else v
            for k, v in vars(answer).items()
        }
    if isinstance(answer, tuple) and all(isinstance(v, int | float) for v in answer):
        return np.asarray(answer)
    if isinstance(answer, tuple):  # 5-5: (수, 수, result): 수만 NumPy로
        return [np.float64(v) if isinstance(v, float) else v for v in answer]
    return answer


def _result(key: str, answer: Any) -> tuple[bool, str]:
    from lenetlib import exercises

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        ok, message = exercises.result(key, answer)
    korean(message, "피드백")
    return ok, message


def _exercise_good(key: str) -> Callable[[], None]:
    def run() -> None:
        ok, message = _result(key, _numpy_version(_cases()[key][0]))
        if not ok:
            raise Bad(f"NumPy 값으로 낸 정답이 틀렸다고 함: {message[:160]}")

    return run


def _exercise_odd(key: str, answer: Any) -> Callable[[], None]:
    def run() -> None:
        ok, message = _result(key, answer)
        if ok:
            raise Bad(f"이상한 답 {_short(answer)}을(를) 정답이라고 함")
        if not message.startswith((f"✗ {key} ", f"⚠ {key} ")):
            raise Bad(f"피드백 형식이 다름: {message[:120]!r}")

    return run


ODD_ANSWERS: list[tuple[str, Any]] = [
    ("string", "12"),
    ("complex", 3 + 0j),
    ("nan", math.nan),
    ("inf", math.inf),
    ("huge-int", 10**400),
    ("bool", True),
    ("object", object()),
    ("dict", {"a": 1}),
    ("bytes", b"12"),
    ("numpy-nan", np.float32("nan")),
    ("big-array", np.zeros((300, 300))),
    ("empty-list", []),
    ("ellipsis-pair", (..., ...)),
    ("ragged", [[1, 2], [3]]),
    ("set", {1, 2}),
    ("numpy-complex", np.complex128(1 + 1j)),
    ("fraction", 0.5),
    ("negative", -7),
    ("none-pair", (None, None)),
]
EXERCISE_KEYS = (
    "1-2",
    "1-3",
    "2-1",
    "2-2",
    "2-3",
    "3-1",
    "3-2",
    "3-3",
    "4-1",
    "4-2",
    "4-3",
    "4-4",
    "4-6",
    "5-1",
    "5-3",
    "5-5",
    "6-2",
    "6-3",
    "7-1",
    "7-4",
    "7-6",
    "7-7",
    "8-1",
    "8-2",
    "8-3",
    "A1-1",
    "A1-2",
)
for _i, _key in enumerate(EXERCISE_KEYS):
    add("exercises", f"{_key}.numpy-solution", _exercise_good(_key))
    for _j in range(4):
        _odd_name, _odd = ODD_ANSWERS[(4 * _i + _j) % len(ODD_ANSWERS)]
        add("exercises", f"{_key}.{_odd_name}", _exercise_odd(_key, _odd))


@probe("exercises", "keys-match-table")
def _keys_match() -> None:
    from lenetlib import exercises

    assert tuple(exercises.keys()) == EXERCISE_KEYS, f"등록된 번호가 바뀜: {exercises.keys()}"


for _name, _key in {
    "unknown-key": "99-9",
    "int-key": 31,
    "padded-key": " 3-1",
    "none-key": None,
}.items():
    add("exercises", f"result.{_name}", lambda k=_key: _result_bad_key(k))


def _result_bad_key(key: Any) -> None:
    from lenetlib import exercises

    raises(exercises.result, key, 1, match="연습 문제 번호")


@probe("exercises", "integer-float-ok")
def _integer_float() -> None:
    ok, message = _result("6-3", 14.0)
    assert ok, message


@probe("exercises", "missing-mnist-says-data")
def _missing_mnist() -> None:
    from lenetlib import data, exercises

    def offline(*args: Any, **kwargs: Any) -> Any:
        raise data.DataError(
            "어디서도 MNIST 데이터를 가져오지 못했습니다. `make data`를 실행하세요."
        )

    real = data.load_mnist
    exercises.mnist.cache_clear()
    data.load_mnist = offline
    try:
        ok, message = _result("1-3", 2)
    finally:
        data.load_mnist = real
        exercises.mnist.cache_clear()
    assert not ok and "MNIST" in message and "형태" not in message, message


# ---------------------------------------------------------------------------
# paper: table · compare · reference · seed_spread · spread_summary · Recipe · build_row · run_row
# ---------------------------------------------------------------------------


def _paper() -> Any:
    from lenetlib import paper

    return paper


def _row_run(label: str = "이 강의의 LeNet-5", error: float = 1.0, params: int = 61706) -> Any:
    return _paper().RowRun(label, 42, error, params, history(), True, None)


@probe("paper", "table.default")
def _table_default() -> None:
    frame = _paper().rows_table()
    assert len(frame) == 4 + len(_paper().ROWS), len(frame)


@probe("paper", "table.runs-none")
def _table_none() -> None:
    assert len(_paper().rows_table(None)) == 4 + len(_paper().ROWS)


@probe("paper", "table.run-value-shown")
def _table_run() -> None:
    frame = _paper().rows_table([_row_run(error=1.23)])
    row = frame[frame["모델"] == "이 강의의 LeNet-5"].iloc[0]
    assert row["이번 실행(%)"] == 1.23 and row["파라미터 수"] == 61706, row.to_dict()


@probe("paper", "table.custom-recipe-run-not-dropped")
def _table_custom() -> None:
    frame = _paper().rows_table([_row_run("내가 만든 줄", 2.5, 1234)])
    if "내가 만든 줄" not in set(frame["모델"]):
        raise Bad("ROWS에 없는 줄(직접 만든 Recipe)의 결과가 표에서 말없이 빠짐")


BAD_TABLE: dict[str, tuple[Callable[[], Any], str]] = {
    "runs-string": (lambda: {"runs": "이 강의의 LeNet-5"}, "runs"),
    "runs-int": (lambda: {"runs": 5}, "runs"),
    "runs-item-int": (lambda: {"runs": [1]}, "RowRun"),
    "runs-item-dict": (lambda: {"runs": [{"label": "x"}]}, "RowRun"),
    "ref-empty-dict": (lambda: {"ref": {}}, "rows"),
    "ref-empty-rows": (lambda: {"ref": {"rows": []}}, "rows"),
    "ref-list": (lambda: {"ref": []}, "rows"),
    "ref-string": (lambda: {"ref": "paper_reference.json"}, "rows"),
    "ref-row-no-runs": (lambda: {"ref": {"rows": [{"label": "x"}]}}, "runs"),
    "ref-row-bad-error": (lambda: {"ref": _ref_row(runs=[{"test_error_percent": "abc"}])}, "runs"),
    "ref-row-nan-error": (
        lambda: {"ref": _ref_row(runs=[{"test_error_percent": math.nan}])},
        "runs",
    ),
    "ref-row-runs-dict": (lambda: {"ref": _ref_row(runs={"test_error_percent": 1.0})}, "runs"),
    "ref-row-label-int": (lambda: {"ref": _ref_row(label=5)}, "label"),
    "ref-row-params-negative": (lambda: {"ref": _ref_row(params=-1)}, "params"),
    "ref-row-params-string": (lambda: {"ref": _ref_row(params="61706")}, "params"),
    "ref-row-params-bool": (lambda: {"ref": _ref_row(params=True)}, "params"),
}


def _ref_row(**row: Any) -> dict[str, Any]:
    base = {"label": "이 강의의 LeNet-5", "params": 61706, "runs": [{"test_error_percent": 1.0}]}
    return {"rows": [{**base, **row}]}


for _name, (_make, _match) in BAD_TABLE.items():
    add("paper", f"table.{_name}", lambda m=_make, t=_match: _table_bad(m(), t))


def _table_bad(kwargs: dict[str, Any], match: str) -> None:
    runs = kwargs.pop("runs", ())
    raises(_paper().rows_table, runs, match=match, **kwargs)


@probe("paper", "table.same-row-twice")
def _table_twice() -> None:
    runs = [
        _row_run(error=1.0),
        _paper().RowRun("이 강의의 LeNet-5", 7, 2.0, 61706, None, True, None),
    ]
    raises(_paper().rows_table, runs, match="두 번")


@probe("paper", "reference.tilde")
def _reference_tilde() -> None:
    home = scratch("paper-home")
    _json_file(home, json.dumps(_ref_row()))
    with env(HOME=str(home)):
        got = _paper().reference("~/ref.json")
    assert got["rows"][0]["summary"]["mean"] == 1.0, got


@probe("paper", "table.ref-row-without-params")
def _table_no_params() -> None:
    frame = _paper().rows_table(ref=_ref_row(params=None))
    row = frame[frame["모델"] == "이 강의의 LeNet-5"].iloc[0]
    assert row["기준 평균(%)"] == 1.0, row.to_dict()


@probe("paper", "compare.good")
def _compare_good() -> None:
    frame = _paper().error_table(np.float32(0.9))
    assert len(frame) == 6 and abs(frame.iloc[4, 2] - 0.9) < 1e-6, frame


for _name, (_value, _spread, _match) in {
    "negative": (-1, None, "test_error_percent"),
    "above-100": (101, None, "test_error_percent"),
    "nan": (math.nan, None, "test_error_percent"),
    "string": ("5", None, "test_error_percent"),
    "bool": (True, None, "test_error_percent"),
    "spread-empty": (5, {}, "runs"),
    "spread-empty-runs": (5, {"runs": []}, "runs"),
    "spread-string": (5, "seed_spread.json", "runs"),
    "spread-run-no-error": (5, {"runs": [{"seed": 1}]}, "runs"),
}.items():
    add(
        "paper",
        f"compare.{_name}",
        lambda v=_value, s=_spread, t=_match: raises(_paper().error_table, v, spread=s, match=t),
    )


def _json_file(folder: Path, content: str, name: str = "ref.json") -> Path:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return path


for _fn in ("reference", "seed_spread"):
    for _name, (_make, _match) in {
        "bytes-path": (lambda f: b"x.json", "경로"),
        "int-path": (lambda f: 5, "경로"),
        "missing": (lambda f: f / "없음.json", "읽을 수 없습니다"),
        "folder": (lambda f: f, "읽을 수 없습니다"),
        "not-json": (lambda f: _json_file(f, "{이건 JSON이 아님"), "읽을 수 없습니다"),
        "json-list": (lambda f: _json_file(f, "[1, 2]"), "목록"),
        "fifo": (lambda f: fifo(f, "ref.json"), ""),
        "binary": (lambda f: _write(f, "ref.json", b"\xff\xfe\x00garbage"), "읽을 수 없습니다"),
    }.items():
        add(
            "paper",
            f"{_fn}.{_name}",
            lambda fn=_fn, m=_make, t=_match: _paper_json_bad(fn, m, t),
            timeout=10,
        )


def _paper_json_bad(fn: str, make: Callable[[Path], Any], match: str) -> None:
    raises(getattr(_paper(), fn), make(scratch("paper-json")), match=match)


@probe("paper", "reference.rows-without-label")
def _reference_no_label() -> None:
    path = _json_file(
        scratch("paper-ref"), json.dumps({"rows": [{"runs": [{"test_error_percent": 1.0}]}]})
    )
    raises(_paper().reference, path, match="label")


add_bad_values(
    "paper",
    "spread_summary",
    lambda: _paper().spread_summary,
    {
        "empty": ([], "하나 이상"),
        "nan": ([1.0, math.nan], "NaN"),
        "two-d": ([[1.0, 2.0]], "1차원"),
        "strings": (["a"], "dtype"),
        "none": (None, ""),
    },
)


@probe("paper", "spread_summary.one-run")
def _summary_one() -> None:
    got = _paper().spread_summary([1.5])
    assert got == {"n": 1, "mean": 1.5, "std": 0.0, "min": 1.5, "max": 1.5}, got


for _name, (_args, _kwargs, _match) in {
    "escape-folder": (("x", "../../../escape"), {}, "folder"),
    "absolute-folder": (("x", "/tmp/x"), {}, "folder"),
    "slash-folder": (("x", "a/b"), {}, "folder"),
    "empty-folder": (("x", ""), {}, "folder"),
    "dot-folder": (("x", ".."), {}, "folder"),
    "korean-folder": (("x", "내폴더"), {}, "folder"),
    "long-folder": (("x", "a" * 65), {}, "folder"),
    "folder-int": (("x", 5), {}, "folder"),
    "empty-label": (("  ", "ok"), {}, "label"),
    "label-int": ((5, "ok"), {}, "label"),
    "dropout-one": (("x", "ok"), {"dropout": 1.0}, "dropout"),
    "dropout-negative": (("x", "ok"), {"dropout": -0.1}, "dropout"),
    "dropout-nan": (("x", "ok"), {"dropout": math.nan}, "dropout"),
    "flag-string": (("x", "ok"), {"relu": "yes"}, "relu"),
    "flag-int": (("x", "ok"), {"classic": 1}, "classic"),
    "classic-with-relu": (("x", "ok"), {"classic": True, "relu": True}, "classic"),
    "classic-with-batch-norm": (("x", "ok"), {"classic": True, "batch_norm": True}, "classic"),
    "classic-with-dropout": (("x", "ok"), {"classic": True, "dropout": 0.2}, "classic"),
}.items():
    add(
        "paper",
        f"Recipe.{_name}",
        lambda a=_args, k=_kwargs, t=_match: raises(_paper().Recipe, *a, match=t, **k),
    )


for _name, (_row, _seed, _match) in {
    "unknown-row": ("LeNet-6", 42, "표에 없는 줄"),
    "row-int": (5, 42, "표에 없는 줄"),
    "row-none": (None, 42, "표에 없는 줄"),
    "seed-negative": ("+ ReLU", -1, "seed"),
    "seed-string": ("+ ReLU", "42", "seed"),
    "seed-float": ("+ ReLU", 4.2, "seed"),
}.items():
    add(
        "paper",
        f"build_row.{_name}",
        lambda r=_row, s=_seed, t=_match: raises(_paper().build_row, r, seed=s, match=t),
    )


@probe("paper", "row_folder.inside-directory")
def _row_folder() -> None:
    folder = scratch("paper-rowfolder")
    got = _paper().row_folder(_paper().Recipe("내 줄", "mine"), 7, folder)
    assert got == folder / "paper" / "mine-seed7", got


for _name, (_kwargs, _match) in {
    "progress-loud": ({"progress": "loud"}, "progress"),
    "force-string": ({"force": "yes"}, "force"),
    "seed-negative": ({"seed": -1}, "seed"),
    "epochs-zero": ({"epochs": 0}, "epochs"),
    "row-unknown": ({"row": "LeNet-6"}, "표에 없는 줄"),
    "data-none": ({"data": None}, "data"),
    "directory-int": ({"directory": 5}, "directory"),
}.items():
    add("paper", f"run_row.{_name}", lambda k=_kwargs, t=_match: _run_row_bad(k, t))


def _run_row_bad(kwargs: dict[str, Any], match: str) -> None:
    folder = scratch("paper-runrow") / "artifacts"
    kwargs = {"row": "이 강의의 LeNet-5", "data": tiny(), "directory": folder, **kwargs}
    raises(_paper().run_row, kwargs.pop("row"), kwargs.pop("data"), match=match, **kwargs)
    if folder.exists():
        raise Bad(f"인자를 거절하기 전에 폴더를 만듦: {folder}")


def _unpadded() -> Any:
    """2장의 전처리를 잊은 데이터: 28×28 이미지 (모델은 32×32×1)."""
    d = tiny()
    return replace_data(d, x_train=d.x_train[:, 2:30, 2:30, 0], x_val=d.x_val[:, 2:30, 2:30, 0])


def replace_data(d: Any, **arrays: Any) -> Any:
    return SimpleNamespace(
        **{k: getattr(d, k) for k in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test")}
        | arrays
    )


def _integer_labels() -> Any:
    """원-핫이 아닌 정수 레이블 (prepare_mnist(..., one_hot=False))."""
    d = tiny()
    return replace_data(d, **{f"y_{s}": getattr(d, f"y_{s}").argmax(1) for s in ("train", "val")})


for _name, (_make, _match) in {
    "unpadded-data": (_unpadded, "32"),
    "integer-labels": (_integer_labels, "원-핫"),
}.items():
    add("paper", f"run_row.{_name}", lambda m=_make, t=_match: _run_row_data(m(), t), timeout=60)
    add(
        "artifacts",
        f"get_or_train.{_name}",
        lambda m=_make, t=_match: _get_data(m(), t),
        timeout=60,
    )


def _run_row_data(data: Any, match: str) -> None:
    folder = scratch("paper-data") / "artifacts"
    with contextlib.redirect_stdout(io.StringIO()):
        raises(
            _paper().run_row,
            "이 강의의 LeNet-5",
            data,
            epochs=1,
            directory=folder,
            progress="none",
            match=match,
        )
    if folder.exists():
        raise Bad("잘못된 데이터를 거절하기 전에 폴더를 만듦")


def _get_data(data: Any, match: str) -> None:
    folder = scratch("art-data") / "new"
    with contextlib.redirect_stdout(io.StringIO()):
        raises(_artifacts().get_or_train, folder, data, cfg(), progress="none", match=match)
    if folder.exists():
        raise Bad("잘못된 데이터를 거절하기 전에 폴더를 만듦")


@probe("paper", "run_row.directory-is-user-file")
def _run_row_file() -> None:
    from lenetlib.artifacts import ArtifactError

    path, content = user_file(scratch("paper-userfile"), "artifacts")
    raises(
        _paper().run_row, "이 강의의 LeNet-5", tiny(), epochs=1, directory=path, kinds=ArtifactError
    )
    intact(path, content)


def _saved_row(row: str, as_row: str, folder: Path) -> None:
    """``row``의 모델을 ``as_row``의 폴더에 저장 (다른 줄의 묶음을 복사해 온 상황)."""
    from lenetlib import artifacts, training

    paper = _paper()
    target = paper.row_folder(as_row, 42, folder)
    config = training.TrainConfig(epochs=1, seed=42)
    artifacts.save_run(target, paper.build_row(row, seed=42), history(), config, tiny())


@probe("paper", "run_row.saved-matching-row-loads")
def _run_row_loads() -> None:
    folder = scratch("paper-load")
    _saved_row("이 강의의 LeNet-5", "이 강의의 LeNet-5", folder)
    run = _paper().run_row("이 강의의 LeNet-5", tiny(), epochs=1, directory=folder)
    assert not run.trained_now and run.params == 61706, (run.trained_now, run.params)


@probe("paper", "run_row.relu-bundle-in-course-folder", timeout=90)
def _run_row_foreign() -> None:
    folder = scratch("paper-foreign")
    _saved_row("+ ReLU", "이 강의의 LeNet-5", folder)
    with contextlib.redirect_stdout(io.StringIO()):
        run = _paper().run_row(
            "이 강의의 LeNet-5", tiny(), epochs=1, directory=folder, progress="none"
        )
    names = [layer.name for layer in run.model.layers]
    if not run.trained_now or "C1_relu" in names or run.params != 61706:
        raise Bad(f"다른 줄(+ ReLU)의 묶음을 이 강의의 LeNet-5로 불러옴: {names}")
    no_leftovers(_paper().row_folder("이 강의의 LeNet-5", 42, folder))


# ---------------------------------------------------------------------------
# artifacts: 저장·불러오기·찾기 (작은 모델, 망가진·없는·다른 묶음, 미끼 파일)
# ---------------------------------------------------------------------------


def _artifacts() -> Any:
    from lenetlib import artifacts

    return artifacts


def _error() -> type:
    return _artifacts().ArtifactError


@probe("artifacts", "load_model.good")
def _load_good() -> None:
    loaded = _artifacts().load_model(bundle("art-good"))
    for a, b in zip(loaded.get_weights(), lenet().get_weights(), strict=True):
        if not np.array_equal(a, b):
            raise Bad("불러온 가중치가 저장한 것과 다름")


@probe("artifacts", "get_or_train.loads-saved")
def _get_loads() -> None:
    outcome = _artifacts().get_or_train(bundle("art-get"), tiny(), cfg())
    assert not outcome.trained_now, outcome.reason


@probe("artifacts", "find_run.other-architecture")
def _find_relu() -> None:
    folder = scratch("art-relu") / "run"
    _artifacts().save_run(folder, _paper().build_row("+ ReLU"), history(), cfg(), tiny())
    found, reason = _artifacts().find_run(folder, tiny(), cfg())
    if found is not None:
        raise Bad("ReLU 모델의 묶음을 강의의 LeNet-5로 불러옴")
    korean(reason, "이유")


@probe("artifacts", "find_run.other-data")
def _find_other_data() -> None:
    from lenetlib import preprocessing

    (x, y), (xt, yt) = mnist_arrays()
    other = preprocessing.prepare_mnist((x[60:120], y[60:120]), (xt[:40], yt[:40]))
    found, reason = _artifacts().find_run(bundle("art-data"), other, cfg())
    assert found is None and "data" in reason, reason


@probe("artifacts", "find_run.other-config")
def _find_other_cfg() -> None:
    found, reason = _artifacts().find_run(bundle("art-cfg"), tiny(), cfg(epochs=2))
    assert found is None and "epochs" in reason, reason


def _flip(path: Path, offset: int) -> None:
    raw = bytearray(path.read_bytes())
    raw[offset % len(raw)] ^= 0xFF
    path.write_bytes(bytes(raw))


def _run_file(folder: Path, name: str) -> Path:
    info = json.loads((folder / "config.json").read_text())
    return folder / info["run_folder"] / name


def _damaged(name: str, damage: Callable[[Path], None], match: str = "") -> Callable[[], None]:
    def run() -> None:
        folder = bundle(f"art-{name}")
        damage(folder)
        raises(_artifacts().load_model, folder, kinds=_error(), match=match)
        found, reason = _artifacts().find_run(folder, tiny(), cfg())
        if found is not None:
            raise Bad("망가진 묶음을 find_run이 불러옴")
        korean(reason, "find_run의 이유")

    return run


for _name, (_damage, _match) in {
    "model-byte-flip": (lambda f: _flip(_run_file(f, "lenet5.keras"), 2000), ""),
    "model-truncated": (lambda f: _run_file(f, "lenet5.keras").write_bytes(b"PK\x03\x04"), ""),
    "history-truncated": (lambda f: _run_file(f, "history.json").write_text("{"), ""),
    "config-missing": (lambda f: (f / "config.json").unlink(), "없습니다"),
    "config-garbage": (lambda f: (f / "config.json").write_bytes(b"\x00\xff garbage"), "손상"),
    "config-list": (lambda f: (f / "config.json").write_text("[]"), "config.json"),
    "config-run-folder-escape": (lambda f: _edit_config(f, run_folder="../../etc"), "run_folder"),
    "config-files-missing": (lambda f: _edit_config(f, files=None), "files"),
    "visible-model-flipped-run-folder-deleted": (lambda f: _flip_visible(f), ""),
    "classic-with-rewritten-hashes": (lambda f: _foreign_model(f), "다릅니다"),
}.items():
    add("artifacts", f"damaged.{_name}", _damaged(_name, _damage, _match))


def _flip_visible(folder: Path) -> None:
    """세대 폴더를 지우고(보이는 파일만 복사해 온 상황) 보이는 모델 파일도 망가뜨림."""
    shutil.rmtree(_run_file(folder, "x").parent)
    _flip(folder / "lenet5.keras", 2000)


@probe("artifacts", "load_model.visible-files-only")
def _visible_only() -> None:
    """세대 폴더 없이 보이는 파일만 복사해 온 묶음: 해시가 맞으면 불러옴 (설계대로)."""
    folder = bundle("art-visible")
    shutil.rmtree(_run_file(folder, "x").parent)
    _artifacts().load_model(folder)


def _edit_config(folder: Path, **changes: Any) -> None:
    info = json.loads((folder / "config.json").read_text())
    info.update(changes)
    (folder / "config.json").write_text(json.dumps(info))


def _foreign_model(folder: Path) -> None:
    """논문판 LeNet-5를 lenet5.keras 자리에 넣고 config.json의 해시까지 고쳐 씀."""
    import hashlib

    from lenetlib import model

    target = _run_file(folder, "lenet5.keras")
    target.unlink()
    model.build_lenet5_classic().save(target)
    shutil.copyfile(target, folder / "lenet5.keras.new")
    (folder / "lenet5.keras").unlink()
    (folder / "lenet5.keras.new").rename(folder / "lenet5.keras")
    info = json.loads((folder / "config.json").read_text())
    info["files"]["lenet5.keras"] = hashlib.sha256(target.read_bytes()).hexdigest()
    (folder / "config.json").write_text(json.dumps(info))


for _name, (_make, _kinds, _match) in {
    "missing-folder": (lambda: scratch("art-missing") / "nothing", "artifact", "없습니다"),
    "directory-int": (lambda: 5, ValueError, "directory"),
    "directory-is-file": (lambda: user_file(scratch("art-file"))[0], "artifact", ""),
}.items():
    add(
        "artifacts",
        f"load_model.{_name}",
        lambda m=_make, k=_kinds, t=_match: raises(
            _artifacts().load_model, m(), kinds=_error() if k == "artifact" else k, match=t
        ),
    )


def _save_bad(field: str, value: Any, match: str) -> Callable[[], None]:
    def run() -> None:
        folder = scratch(f"art-save-{field}") / "new"
        args = {"model": lenet(), "history": history(), "cfg": cfg(), "data": tiny(), field: value}
        raises(_artifacts().save_run, folder, match=match, **args)
        if folder.exists():
            raise Bad("인자를 거절하기 전에 폴더를 만듦")

    return run


for _field, _value, _match in (
    ("model", "lenet5", "model"),
    ("history", None, "history"),
    ("cfg", {}, "cfg"),
    ("data", None, "data"),
    ("history", {"loss": [1.0]}, "history"),
):
    add(
        "artifacts",
        f"save_run.bad-{_field}-{type(_value).__name__}",
        _save_bad(_field, _value, _match),
    )


@probe("artifacts", "save_run.directory-is-user-file")
def _save_on_file() -> None:
    path, content = user_file(scratch("art-save-file"))
    raises(_artifacts().save_run, path, lenet(), history(), cfg(), tiny(), kinds=_error())
    intact(path, content)


@probe("artifacts", "save_run.decoys-survive")
def _save_decoys() -> None:
    folder = scratch("art-decoys") / "run"
    with decoys(folder):
        _artifacts().save_run(folder, lenet(), history(), cfg(), tiny())
        _artifacts().save_metrics(folder, {"test_accuracy": 0.5})
        _artifacts().save_run(folder, lenet(), history(), cfg(), tiny())
    no_leftovers(folder)


@probe("artifacts", "save_run.stale-temp-of-dead-process-removed")
def _save_sweeps() -> None:
    folder = bundle("art-stale")
    stale = folder / f".lenet5.{dead_pid()}.abc123.lenetlib-tmp.keras"
    stale.write_bytes(b"x" * 1000)
    with decoys(folder):
        _artifacts().save_run(folder, lenet(), history(), cfg(), tiny())
    if stale.exists():
        raise Bad("끝난 lenetlib 프로세스의 임시 파일이 다음 저장 뒤에도 남음")


class _FailingSave:
    """진짜 모델처럼 보이지만 ``save``가 반쯤 쓰고 ``failure``를 냄 (디스크 가득·Ctrl+C)."""

    def __init__(self, model: Any, failure: BaseException) -> None:
        self._model, self._failure = model, failure

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def save(self, path: Any) -> None:
        Path(path).write_bytes(b"PK\x03\x04 half written")
        raise self._failure


def _interrupted(failure: BaseException, kinds: Any) -> Callable[[], None]:
    def run() -> None:
        folder = bundle(f"art-interrupt-{type(failure).__name__}")
        before = _artifacts().load_run_info(folder)["run_id"]
        with decoys(folder):
            try:
                _artifacts().save_run(
                    folder, _FailingSave(lenet(), failure), history(), cfg(), tiny()
                )
            except kinds as exc:
                if isinstance(exc, Exception):
                    korean(str(exc))
            else:
                raise Bad("저장이 실패했는데 오류가 없음")
        if _artifacts().load_run_info(folder)["run_id"] != before:
            raise Bad("끊긴 저장이 예전 묶음의 config.json을 바꿈")
        _artifacts().load_model(folder)  # 예전 묶음이 그대로 불러와져야 함
        no_leftovers(folder)

    return run


# 디스크가 가득 참: 한국어 ArtifactError(RuntimeError). Ctrl+C: KeyboardInterrupt 그대로
add(
    "artifacts",
    "save_run.disk-full-keeps-old",
    _interrupted(OSError(errno.ENOSPC, "No space left on device"), RuntimeError),
)
add(
    "artifacts",
    "save_run.interrupt-keeps-old",
    _interrupted(KeyboardInterrupt(), KeyboardInterrupt),
)


@probe("artifacts", "save_metrics.no-bundle")
def _metrics_no_bundle() -> None:
    raises(_artifacts().save_metrics, scratch("art-metrics-none"), {"a": 1}, kinds=_error())


@probe("artifacts", "save_metrics.not-mapping")
def _metrics_not_mapping() -> None:
    raises(_artifacts().save_metrics, bundle("art-metrics-str"), "0.99", match="metrics")


@probe("artifacts", "save_metrics.unsavable-value")
def _metrics_unsavable() -> None:
    folder = bundle("art-metrics-obj")
    with decoys(folder):
        raises(_artifacts().save_metrics, folder, {"model": object()})
    if (folder / "metrics.json").exists():
        raise Bad("저장할 수 없는 값인데 metrics.json이 생김")
    no_leftovers(folder)


@probe("artifacts", "load_metrics.after-retrain")
def _metrics_stale() -> None:
    folder = bundle("art-metrics-stale")
    _artifacts().save_metrics(folder, {"test_accuracy": 0.5})
    _artifacts().save_run(folder, lenet(), history(), cfg(), tiny())
    raises(_artifacts().load_metrics, folder, kinds=_error(), match="지금 저장된 모델")


@probe("artifacts", "load_metrics.missing")
def _metrics_missing() -> None:
    raises(_artifacts().load_metrics, bundle("art-metrics-missing"), kinds=_error())


@probe("artifacts", "check_writable.user-file")
def _writable_file() -> None:
    path, content = user_file(scratch("art-writable"))
    raises(_artifacts().check_writable, path, kinds=_error())
    intact(path, content)


@probe("artifacts", "check_writable.folder-in-file-place")
def _writable_dir() -> None:
    folder = scratch("art-writable-dir")
    (folder / "lenet5.keras").mkdir()
    raises(_artifacts().check_writable, folder, kinds=_error())


for _name, (_kwargs, _match) in {
    "force-string": ({"force": "yes"}, "force"),
    "cfg-none": ({"cfg": None}, "cfg"),
    "data-none": ({"data": None}, "data"),
    "progress-loud": ({"progress": "loud"}, "progress"),
}.items():
    add("artifacts", f"get_or_train.{_name}", lambda k=_kwargs, t=_match: _get_bad(k, t))


def _get_bad(kwargs: dict[str, Any], match: str) -> None:
    folder = scratch("art-get-bad") / "new"
    args = {"data": tiny(), "cfg": cfg(), **kwargs}
    raises(
        _artifacts().get_or_train, folder, args.pop("data"), args.pop("cfg"), match=match, **args
    )
    if folder.exists():
        raise Bad("인자를 거절하기 전에 폴더를 만듦")


@probe("artifacts", "find_run.waits-for-lock")
def _find_waits() -> None:
    from lenetlib._internal import atomic

    folder = bundle("art-lock")
    held = threading.Event()

    def hold() -> None:
        with atomic.locked(folder):
            held.set()
            time.sleep(0.6)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait()
    with contextlib.redirect_stderr(io.StringIO()) as said:
        found, reason = _artifacts().find_run(folder, tiny(), cfg())
    thread.join()
    if found is None:
        raise Bad(f"다른 쪽이 저장 중일 때 기다리지 않고 포기함: {reason[:160]}")
    if said.getvalue().strip():
        korean(said.getvalue(), "기다림 안내")


@probe("artifacts", "save_run.config-json-is-folder")
def _config_dir() -> None:
    folder = scratch("art-config-dir") / "run"
    (folder / "config.json").mkdir(parents=True)
    raises(_artifacts().save_run, folder, lenet(), history(), cfg(), tiny(), kinds=_error())
    no_leftovers(folder)


@probe("artifacts", "load_model.config-json-fifo", timeout=10)
def _config_fifo() -> None:
    folder = scratch("art-config-fifo")
    fifo(folder, "config.json")
    raises(_artifacts().load_model, folder, kinds=_error())


@probe("artifacts", "artifacts_dir.empty-string")
def _artifacts_empty() -> None:
    raises(_artifacts().artifacts_dir, "", match="directory")


for _fn in ("load_history", "load_config"):
    add(
        "artifacts",
        f"{_fn}.config-garbage",
        lambda f=_fn: _damaged_load(f, lambda d: (d / "config.json").write_text("{")),
    )
    add(
        "artifacts",
        f"{_fn}.history-flipped",
        lambda f=_fn: _damaged_load(f, lambda d: _flip(_run_file(d, "history.json"), 5)),
    )


def _damaged_load(fn: str, damage: Callable[[Path], None]) -> None:
    folder = bundle(f"art-{fn}")
    damage(folder)
    if fn == "load_config" and (folder / "config.json").read_text() != "{":
        getattr(_artifacts(), fn)(folder)  # 설정만 읽음: 기록이 망가져도 읽힘
        return
    raises(getattr(_artifacts(), fn), folder, kinds=_error())


@probe("artifacts", "describe_model.not-a-model")
def _describe_bad() -> None:
    raises(_artifacts().describe_model, "lenet5", match="model")


@probe("artifacts", "data_fingerprint.none")
def _fingerprint_none() -> None:
    raises(_artifacts().data_fingerprint, None, match="data")


@probe("artifacts", "artifacts_dir.tilde")
def _artifacts_tilde() -> None:
    home = scratch("art-home")
    with env(HOME=str(home)):
        got = _artifacts().artifacts_dir("~/art")
    assert got == home / "art", got


# ---------------------------------------------------------------------------
# data: MNIST 캐시 (임시 사본의 바이트 뒤집기, 가짜 머리글, 파이프, 명령줄)
# ---------------------------------------------------------------------------


def _data() -> Any:
    from lenetlib import data

    return data


def _load(path: Any, **kwargs: Any) -> Any:
    return _data().load_mnist(path, allow_download=False, **kwargs)


def _data_error() -> type:
    return _data().DataError


def _verified_or_korean(path: Path) -> None:
    """바이트를 뒤집은 캐시: 한국어 DataError이거나 (영향 없는 자리라면) 검증된 배열."""
    try:
        (x, _), (_, yt) = _load(path)
    except _Timeout:
        raise
    except _data_error() as exc:
        korean(str(exc))
        return
    except Exception as exc:
        raise Bad(f"프로젝트의 오류가 아님: {type(exc).__name__}: {str(exc)[:160]}") from None
    (x0, _), (_, yt0) = mnist_arrays()
    if not (np.array_equal(x, x0) and np.array_equal(yt, yt0)):
        raise Bad("망가진 캐시에서 다른 배열을 조용히 돌려줌")


@functools.cache
def _mnist_size() -> int:
    from lenetlib._internal.paths import default_data_path

    return default_data_path().stat().st_size


for _offset in (
    0,
    3,
    30,
    45,
    200,
    5_000,
    400_000,
    2_000_000,
    6_000_000,
    9_500_000,
    -22,
    -10,
    -60,
    -200,
):
    add("data", f"byte-flip.{_offset}", lambda o=_offset: _flip_probe(o), timeout=20)


def _flip_probe(offset: int) -> None:
    path = mnist_copy(scratch("data-flip"))
    _flip(path, offset if offset >= 0 else _mnist_size() + offset)
    _verified_or_korean(path)


def _npz(path: Path, **arrays: Any) -> Path:
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
    return path


def _huge_header(folder: Path) -> Path:
    """x_train의 머리글이 모양 (10**12,)이라고 주장하는 npz (읽으면 931 GiB)."""
    path = _npz(folder / "mnist.npz", x_train=np.zeros(3, np.uint8))
    import zipfile

    with zipfile.ZipFile(path) as archive:
        raw = archive.read("x_train.npy")
    header = raw.decode("latin1").replace("(3,)", f"({10**12},)")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("x_train.npy", header.encode("latin1"))
    return path


def _zeros_npz(folder: Path) -> Path:
    from lenetlib._internal import mnist_mirror

    arrays = {n: np.zeros(shape, np.uint8) for n, (shape, _) in mnist_mirror.ARRAY_SPECS.items()}
    return _npz(folder / "mnist.npz", **arrays)


def _missing_member(folder: Path) -> Path:
    (x, y), (xt, _) = mnist_arrays()
    return _npz(folder / "mnist.npz", x_train=x, y_train=y, x_test=xt)


def _pickled(folder: Path) -> Path:
    return _npz(folder / "mnist.npz", x_train=np.array([{"a": 1}], dtype=object))


def _npy_cache(folder: Path) -> Path:
    np.save(folder / "mnist.npz", np.zeros(3))
    (folder / "mnist.npz.npy").rename(folder / "mnist.npz")
    return folder / "mnist.npz"


def _truncated(folder: Path) -> Path:
    path = mnist_copy(folder)
    path.write_bytes(path.read_bytes()[: _mnist_size() // 2])
    return path


for _name, (_make, _match) in {
    "truncated-half": (_truncated, "읽을 수 없습니다"),
    "empty-file": (lambda f: _write(f, "mnist.npz", b""), "읽을 수 없습니다"),
    "text-file": (lambda f: _write(f, "mnist.npz", "MNIST 아님".encode()), "읽을 수 없습니다"),
    "npy-not-npz": (_npy_cache, "npy"),
    "huge-declared-shape": (_huge_header, "uint8"),
    "zeros-right-shapes": (_zeros_npz, "SHA-256"),
    "missing-member": (_missing_member, "y_test"),
    "pickled-object": (_pickled, "x_train"),
    "folder": (lambda f: f, "폴더"),
    "fifo": (lambda f: fifo(f, "mnist.npz"), "보통 파일이 아니"),
    "dev-null": (lambda f: Path("/dev/null"), "보통 파일이 아니"),
    "nul-byte": (lambda f: "mn\0ist.npz", ""),
}.items():
    add("data", f"cache.{_name}", lambda m=_make, t=_match: _bad_cache(m, t), timeout=20)


def _bad_cache(make: Callable[[Path], Any], match: str) -> None:
    folder = scratch("data-bad")
    with decoys(folder):
        raises(_load, make(folder), kinds=_data_error(), match=match)


@probe("data", "cache.symlink-loop")
def _symlink_loop() -> None:
    folder = scratch("data-loop")
    (folder / "a.npz").symlink_to(folder / "b.npz")
    (folder / "b.npz").symlink_to(folder / "a.npz")
    raises(_load, folder / "a.npz", kinds=_data_error())


@probe("data", "cache.missing-offline-creates-nothing")
def _missing_offline() -> None:
    folder = scratch("data-missing")
    raises(_load, folder / "new" / "sub" / "mnist.npz", kinds=_data_error(), match="MNIST")
    if (folder / "new").exists():
        raise Bad("가져오지 못했는데 폴더를 만듦")


@probe("data", "env.fifo", timeout=10)
def _env_fifo() -> None:
    folder = scratch("data-env-fifo")
    with env(LENETLIB_DATA=str(fifo(folder, "mnist.npz"))):
        raises(_data().load_mnist, allow_download=False, kinds=_data_error())


@probe("data", "env.tilde")
def _env_tilde() -> None:
    home = scratch("data-home")
    mnist_copy(home)
    with env(HOME=str(home), LENETLIB_DATA="~/mnist.npz"):
        report = _data().fetch_mnist(allow_download=False)
    assert report.path == home / "mnist.npz", report.path


@probe("data", "write.decoys-in-home-survive")
def _write_home() -> None:
    from lenetlib._internal import mnist_mirror

    home = scratch("data-write-home")
    (x, y), (xt, yt) = mnist_arrays()
    arrays = {"x_train": x, "y_train": y, "x_test": xt, "y_test": yt}
    with decoys(home), env(HOME=str(home)):
        stale = home / f".mnist.{dead_pid()}.zz9.lenetlib-tmp.npz"
        stale.write_bytes(b"x")
        mnist_mirror.write_npz(arrays, Path("~/mnist.npz").expanduser())
    _load(home / "mnist.npz")
    no_leftovers(home)


@probe("data", "write.unverified-arrays-refused")
def _write_bad() -> None:
    from lenetlib._internal import mnist_mirror

    folder = scratch("data-write-bad")
    arrays = {n: np.zeros(s, np.uint8) for n, (s, _) in mnist_mirror.ARRAY_SPECS.items()}
    raises(mnist_mirror.write_npz, arrays, folder / "mnist.npz", kinds=_data_error())
    if any(folder.iterdir()):
        raise Bad(f"검증에 실패한 배열인데 파일이 생김: {[p.name for p in folder.iterdir()]}")


@probe("data", "repair.moves-corrupt-aside", timeout=20)
def _repair() -> None:
    folder = scratch("data-repair")
    path = mnist_copy(folder)
    _flip(path, 400_000)
    damaged = path.read_bytes()
    with decoys(folder):
        raises(_data().fetch_mnist, path, repair=True, allow_download=False, kinds=_data_error())
    backup = folder / "mnist.npz.corrupt"
    if not backup.is_file() or backup.read_bytes() != damaged:
        raise Bad("repair=True인데 손상된 캐시를 .corrupt로 옮기지 않음")


for _name, (_kwargs, _match) in {
    "path-int": ({"path": 5}, "path"),
    "allow-download-string": ({"allow_download": "no"}, "allow_download"),
    "timeout-zero": ({"timeout": 0}, "timeout"),
    "timeout-nan": ({"timeout": math.nan}, "timeout"),
    "timeout-bool": ({"timeout": True}, "timeout"),
    "repair-string": ({"repair": "yes"}, "repair"),
}.items():
    add(
        "data",
        f"fetch_mnist.{_name}",
        lambda k=_kwargs, t=_match: raises(_data().fetch_mnist, match=t, **k),
    )


def _cli(*args: str, data_path: Path | None = None) -> subprocess.CompletedProcess:
    code = "import sys; from lenetlib import data; sys.exit(data.main(sys.argv[1:]))"
    extra = {"LENETLIB_DATA": str(data_path)} if data_path else {}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **extra},
        cwd=ROOT,
    )


def _cli_says(done: subprocess.CompletedProcess, code: int) -> None:
    text = done.stdout + done.stderr
    if done.returncode != code:
        raise Bad(f"종료 코드 {done.returncode} (기대 {code}): {text[-200:]!r}")
    korean(done.stderr, "명령줄 오류")
    if "usage:" in text or "error:" in text:
        raise Bad(f"argparse의 영어 문구: {text[-200:]!r}")


@probe("data", "cli.unknown-flag", timeout=60)
def _cli_unknown() -> None:
    _cli_says(_cli("--bogus"), 2)


@probe("data", "cli.path-without-value", timeout=60)
def _cli_path_missing() -> None:
    _cli_says(_cli("--path"), 2)


@probe("data", "cli.offline-repair-corrupt", timeout=60)
def _cli_repair() -> None:
    folder = scratch("data-cli")
    path = mnist_copy(folder)
    _flip(path, 2_000_000)
    with decoys(folder):
        done = _cli("--offline", "--repair", "--path", str(path))
    _cli_says(done, 1)
    if not (folder / "mnist.npz.corrupt").is_file():
        raise Bad("--repair인데 손상된 캐시를 .corrupt로 옮기지 않음")


@probe("data", "cli.offline-good-copy", timeout=60)
def _cli_good() -> None:
    done = _cli("--offline", data_path=mnist_copy(scratch("data-cli-good")))
    assert done.returncode == 0 and "검증 완료" in done.stdout, done.stdout + done.stderr


# ---------------------------------------------------------------------------
# atomic: 표지가 있는 임시 파일만 지움, 끊긴 쓰기
# ---------------------------------------------------------------------------


@probe("atomic", "write_bytes.decoys-survive")
def _atomic_decoys() -> None:
    from lenetlib._internal import atomic

    folder = scratch("atomic-decoys")
    with decoys(folder):
        atomic.write_bytes(folder / "out.bin", b"new")
    assert (folder / "out.bin").read_bytes() == b"new"
    no_leftovers(folder)


@probe("atomic", "sweep.only-dead-marked-files")
def _atomic_sweep() -> None:
    from lenetlib._internal import atomic

    folder = scratch("atomic-sweep")
    dead = folder / f".out.{dead_pid()}.q1.{atomic.MARKER}.bin"
    alive = folder / f".out.{os.getpid()}.q2.{atomic.MARKER}.bin"
    for path in (dead, alive):
        path.write_bytes(b"x")
    with decoys(folder):
        atomic.sweep(folder)
    assert not dead.exists() and alive.exists(), "끝난 프로세스의 것만 지워야 함"
    alive.unlink()


@probe("atomic", "atomic_path.error-keeps-old")
def _atomic_error() -> None:
    from lenetlib._internal import atomic

    folder = scratch("atomic-error")
    target = folder / "keep.json"
    target.write_text("old")
    with contextlib.suppress(RuntimeError), atomic.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("멈춤")
    assert target.read_text() == "old", "끊긴 쓰기가 예전 파일을 바꿈"
    no_leftovers(folder)


@probe("atomic", "write_json.unsavable")
def _atomic_json() -> None:
    from lenetlib._internal import atomic

    folder = scratch("atomic-json")
    raises(atomic.write_json, folder / "x.json", {"a": {1, 2}})
    assert not (folder / "x.json").exists(), "저장할 수 없는 값인데 파일이 생김"
    no_leftovers(folder)


@probe("atomic", "commit_set.interrupted-before-switch")
def _atomic_commit() -> None:
    from lenetlib._internal import atomic

    folder = scratch("atomic-commit")
    atomic.commit_set(folder, {"a.json": {"v": 1}}, "config.json", {"run": 1})

    def explode(path: Path) -> None:
        path.write_bytes(b"half")
        raise KeyboardInterrupt

    with contextlib.suppress(KeyboardInterrupt):
        atomic.commit_set(folder, {"a.json": explode}, "config.json", {"run": 2})
    marker = json.loads((folder / "config.json").read_text())
    assert marker["run"] == 1 and json.loads((folder / "a.json").read_text()) == {"v": 1}, marker
    no_leftovers(folder)


# ---------------------------------------------------------------------------
# speed: enable · training_model · splits_for
# ---------------------------------------------------------------------------


def _speed() -> Any:
    from lenetlib import speed

    return speed


add_bad_values(
    "speed",
    "enable",
    lambda: _speed().enable,
    {
        k: (v, "splits")
        for k, v in {"zero": 0, "negative": -1, "string": "2", "float": 2.5, "bool": True}.items()
    },
)

for _name, _value in {"negative": -1, "string": "1", "too-big": 2**33, "float": 1.0}.items():
    add(
        "speed",
        f"training_model.seed-{_name}",
        lambda v=_value: raises(_speed().training_model, lenet(), seed=v, match="seed"),
    )

for _fn in ("training_model", "splits_for"):
    for _name, _value in {"string": "lenet5", "none": None}.items():
        add(
            "speed",
            f"{_fn}.model-{_name}",
            lambda f=_fn, v=_value: raises(getattr(_speed(), f), v, match="model"),
        )


@probe("speed", "trainer.disabled-returns-model")
def _trainer_off() -> None:
    _speed().disable()
    assert _speed().training_model(lenet()) is lenet(), "속도 설정이 꺼졌는데 껍데기를 돌려줌"


@probe("speed", "enable.late-warns-in-korean")
def _enable_late() -> None:
    speed = _speed()
    lenet()  # TensorFlow가 이미 계산을 시작한 뒤
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            splits = speed.enable()
        for w in caught:
            korean(str(w.message), "경고")
        assert speed.splits_for(_paper().build_row("+ 배치 정규화(batch normalization)")) == 1
        assert splits >= 1 and speed.is_enabled()
    finally:
        speed.disable()


@probe("speed", "cpu_summary")
def _cpu_summary() -> None:
    got = _speed().cpu_summary()
    assert {"model", "kind", "cores", "onednn", "onednn_active"} <= set(got), got


# ---------------------------------------------------------------------------
# setup: 노트북 첫 셀(준비 블록)이 lenetlib 설치에 실패할 때 (tests/test_setup_block.py의 방식)
# ---------------------------------------------------------------------------

SETUP_DRIVER = """
import json, os, sys
sys.modules["lenetlib"] = None  # 설치되지 않은 것처럼 (Colab)
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
for name, source in json.loads(sys.argv[1]).items():
    os.environ["LENETLIB_SOURCE"] = source
    print("@@@", name, flush=True)
    result = shell.run_cell(sys.argv[2])
    print("@@@ error", type(result.error_in_exec).__name__, flush=True)
"""


@functools.cache
def _setup_runs() -> dict[str, tuple[str, str]]:
    """준비 블록을 설치 위치마다 한 번씩 실행: 이름 → (오류 종류, 출력). 한 프로세스에서."""
    from tools import nbtools

    folder = scratch("setup")
    (folder / "not-a-project").mkdir()
    (folder / "lenetlib-0.2.0-py3-none-any.whl").write_bytes(b"not a zip")
    sources = {
        "garbage": "garbage!! @@",
        "empty": "",
        "blank": "   ",
        "missing-wheel": "/없는/폴더/lenetlib-9.9.9-py3-none-any.whl",
        "folder-not-project": str(folder / "not-a-project"),
        "broken-wheel": str(folder / "lenetlib-0.2.0-py3-none-any.whl"),
    }
    cell = nbtools.SETUP_TEMPLATE.format(source=nbtools.pip_source(nbtools.repository()))
    extra = {"PIP_NO_INDEX": "1", "PIP_NO_INPUT": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    done = subprocess.run(
        [sys.executable, "-c", SETUP_DRIVER, json.dumps(sources), cell],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=folder,
        env={**os.environ, **extra},
    )
    runs: dict[str, tuple[str, str]] = {}
    for part in (done.stdout + done.stderr).split("@@@ ")[1:]:
        head, _, body = part.partition("\n")
        if head.startswith("error ") and runs:
            last = next(reversed(runs))
            runs[last] = (head.split()[1], runs[last][1])
        else:
            runs[head.strip()] = ("?", body)
    return runs


#: 설치에 실패한 준비 블록이 말해야 할 것: 무엇이 실패했는지, 설치 위치, 네트워크, 재시작
SETUP_SAYS = ("lenetlib을 설치하지 못했습니다", "LENETLIB_SOURCE=", "인터넷 연결", "다시 시작")


def _setup_probe(name: str) -> Callable[[], None]:
    def run() -> None:
        kind, text = _setup_runs().get(name, ("실행되지 않음", ""))
        if kind != "RuntimeError":
            raise Bad(f"셀의 오류가 {kind}: {text[-200:]!r}")
        for needed in SETUP_SAYS:
            if needed not in text:
                raise Bad(f"안내에 {needed!r}이(가) 없음: {text[-300:]!r}")
        if "ModuleNotFoundError" in text or "No module named" in text:
            raise Bad("설치 실패 뒤 영어 ModuleNotFoundError가 보임")

    return run


for _name in ("garbage", "empty", "blank", "missing-wheel", "folder-not-project", "broken-wheel"):
    add("setup", f"install-fails.{_name}", _setup_probe(_name), timeout=250)


# ---------------------------------------------------------------------------
# 실행
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    probe: Probe
    good: bool
    reason: str
    seconds: float


def _english_warning(caught: warnings.WarningMessage) -> bool:
    quiet = issubclass(caught.category, QUIET_WARNINGS)
    return not quiet and not HANGUL.search(str(caught.message))


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout


def run_probe(p: Probe) -> Outcome:
    """탐침 하나를 제한 시간 안에 실행합니다 (출력은 삼키고, 한국어가 아닌 경고는 나쁨)."""
    start = time.perf_counter()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, p.timeout)
    reason = ""
    try:
        with (
            warnings.catch_warnings(record=True) as caught,
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            warnings.simplefilter("always")
            p.run()
        english = [w for w in caught if _english_warning(w)]
        if english:
            w = english[0]
            reason = f"영어 경고 {w.category.__name__}: {str(w.message)[:140]}"
    except _Timeout:
        reason = f"{p.timeout:g}초 안에 끝나지 않음 (멈춤)"
    except Bad as exc:
        reason = str(exc)
    except AssertionError as exc:
        reason = f"틀린 결과: {str(exc)[:200] or '조건이 맞지 않음'}"
    except Exception as exc:  # 탐침 밖으로 나온 예외 자체가 나쁨
        reason = f"예상하지 못한 {type(exc).__name__}: {str(exc)[:200]}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    return Outcome(p, not reason, reason, time.perf_counter() - start)


def select(pattern: str = "") -> list[Probe]:
    return [p for p in PROBES if pattern in p.name]


def isolated_environment() -> contextlib.AbstractContextManager:
    """탐침이 저장소의 산출물·사용자의 Keras 캐시를 건드리지 않게 (끝나면 환경 변수를 되돌림)."""
    return env(
        LENETLIB_PROGRESS="none",
        LENETLIB_ARTIFACTS=str(scratch("default-artifacts")),
        KERAS_HOME=str(scratch("keras-home")),
    )


#: TensorFlow를 부르는 영역 (그 탐침을 고르면 제한 시간 밖에서 먼저 불러옴)
TF_AREAS = frozenset({"canvas", "exercises", "paper", "artifacts", "speed"})


def warm_up(probes: list[Probe]) -> None:
    """무거운 모듈을 탐침의 제한 시간 밖에서 불러옵니다 (불러오는 중에 끊기면 모듈이 반쯤 남음)."""
    import matplotlib.pyplot  # noqa: F401

    from lenetlib import data, exercises, handwriting, paper  # noqa: F401

    if TF_AREAS & {p.area for p in probes}:
        from lenetlib import artifacts, canvas, model, speed, training  # noqa: F401

        exercises.keys()  # 장마다의 채점 모듈


def cleanup() -> None:
    """임시 폴더를 통째로 지우고, 그 안의 경로를 기억하는 재료도 잊습니다 (다시 실행할 수 있게)."""
    if _ROOT_DIR:
        shutil.rmtree(_ROOT_DIR.pop(), ignore_errors=True)
    golden.cache_clear()
    _setup_runs.cache_clear()


def run_all(probes: list[Probe], verbose: bool = False) -> list[Outcome]:
    """탐침들을 차례로 실행합니다 (임시 폴더와 바꾼 환경 변수는 끝나면 정리)."""
    outcomes = []
    try:
        with isolated_environment():
            warm_up(probes)
            for p in probes:
                outcome = run_probe(p)
                outcomes.append(outcome)
                if verbose:
                    mark = "좋음" if outcome.good else "나쁨"
                    print(f"{mark} {outcome.seconds:5.1f}초 {p.name} {outcome.reason}", flush=True)
    finally:
        cleanup()
    return outcomes


def report(outcomes: list[Outcome], seconds: float) -> str:
    total, bad = (
        Counter(o.probe.area for o in outcomes),
        Counter(o.probe.area for o in outcomes if not o.good),
    )
    lines = [f"{'영역':<12}{'탐침':>6}{'좋음':>6}{'나쁨':>6}"]
    for area in AREAS:
        if total[area]:
            lines.append(f"{area:<12}{total[area]:>7}{total[area] - bad[area]:>7}{bad[area]:>7}")
    n_bad = sum(bad.values())
    lines.append(
        f"탐침 {len(outcomes)}개: 좋음 {len(outcomes) - n_bad}, 나쁨 {n_bad} ({seconds:.0f}초)"
    )
    if n_bad:
        lines.append("나쁜 탐침:")
        lines += [f"  {o.probe.name}: {o.reason}" for o in outcomes if not o.good]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    about = "이슈 #18의 탐침을 모두 실행하고 합계를 냅니다."
    parser = argparse.ArgumentParser(prog="python -m tools.probe", description=about)
    parser.add_argument("-k", default="", help="이름에 이 글자가 있는 탐침만 (예: -k canvas.)")
    parser.add_argument("-v", "--verbose", action="store_true", help="탐침마다 한 줄")
    parser.add_argument("--list", action="store_true", help="실행하지 않고 이름만")
    args = parser.parse_args(argv)
    probes = select(args.k)
    if args.list:
        print("\n".join(p.name for p in probes))
        return 0
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    start = time.perf_counter()
    outcomes = run_all(probes, args.verbose)
    print(report(outcomes, time.perf_counter() - start))
    return 0 if all(o.good for o in outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
