"""3장 연습 문제 채점 (``03_model.ipynb``): Keras로 모델을 만들어 센 파라미터 수와 비교합니다."""

from __future__ import annotations

from typing import Any

import numpy as np

from lenetlib.exercises import exercise, number, number_hint, numbers


@exercise("3-1")
def _c5_without_padding(answer: Any) -> str | None:
    """28×28 입력(패딩 없음)으로 만든 강의 LeNet-5에서 C5의 파라미터 수."""
    from lenetlib import model

    expected = model.build_lenet5(input_shape=(28, 28, 1)).get_layer("C5").count_params()
    hint = "S4의 출력 모양(높이×너비×16)을 먼저 구하고 (입력 수+1)×120을 계산하세요."
    if number(answer, integer=True) == model.build_lenet5().get_layer("C5").count_params():
        return "그 수는 32×32 입력일 때입니다. 입력이 작아지면 S4의 출력도 작아집니다. " + hint
    return number_hint(answer, expected, hint=hint)


@exercise("3-2")
def _classic_c3_fully_connected(answer: Any) -> str | None:
    """연결 표가 모두 True인 논문 LeNet-5에서 C3의 파라미터 수."""
    from lenetlib import layers, model

    full = np.ones((6, 16), dtype=bool)
    expected = model.build_lenet5_classic(connection_table=full).get_layer("C3").count_params()
    partial = model.build_lenet5_classic().get_layer("C3").count_params()
    if number(answer, integer=True) == partial:
        connections = int(layers.C3_CONNECTION_TABLE.sum())
        return f"그 수는 논문의 부분 연결(연결 {connections}개)일 때입니다. 연결 표를 모두 True로."
    return number_hint(answer, expected, hint="C3 필터 하나가 S2의 맵 6장을 모두 봅니다.")


@exercise("3-3")
def _eight_c1_filters(answer: Any) -> str | None:
    """C1 필터를 8개로 늘렸을 때 (C1의 파라미터 수, C3의 파라미터 수)."""
    from lenetlib._internal.backend import keras

    c1 = keras.layers.Conv2D(8, 5)
    c3 = keras.layers.Conv2D(16, 5)
    keras.Sequential([keras.Input((32, 32, 1)), c1, keras.layers.MaxPooling2D(2), c3])
    values = numbers(answer, 2, "(C1의 파라미터 수, C3의 파라미터 수)", integer=True)
    if problem := number_hint(values[0], c1.count_params(), hint="C1 식 (5×5×1+1)×필터 수."):
        return f"C1이 {problem}"
    hint = "C3 필터 하나의 가중치 수는 입력 채널 수(= C1 필터 수)에 비례합니다: (5×5×채널+1)×16."
    if problem := number_hint(values[1], c3.count_params(), hint=hint):
        return f"C3가 {problem}"
    return None
