"""원자적 파일 쓰기(임시 파일 → fsync → ``os.replace``), 폴더 잠금, 묶음 저장. (내부용, 1장과 4장)

lenetlib이 만드는 임시 파일·세대 폴더의 이름에는 lenetlib만 쓰는 표지(``MARKER``, ``RUN_PREFIX``)와
만든 프로세스 번호가 들어갑니다. 정리할 때는 그런 이름만 지웁니다 (사용자 파일은 건드리지 않음)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: 잠금 없음 (불러올 때의 해시 검사는 그대로)
    fcntl = None  # type: ignore[assignment]

#: 임시 파일 이름의 표지: ``.이름.pid.무작위.lenetlib-tmp.확장자``
MARKER = "lenetlib-tmp"
#: 묶음 한 벌을 담는 세대 폴더: ``.lenetlib-run.pid.무작위``
RUN_PREFIX = ".lenetlib-run."
_TEMP = re.compile(rf"\..*\.(?P<pid>\d{{1,10}})\.[a-z0-9_]+\.{MARKER}(\.[^.]+)?")
_RUN = re.compile(rf"{re.escape(RUN_PREFIX)}\d{{1,10}}\.[a-z0-9_]+")
STALE_SECONDS = 3600  # 프로세스를 확인할 수 없는 OS에서, 이보다 오래된 표지 파일은 남은 것으로 봄
LOCK_WAIT_SECONDS = 120.0  # 다른 프로세스의 저장·읽기가 끝나기를 기다리는 최대 시간
_UMASK_LOCK = threading.Lock()


def is_run_name(name: object) -> bool:
    """``commit_set``이 만든 세대 폴더 이름인지 (경로 구분자 없는 표지 이름)."""
    return isinstance(name, str) and _RUN.fullmatch(name) is not None


def _orphan(path: Path) -> bool:
    """표지가 있는 임시 파일이고 만든 프로세스가 끝났는지 (POSIX가 아니면 한 시간 지났는지)."""
    match = _TEMP.fullmatch(path.name)
    if match is None or not stat.S_ISREG(path.lstat().st_mode):
        return False
    if os.name != "posix":
        return time.time() - path.lstat().st_mtime > STALE_SECONDS
    try:
        os.kill(int(match["pid"]), 0)  # 신호 0: 보내지 않고 프로세스가 있는지만 확인
    except ProcessLookupError:  # 만든 프로세스가 끝남
        return True
    except (OSError, OverflowError):  # 다른 사용자의 살아 있는 프로세스 등: 남김
        pass
    return False


def sweep(folder: Path) -> None:
    """죽은 lenetlib 프로세스가 남긴 임시 파일(표지가 있는 이름)만 지웁니다 (저장을 시작할 때)."""
    with contextlib.suppress(OSError):
        for old in folder.glob(f".*.{MARKER}*"):
            with contextlib.suppress(OSError):
                if _orphan(old):
                    old.unlink()


def _umask() -> int:
    with _UMASK_LOCK:  # umask는 바꿔야만 읽을 수 있음 → 잠깐 바꾸고 되돌림
        mask = os.umask(0o077)
        os.umask(mask)
    return mask


def _sync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # 폴더 항목도 디스크에 (폴더를 열 수 없는 OS는 건너뜀)
        fd = os.open(folder, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """같은 폴더의 임시 경로를 주고, 블록이 끝나면 fsync 후 ``target``으로 바꿔 넣습니다."""
    target.parent.mkdir(parents=True, exist_ok=True)
    sweep(target.parent)
    prefix, suffix = f".{target.stem}.{os.getpid()}.", f".{MARKER}{target.suffix}"
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=suffix)
    os.close(fd)
    try:
        yield Path(name)
        with open(name, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(name, 0o666 & ~_umask())  # mkstemp은 0600으로 만듦 → umask를 따르게
        os.replace(name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    _sync_dir(target.parent)


def write_bytes(path: Path, data: bytes) -> Path:
    """바이트를 원자적으로 씁니다."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


class _Unsavable(TypeError):
    """``json.dumps``가 모르는 값 (메시지: 그 값의 형식 이름)."""


def _plain(value: object) -> object:
    """NumPy 배열·수는 파이썬 값으로 바꾸고, 그 밖의 값은 형식 이름을 담은 ``_Unsavable``."""
    if callable(tolist := getattr(value, "tolist", None)):
        return tolist()
    raise _Unsavable(type(value).__name__)


def json_bytes(obj: object) -> bytes:
    """JSON(UTF-8, 한글 그대로, NumPy 값 허용) 바이트. 저장할 수 없는 값은 ``ValueError``."""
    try:
        text = json.dumps(obj, ensure_ascii=False, indent=2, default=_plain)
    except _Unsavable as exc:
        raise ValueError(
            f"JSON으로 저장할 수 없는 값이 있습니다 (형식: {exc}). 숫자(float·int)·문자열·리스트·"
            "딕셔너리로 바꾸세요 (예: 집합 set → list(값), 그 밖의 값 → float(값)이나 str(값))."
        ) from None
    except TypeError:  # 문자열·숫자가 아닌 딕셔너리 키 (튜플 등)
        raise ValueError(
            "JSON으로 저장할 수 없는 딕셔너리 키가 있습니다 (키는 문자열·숫자만 됨). "
            "키를 str(키)로 바꾸세요."
        ) from None
    except ValueError:  # 자기 자신을 담은 값
        raise ValueError(
            "JSON으로 저장할 수 없는 값이 있습니다 (자기 자신을 담은 순환 참조). "
            "숫자·문자열·리스트로 된 새 값을 만들어 넘기세요."
        ) from None
    return (text + "\n").encode("utf-8")


def write_json(path: Path, obj: object) -> Path:
    """JSON으로 원자적으로 씁니다."""
    return write_bytes(path, json_bytes(obj))


def _acquire(fd: int, mode: int, folder: Path) -> None:
    deadline, told = time.monotonic() + LOCK_WAIT_SECONDS, False
    while True:
        try:
            return fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            pass
        except OSError:  # 잠금을 지원하지 않는 파일 시스템: 잠그지 않고 진행 (해시 검사는 그대로)
            return None
        if time.monotonic() > deadline:
            raise TimeoutError(f"다른 프로세스가 {LOCK_WAIT_SECONDS:g}초 넘게 이 폴더를 잠그고 "
                               "있습니다 (저장 중인 노트북·스크립트)")  # fmt: skip
        if not told:
            told = True
            print(f"다른 프로세스가 '{folder}'의 묶음을 쓰거나 읽는 중이라 끝나기를 기다립니다 "
                  f"(최대 {LOCK_WAIT_SECONDS:g}초)…", file=sys.stderr, flush=True)  # fmt: skip
        time.sleep(0.05)


@contextlib.contextmanager
def locked(folder: Path, *, shared: bool = False) -> Iterator[None]:
    """폴더를 잠급니다: 저장은 혼자(``shared=False``), 읽기는 함께. 다른 쪽이 쥐고 있으면
    ``LOCK_WAIT_SECONDS``까지 기다리며 stderr에 한 번 알리고, 넘으면 ``TimeoutError``."""
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        _acquire(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX, folder)
        yield
    finally:
        os.close(fd)  # 닫으면 잠금도 풀림


def _stage(path: Path, content: object) -> str:
    """세대 폴더에 파일 하나를 쓰고(JSON 값이나 경로에 쓰는 함수) 디스크에 내린 뒤 SHA-256."""
    content(path) if callable(content) else path.write_bytes(json_bytes(content))
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())
        return hashlib.sha256(fh.read()).hexdigest()


def _expose(source: Path, target: Path) -> None:
    """세대 폴더의 파일을 폴더 바로 아래 ``target``으로도 보이게 합니다 (하드 링크나 복사)."""
    with atomic_path(target) as tmp:
        tmp.unlink()
        try:
            os.link(source, tmp)
        except OSError:  # 하드 링크를 지원하지 않는 파일 시스템
            shutil.copyfile(source, tmp)


def _remove_run(run: Path, names: Iterable[str]) -> None:
    """세대 폴더에서 묶음이 쓰는 이름의 파일만 지우고, 비었으면 폴더도 지웁니다."""
    with contextlib.suppress(OSError):
        for name in names:
            with contextlib.suppress(FileNotFoundError):
                (run / name).unlink()
        run.rmdir()


def _drop_runs(folder: Path, keep: object, names: Iterable[str]) -> None:
    """``keep``이 아닌 세대 폴더(표지 이름, 링크 아님)를 지웁니다 (잠금을 쥔 채로만 부름)."""
    for old in folder.glob(f"{RUN_PREFIX}*"):
        if old.name != keep and is_run_name(old.name) and not old.is_symlink():
            _remove_run(old, names)


def _pointer(marker: Path) -> object:
    """표지 파일이 가리키는 세대 폴더 이름 (읽을 수 없으면 ``None``)."""
    with contextlib.suppress(OSError, ValueError):
        found = json.loads(marker.read_bytes())
        return found.get("run_folder") if isinstance(found, dict) else None
    return None


def commit_set(folder: Path, files: Mapping[str, object], marker: str, info: dict) -> None:
    """``files``를 새 세대 폴더에 모두 쓴 뒤, 그 폴더 이름과 해시를 담은 표지 ``marker`` 하나를
    바꿔 넣어 한 번에 전환합니다: 그 전에 멈추면 예전 묶음이 그대로 온전합니다. 전환 뒤에는
    폴더 바로 아래의 같은 이름으로도 새 파일을 보이게 하고(하드 링크), 예전 세대 폴더를 지웁니다."""
    folder.mkdir(parents=True, exist_ok=True)
    with locked(folder):  # 같은 폴더에 저장·읽는 다른 프로세스·스레드를 기다림
        sweep(folder)
        if isinstance(current := _pointer(folder / marker), str):  # 죽은 저장이 남긴 세대부터 치움
            _drop_runs(folder, current, files)
        run = Path(tempfile.mkdtemp(prefix=f"{RUN_PREFIX}{os.getpid()}.", dir=folder))
        try:
            os.chmod(run, 0o777 & ~_umask())
            digests = {name: _stage(run / name, content) for name, content in files.items()}
            _sync_dir(run)
            write_json(folder / marker, {**info, "run_folder": run.name, "files": digests})
        except BaseException:
            if _pointer(folder / marker) != run.name:  # 전환 전에 멈춤: 새 세대만 지움
                _remove_run(run, files)
            raise
        for name in files:
            _expose(run / name, folder / name)
        _drop_runs(folder, run.name, files)
