"""논문(1998)의 평면 아핀 왜곡을 Keras 전처리 층으로: 훈련 중에만 매번 새로 (7장 ``07_paper.ipynb``)

LeCun 외(1998)는 훈련 이미지를 이동(translation), 확대·축소(scaling), 찌그러뜨리기(squeezing:
가로와 세로를 서로 다르게 늘이고 줄이기), 가로 기울이기(horizontal shearing)로 비틀어 더
배웠습니다. 여기서는 같은 왜곡을 ``keras.layers.RandomTranslation``·``RandomZoom``·
``RandomShear``로 만들어 모델 맨 앞에 둡니다. 이 층들은 ``training=True``일 때(``fit``)만
배치마다 새 왜곡을 만들고, 평가·예측에서는 입력을 그대로 넘깁니다. 논문과 달리 세로
기울이기도 함께 겁니다 (7장의 기준 결과가 이 설정으로 잰 값).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lenetlib._internal import checks
from lenetlib._internal.backend import keras

__all__ = ["DISTORTION_NAMES", "distortion_examples", "distortions"]

#: 층 이름 → 그림·표에 쓰는 한국어 이름
DISTORTION_NAMES = {
    "translation": "이동(translation)",
    "zoom": "확대·축소, 찌그러뜨리기(scaling, squeezing)",
    "shear": "기울이기(shearing)",
}
_LIMITS = {"translation": 0.25, "zoom": 0.5, "shear": 0.5}
_HINTS = {
    "translation": "이미지 한 변에 대한 비율입니다. 예: 0.04 (32칸의 4%, 약 1.3칸)",
    "zoom": "확대·축소 비율입니다. 예: 0.08 (±8%)",
    "shear": "기울기 계수입니다. 예: 0.06",
}


def distortions(
    translation: float = 0.04,
    zoom: float = 0.08,
    shear: float = 0.06,
    *,
    interpolation: str = "nearest",
    seed: int | None = None,
) -> keras.Sequential:
    """이동·확대·축소·찌그러뜨리기·기울이기를 무작위로 거는 층 묶음 (파라미터 0개). (7장)

    ``translation``: 가로·세로 이동의 최대 비율, ``zoom``: 가로와 세로 배율을 **따로** 뽑는
    확대·축소의 최대 비율 (두 배율이 같은 쪽이면 확대·축소, 반대쪽이면 찌그러뜨리기),
    ``shear``: 가로·세로 기울이기의 최대 계수 (논문은 가로만). 0이면 그 왜곡을 끕니다.
    빈 곳은 0(검은 배경).
    ``interpolation``: 새 픽셀 값을 정하는 방법. 기본 ``"nearest"``(가장 가까운 픽셀)는 획을 흐리지
    않습니다. Keras 기본값 ``"bilinear"``는 층을 지날 때마다 획을 흐려, 선명한 테스트 이미지와
    달라집니다 (7장에서 잼). ``seed``: 같은 시드면 같은 왜곡. 입력은 ``(N, 32, 32, 1)``, 값 0~1.
    """
    shift, scale, slant = (
        checks.check_float(value, name, low=0, high=_LIMITS[name], hint=_HINTS[name])
        for value, name in zip((translation, zoom, shear), _LIMITS, strict=True)
    )
    seed = None if seed is None else checks.check_seed(seed)
    how = checks.check_choice(interpolation, "interpolation", ("nearest", "bilinear"))
    fill = {"fill_mode": "constant", "fill_value": 0.0, "interpolation": how, "seed": seed}
    return keras.Sequential(
        [
            keras.layers.RandomTranslation(shift, shift, name="translation", **fill),
            keras.layers.RandomZoom(scale, scale, name="zoom", **fill),
            # (0, s): 크기를 0~s에서 뽑고 방향(±)은 층이 무작위로 정함 = -s~s. 숫자 하나(s)로 주면
            # Keras 3.15가 (-s, s)로 저장해 다시 불러오지 못합니다.
            keras.layers.RandomShear((0.0, slant), (0.0, slant), name="shear", **fill),
        ],
        name="distortions",
    )


def distortion_examples(
    images: Any, block: keras.Sequential | None = None, *, repeats: int = 1
) -> dict[str, np.ndarray]:
    """층마다 따로, 그리고 모두 함께 건 예 (그림용): ``{이름: (N×repeats, 32, 32, 1)}``. (7장)

    ``block``: :func:`distortions`의 결과 (기본: 기본값, 시드 0). 같은 이미지를 ``repeats``번
    되풀이해 넣으므로 한 장이 어떻게 여러 가지로 비틀리는지 보입니다.
    """
    x = checks.check_model_input(images, "images")
    block = distortions(seed=0) if block is None else block
    checks.check_type(block, keras.Sequential, "block", "keras.Sequential", "distortions()의 결과")
    repeats = checks.check_int(repeats, "repeats", minimum=1, maximum=64, example=6)
    x = np.repeat(x, repeats, axis=0)
    out = {"원본": x}
    for layer in block.layers:
        out[DISTORTION_NAMES.get(layer.name, layer.name)] = np.asarray(layer(x, training=True))
    out["모두 함께"] = np.asarray(block(x, training=True))
    return out
