"""lenetlib: 한국어 LeNet-5 MNIST 강의 노트북이 함께 쓰는 도우미 패키지.

모듈은 장(chapter)과 짝을 이룹니다.

- :mod:`lenetlib.data` — 1장 ``01_data.ipynb`` (MNIST 불러오기와 검증)
- :mod:`lenetlib.preprocessing` — 2장 ``02_preprocessing.ipynb``
- :mod:`lenetlib.model` — 3장 ``03_model.ipynb``
- :mod:`lenetlib.training`, :mod:`lenetlib.artifacts` — 4장 ``04_training.ipynb``
- :mod:`lenetlib.evaluation` — 5장 ``05_evaluation.ipynb``
- :mod:`lenetlib.errors` — 6장 ``06_error_analysis.ipynb``
- :mod:`lenetlib.plotting` — 모든 장의 그림
- :mod:`lenetlib.config` — 경로, 시드, 실행 환경 정보

``import lenetlib`` 자체는 TensorFlow를 불러오지 않으므로 빠릅니다. 필요한 모듈을
``from lenetlib import data, model`` 처럼 직접 불러오세요.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
