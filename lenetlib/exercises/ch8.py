"""8장 ``08_handwriting.ipynb`` 연습 문제의 채점 함수 (MNIST 방식의 ③~⑤ 단계)."""

from __future__ import annotations

from typing import Any

from lenetlib import handwriting
from lenetlib.exercises import exercise, numbers

BOX, CENTRE = (30, 75), (12.6, 15.4)  # 8-1의 경계 상자 (높이, 너비), 8-2의 무게중심 (행, 열)


@exercise("8-1")
def resized_shape(answer: Any) -> str | None:
    """경계 상자 30×75(높이×너비)가 ④ 단계 뒤에 되는 (높이, 너비)."""
    given, scale = numbers(answer, 2, "(높이, 너비)", integer=True), handwriting.BOX_SIZE / max(BOX)
    if given == (expected := [max(1, round(side * scale)) for side in BOX]):
        return None
    if given == expected[::-1]:
        return "순서를 확인하세요: 답은 NumPy의 모양 (높이, 너비)입니다 (PIL만 (너비, 높이))."
    return "긴 변이 20이 되는 배율(20 ÷ 긴 변) 하나를 두 변에 똑같이 곱하고 반올림하세요."


@exercise("8-2")
def centre_shift(answer: Any) -> str | None:
    """무게중심이 (12.6, 15.4)일 때 ⑤ 단계가 옮기는 (행, 열) 칸 수."""
    given = numbers(answer, 2, "(행, 열)로 옮길 칸 수", integer=True)
    expected = [round(14 - c) for c in CENTRE]  # 파이썬 round도 np.round처럼 짝수 쪽으로
    if given == [-v for v in expected]:
        return "방향(부호)을 확인하세요. 옮길 칸 = 목표 (14, 14) − 지금의 무게중심입니다."
    return None if given == expected else "(14, 14) − 무게중심을 가까운 정수로 반올림하세요."


@exercise("8-3")
def sample_box_heights(answer: Any) -> str | None:
    """견본 50장의 원본(96×96)에서 잉크 경계 상자 높이의 (가장 낮은, 가장 높은) 값."""
    given = numbers(answer, 2, "(가장 낮은 높이, 가장 높은 높이)", integer=True)
    images = handwriting.load_samples()[0]
    heights = [(box := handwriting.mnist_steps(image).bbox)[1] - box[0] for image in images]
    if given == (expected := [min(heights), max(heights)]):
        return None
    if given in ([v - 1 for v in expected], [v + 1 for v in expected]):
        return "bbox의 끝 번호는 자르기(a[시작 : 끝])처럼 마지막 행 + 1입니다: 높이 = 끝 − 시작."
    return "견본마다 원본에서의 상자 높이(bbox[1] − bbox[0])를 구해 (가장 작은 값, 큰 값)으로."
