"""경로, 시드, 실행 환경 정보. (모든 장의 준비 블록에서 사용)

데이터 캐시와 산출물(artifact) 폴더의 기본 위치를 한곳에서 정합니다. 노트북은
``notebooks/`` 안에서 실행되므로 현재 작업 폴더가 아니라 프로젝트 루트를 기준으로 합니다.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

from lenetlib import __version__

__all__ = [
    "ARTIFACTS_ENV",
    "DATA_ENV",
    "default_artifacts_dir",
    "default_data_path",
    "environment_info",
    "project_root",
    "set_seed",
    "setup",
]

#: 데이터 캐시 경로를 바꾸는 환경 변수
DATA_ENV = "LENETLIB_DATA"
#: 산출물 폴더를 바꾸는 환경 변수
ARTIFACTS_ENV = "LENETLIB_ARTIFACTS"


def project_root() -> Path | None:
    """``pip install -e .``로 설치된 저장소의 루트를 돌려줍니다. (1장 ``01_data.ipynb``)

    Returns
    -------
    Path or None
        ``pyproject.toml``이 있는 저장소 루트. 일반 설치(사이트 패키지)라면 ``None``.
    """
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() else None


def _user_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "lenetlib"


def default_data_path() -> Path:
    """MNIST 캐시 파일의 기본 경로. (1장 ``01_data.ipynb``)

    우선순위: 환경 변수 ``LENETLIB_DATA`` → 저장소의 ``data/mnist.npz`` →
    ``~/.cache/lenetlib/mnist.npz``.

    Returns
    -------
    Path
        ``mnist.npz`` 파일 경로 (아직 없을 수도 있음).
    """
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env).expanduser()
    root = project_root()
    if root is not None:
        return root / "data" / "mnist.npz"
    return _user_cache_dir() / "mnist.npz"


def default_artifacts_dir() -> Path:
    """훈련 산출물(모델, 기록, 지표) 폴더의 기본 경로. (4장 ``04_training.ipynb``)

    우선순위: 환경 변수 ``LENETLIB_ARTIFACTS`` → 저장소의 ``artifacts/`` →
    ``~/.cache/lenetlib/artifacts``.

    Returns
    -------
    Path
        산출물 폴더 경로 (아직 없을 수도 있음).
    """
    env = os.environ.get(ARTIFACTS_ENV)
    if env:
        return Path(env).expanduser()
    root = project_root()
    if root is not None:
        return root / "artifacts"
    return _user_cache_dir() / "artifacts"


def set_seed(seed: int) -> None:
    """Python, NumPy, 백엔드(TensorFlow)의 난수 시드를 한 번에 고정합니다. (모든 장의 준비 블록)

    Parameters
    ----------
    seed : int
        0 이상의 정수 시드.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"시드는 0 이상의 정수여야 합니다. 받은 값: {seed!r}. 예: set_seed(42)")
    from lenetlib._backend import keras

    keras.utils.set_random_seed(seed)


def environment_info() -> dict[str, Any]:
    """버전과 장치 정보를 사전으로 돌려줍니다. (모든 장의 준비 블록)

    Returns
    -------
    dict
        ``python``, ``lenetlib``, ``tensorflow``, ``keras``, ``backend``, ``gpus`` 키.
    """
    import tensorflow as tf

    from lenetlib._backend import keras

    gpus = [d.name for d in tf.config.list_physical_devices("GPU")]
    return {
        "python": platform.python_version(),
        "lenetlib": __version__,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "gpus": gpus,
    }


def setup(seed: int = 42) -> dict[str, Any]:
    """노트북 준비 블록: 스레드 설정, 시드 고정, 한글 글꼴 등록, 환경 정보 반환. (모든 장)

    TensorFlow가 계산을 시작하기 전에 :func:`lenetlib.training.configure_threads`로 CPU 코어마다
    배치 조각 하나를 맡기도록 설정합니다 (환경 변수 ``LENETLIB_THREADS=tf``이면 그대로 둠).

    Parameters
    ----------
    seed : int, default 42
        난수 시드.

    Returns
    -------
    dict
        :func:`environment_info` 결과에 ``seed``, ``font``(등록된 한글 글꼴 이름),
        ``parallel_splits``(훈련 때 배치를 나눌 조각 수)를 더한 사전.
    """
    from lenetlib import plotting, training

    splits = training.configure_threads()
    set_seed(seed)
    info = environment_info()
    info["seed"] = seed
    info["font"] = plotting.korean_font_name()
    info["parallel_splits"] = splits
    return info
