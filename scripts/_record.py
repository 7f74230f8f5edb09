"""두 기록 스크립트(paper_reference.py, seed_spread.py)가 함께 쓰는 것: 기계·버전 정보와 JSON 저장.

lenetlib의 내부(``_internal``)를 부르지 않고 표준 라이브러리만 씁니다.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path


def environment() -> dict:
    """기계와 버전 정보 (TensorFlow를 불러오는 자식 프로세스 한 번)."""
    code = "import json; from lenetlib import config; print(json.dumps(config.environment_info()))"
    versions = json.loads(subprocess.check_output([sys.executable, "-c", code], text=True))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        "cpus": cpus,
        "platform": platform.platform(),
        **versions,
    }


def save_json(path: Path, report: dict) -> None:
    """같은 폴더의 임시 파일에 다 쓰고 이름을 바꿉니다 (멈춰도 반쯤 쓴 JSON이 남지 않음)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
