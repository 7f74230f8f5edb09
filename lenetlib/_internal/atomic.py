"""원자적 파일 쓰기(임시 파일 → fsync → ``os.replace``)와 묶음 저장. (내부용, 1장과 4장)"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: 잠금 없음 (불러올 때의 해시 검사는 그대로)
    fcntl = None  # type: ignore[assignment]

STALE_SECONDS = 3600  # 이보다 오래된 임시 파일은 중단된 저장이 남긴 것으로 봄
_UMASK_LOCK = threading.Lock()


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """같은 폴더의 임시 경로를 주고, 블록이 끝나면 fsync 후 ``target``으로 바꿔 넣습니다."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for old in target.parent.glob(".*.tmp*"):  # 죽은 프로세스가 남겼거나 한 시간 지난 임시 파일
        pid = old.name.split(".")[2]  # ".이름.pid.xxx.tmp.확장자"; /proc이 없으면 시간으로만
        dead = pid.isdigit() and Path("/proc/self").is_dir() and not Path(f"/proc/{pid}").exists()
        with contextlib.suppress(OSError):
            if old.is_file() and (dead or time.time() - old.stat().st_mtime > STALE_SECONDS):
                old.unlink()
    prefix, suffix = f".{target.stem}.{os.getpid()}.", f".tmp{target.suffix}"
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=suffix)
    os.close(fd)
    try:
        yield Path(name)
        with open(name, "rb+") as fh:
            os.fsync(fh.fileno())
        with _UMASK_LOCK:  # mkstemp은 0600으로 만듦 → umask를 따르게 (읽으려면 잠깐 바꿔야 함)
            mask = os.umask(0o077)
            os.umask(mask)
        os.chmod(name, 0o666 & ~mask)
        os.replace(name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    with contextlib.suppress(OSError):  # 폴더 항목도 디스크에 (폴더를 열 수 없는 OS는 건너뜀)
        fd = os.open(target.parent, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)


def write_bytes(path: Path, data: bytes) -> Path:
    """바이트를 원자적으로 씁니다."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def json_bytes(obj: object) -> bytes:
    """JSON(UTF-8, 한글 그대로, NumPy 값 허용) 바이트. 저장할 수 없는 값은 ``ValueError``."""
    try:
        text = json.dumps(obj, ensure_ascii=False, indent=2, default=lambda v: v.tolist())
    except (TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"JSON으로 저장할 수 없는 값: {exc}. 숫자로 바꾸세요.") from None
    return (text + "\n").encode("utf-8")


def write_json(path: Path, obj: object) -> Path:
    """JSON으로 원자적으로 씁니다."""
    return write_bytes(path, json_bytes(obj))


def commit_set(folder: Path, files: Mapping[str, object], marker: str, info: dict) -> None:
    """``files``(JSON 값이나 임시 경로에 쓰는 함수)를 넣고, 해시를 담은 표지를 마지막에 씁니다."""
    folder.mkdir(parents=True, exist_ok=True)
    digests: dict[str, str] = {}
    with contextlib.ExitStack() as lock:
        if fcntl is not None:  # 같은 폴더에 저장하는 다른 프로세스·스레드를 기다림
            lock.callback(os.close, fd := os.open(folder, os.O_RDONLY))  # 닫으면 잠금도 풀림
            fcntl.flock(fd, fcntl.LOCK_EX)
        with contextlib.ExitStack() as staged:
            for name, content in files.items():
                tmp = staged.enter_context(atomic_path(folder / name))
                content(tmp) if callable(content) else tmp.write_bytes(json_bytes(content))
                digests[name] = hashlib.sha256(tmp.read_bytes()).hexdigest()
        write_json(folder / marker, {**info, "files": digests})
