"""Keras를 조용히 불러옵니다. (내부용, 모든 장)

TensorFlow 2.2x는 불러올 때 C++ 로그(oneDNN 안내, "Could not find cuda drivers" 등)를
``TF_CPP_MIN_LOG_LEVEL``과 상관없이 표준 오류(fd 2)에 직접 씁니다. Jupyter는 이 출력을
셀 출력으로 옮기므로 학생에게는 오류처럼 보입니다. 그래서 TensorFlow를 처음 불러오는 동안만
fd 2를 잠시 막습니다. 파이썬 예외는 그대로 전달됩니다.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@contextmanager
def silence_native_stderr() -> Iterator[None]:
    """C/C++ 라이브러리가 fd 2에 직접 쓰는 로그를 블록 동안 버립니다."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # fd가 없는 환경에서는 그대로 실행
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


if "tensorflow" not in sys.modules:
    with silence_native_stderr():
        import tensorflow as tf

        tf.config.list_physical_devices()  # 장치 탐색 로그(cuInit 등)도 여기서 한 번에
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

__all__ = ["keras", "silence_native_stderr", "tf"]
