"""준비 블록: 시드, 한글 글꼴, 실행 환경 정보, 기본 경로. (모든 장)

``setup``은 TensorFlow의 스레드 설정을 바꾸지 않습니다. 속도 설정은 :mod:`lenetlib.speed`.
"""

from __future__ import annotations

import platform
from typing import Any

from lenetlib import __version__
from lenetlib._internal.checks import check_seed
from lenetlib._internal.constants import ARTIFACTS_ENV, DATA_ENV
from lenetlib._internal.paths import default_artifacts_dir, default_data_path, project_root

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


def set_seed(seed: int) -> int:
    """Python, NumPy, TensorFlow의 난수 시드를 한 번에 고정합니다. (모든 장의 준비 블록)

    ``seed``는 0~2³²-1 범위의 정수(NumPy 정수도 됨)입니다. 고정한 시드를 돌려줍니다.
    """
    seed = check_seed(seed)
    from lenetlib._internal.backend import keras

    keras.utils.set_random_seed(seed)
    return seed


def environment_info() -> dict[str, Any]:
    """파이썬·lenetlib·TensorFlow·Keras 버전과 GPU 목록을 사전으로 돌려줍니다. (모든 장)"""
    from lenetlib._internal.backend import keras, tf

    return {
        "python": platform.python_version(),
        "lenetlib": __version__,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "gpus": [d.name for d in tf.config.list_physical_devices("GPU")],
    }


def setup(seed: int = 42) -> dict[str, Any]:
    """시드를 고정하고 한글 글꼴을 등록한 뒤 환경 정보를 돌려줍니다. (모든 장의 준비 블록)"""
    from lenetlib._internal.fonts import setup_korean_font

    info = environment_info()
    info["seed"] = set_seed(seed)
    info["font"] = setup_korean_font()
    return info
