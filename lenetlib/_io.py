"""원자적 파일 쓰기 (내부용): 데이터 캐시(1장)와 훈련 산출물(4장)이 함께 씁니다.

임시 파일에 끝까지 쓰고 fsync한 뒤 ``os.replace``로 한 번에 바꿔 넣으므로, 쓰는 도중
중단되어도 이미 있던 좋은 파일은 그대로 남고 반쯤 쓴 파일이 제자리에 생기지 않습니다.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _fsync_dir(directory: Path) -> None:
    """폴더 항목(이름 바꾸기)을 디스크에 기록합니다. 지원하지 않는 OS에서는 건너뜁니다."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows 등
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """같은 폴더의 임시 경로를 주고, 블록이 성공하면 fsync 후 ``target``으로 바꿉니다.

    블록에서 예외가 나면 임시 파일을 지우고 ``target``은 건드리지 않습니다.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}"
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(target.parent)
