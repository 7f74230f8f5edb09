"""데이터 캐시와 산출물 폴더의 기본 위치. (내부용, 1장과 4장)

우선순위: 환경 변수 → 저장소 안(``pip install -e .``) → 사용자 캐시 폴더(platformdirs).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from lenetlib._internal.constants import ARTIFACTS_ENV, DATA_ENV


def project_root() -> Path | None:
    """저장소에서 설치했다면 그 루트(``pyproject.toml``이 있는 폴더), 아니면 ``None``. (1장)"""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() else None


def _default(env: str, in_repo: str, in_cache: str) -> Path:
    value = os.environ.get(env)
    if value:
        return Path(value).expanduser()
    if (root := project_root()) is not None:
        return root / in_repo
    # 운영체제의 사용자 캐시 폴더 안 lenetlib (예: ~/.cache/lenetlib)
    return Path(platformdirs.user_cache_dir("lenetlib", appauthor=False)) / in_cache


def default_data_path() -> Path:
    """MNIST 캐시 파일 경로: ``LENETLIB_DATA`` → ``data/mnist.npz`` → 사용자 캐시. (1장)"""
    return _default(DATA_ENV, "data/mnist.npz", "mnist.npz")


def default_artifacts_dir() -> Path:
    """산출물 폴더: ``LENETLIB_ARTIFACTS`` → ``artifacts/`` → 사용자 캐시의 ``artifacts``. (4장)"""
    return _default(ARTIFACTS_ENV, "artifacts", "artifacts")
