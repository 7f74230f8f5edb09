"""lenetlib: 한국어 LeNet-5 MNIST 강의 노트북이 함께 쓰는 도우미 패키지.

모듈은 장(chapter)과 짝을 이룹니다. 각 함수의 docstring이 그 함수를 소개하는 장을 밝힙니다.

- :mod:`lenetlib.data` — 1장 (MNIST 불러오기와 검증)
- :mod:`lenetlib.preprocessing` — 2장 (정규화, 패딩, 원-핫, 검증 세트)
- :mod:`lenetlib.layers`, :mod:`lenetlib.model` — 3장 (논문의 층, 두 LeNet-5, 층 표)
- :mod:`lenetlib.training`, :mod:`lenetlib.artifacts` — 4장 (설정, 콜백, 훈련 결과 저장)
- :mod:`lenetlib.evaluation` — 5장, :mod:`lenetlib.error_analysis` — 6장
- :mod:`lenetlib.augment`, :mod:`lenetlib.paper` — 7장 (논문의 왜곡, 논문 표 재현과 시드 흔들림)
- :mod:`lenetlib.handwriting`, :mod:`lenetlib.canvas` — 8장 (손글씨를 MNIST처럼, 그리기 캔버스)
- :mod:`lenetlib.exercises` — 모든 장의 연습 문제 확인 (``exercises.check("3-1", answer)``)
- :mod:`lenetlib.plotting` — 모든 장의 그림, :mod:`lenetlib.config` — 모든 장의 준비 블록
- :mod:`lenetlib.speed` — 부록 A (선택: ``speed.enable()`` 한 줄로 켜는 CPU 속도 설정)

``import lenetlib``은 TensorFlow를 불러오지 않고 스레드 설정도 바꾸지 않습니다. 하는 일은
하나뿐입니다: x86 CPU에서 환경 변수 ``TF_ENABLE_ONEDNN_OPTS``의 기본값을 ``1``로 정해, 나중에
불러올 TensorFlow가 AVX2만 있는 CPU에서도 빠른 oneDNN 커널을 쓰게 합니다 (사용자가 정한 값은
그대로, 부록 A).
"""

from __future__ import annotations

from lenetlib._internal.cpu import set_onednn_default

__version__ = "0.2.0"

# 환경 변수의 기본값 하나 (스레드 설정이 아님). 끄려면 import 전에 TF_ENABLE_ONEDNN_OPTS=0
set_onednn_default()

__all__ = ["__version__"]
