"""장이 직접 쓰는 코드와 lenetlib이 같은지 (이슈 #19, d2l의 ``#@save``).

3장·6장·8장은 가르치는 코드를 장 안에서 직접 쓰고 실행하며, 같은 코드가 lenetlib에 있어
뒤의 장이 씁니다. 그 셀에는 표시 주석 ``# 이 장의 코드 (lenetlib.함수와 같음)`` 줄이 있습니다
(여러 셀이면 순서대로 잇습니다). 여기서는 그 셀을 노트북에서 꺼내 실행하고 lenetlib 함수의
결과와 비교합니다. 검사마다 장의 코드를 한 군데 바꾼 사본으로는 실패하는지도 확인합니다.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
MARK = "# 이 장의 코드 (lenetlib.{}와 같음)"
LENET_PARAMS = 61_706


def chapter_code(notebook: str, function: str) -> str:
    """``notebooks/{notebook}``에서 ``function``의 표시 주석이 있는 코드 셀들을 이은 코드."""
    nb = json.loads((ROOT / "notebooks" / notebook).read_text(encoding="utf-8"))
    mark = MARK.format(function)
    sources = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    cells = [src for src in sources if any(ln.startswith(mark) for ln in src.splitlines())]
    assert cells, f"{notebook}에 '{mark}' 줄로 표시한 코드 셀이 없습니다"
    return "\n\n".join(cells)


def run_code(code: str, **names: Any) -> dict[str, Any]:
    """장의 코드를 준비 블록의 이름(np, keras)과 ``names``가 있는 곳에서 실행한 뒤의 이름들."""
    from lenetlib._internal.backend import keras

    namespace = {"np": np, "keras": keras, **names}
    with contextlib.redirect_stdout(io.StringIO()):  # 장의 print는 노트북에서 nbval이 봄
        exec(compile(code, "<장의 코드>", "exec"), namespace)
    return namespace


def mutated(code: str, old: str, new: str) -> str:
    assert code.count(old) == 1, f"바꿀 곳 {old!r}이 장의 코드에 꼭 한 번 있어야 합니다"
    return code.replace(old, new)


# --- 3장: keras.Sequential ↔ model.build_lenet5 ---------------------------------------------
CH3 = ("03_model.ipynb", "model.build_lenet5")


def assert_same_lenet(code: str) -> None:
    from lenetlib.model import build_lenet5

    mine, library = run_code(code)["lenet"], build_lenet5()
    assert (mine.name, mine.input_shape) == (library.name, library.input_shape)
    assert [layer.name for layer in mine.layers] == [layer.name for layer in library.layers]
    for a, b in zip(mine.layers, library.layers, strict=True):
        assert type(a) is type(b), f"{a.name}: {type(a).__name__} ≠ {type(b).__name__}"
        assert a.get_config() == b.get_config(), f"{a.name} 층의 설정이 다릅니다"
    assert mine.count_params() == library.count_params() == LENET_PARAMS


def test_chapter3_sequential_is_build_lenet5():
    assert_same_lenet(chapter_code(*CH3))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('Dense(84, activation="tanh"', 'Dense(80, activation="tanh"'),
        ('"tanh", name="C3"', '"relu", name="C3"'),
    ],
)
def test_chapter3_check_fails_on_a_changed_layer(old, new):
    changed = mutated(chapter_code(*CH3), old, new)  # 장의 코드가 없으면 여기서 실패
    with pytest.raises(AssertionError):
        assert_same_lenet(changed)


# --- 6장: layer.kernel ↔ layer_filters, keras.Model(…) ↔ feature_maps ---------------------
CH6_FILTERS = ("06_error_analysis.ipynb", "error_analysis.layer_filters")
CH6_MAPS = ("06_error_analysis.ipynb", "error_analysis.feature_maps")


@pytest.fixture(scope="module")
def image(mnist_small) -> np.ndarray:
    """2장의 전처리를 거친 실제 MNIST 테스트 이미지 한 장 ``(32, 32, 1)``."""
    from lenetlib.preprocessing import preprocess_images

    return preprocess_images(mnist_small["x_test"][:1])[0]


def assert_same_filters(code: str, lenet: Any) -> None:
    from lenetlib.error_analysis import layer_filters

    names = run_code(code, lenet=lenet)
    for layer in ("C1", "C3"):
        np.testing.assert_array_equal(
            names[f"{layer.lower()}_filters"], layer_filters(lenet, layer)
        )


def assert_same_feature_maps(code: str, lenet: Any, image: np.ndarray) -> None:
    from lenetlib.error_analysis import feature_maps

    maps = run_code(code, lenet=lenet, image=image)["maps"]
    expected = feature_maps(lenet, image, ("C1", "C3"))
    assert list(maps) == list(expected)
    for name, values in expected.items():
        np.testing.assert_allclose(maps[name], values, rtol=1e-5, atol=1e-6, err_msg=name)


def test_chapter6_kernels_are_layer_filters(lenet5):
    assert_same_filters(chapter_code(*CH6_FILTERS), lenet5)


def test_chapter6_sub_model_is_feature_maps(lenet5, image):
    assert_same_feature_maps(chapter_code(*CH6_MAPS), lenet5, image)


def test_chapter6_checks_fail_on_a_changed_layer(lenet5, image):
    filters = mutated(chapter_code(*CH6_FILTERS), 'get_layer("C3")', 'get_layer("C1")')
    with pytest.raises(AssertionError):
        assert_same_filters(filters, lenet5)
    maps = mutated(chapter_code(*CH6_MAPS), 'get_layer("C1")', 'get_layer("S2")')
    with pytest.raises(AssertionError):
        assert_same_feature_maps(maps, lenet5, image)


# --- 8장: 다섯 단계 ↔ handwriting.to_mnist (견본 50장) ----------------------------------------
CH8 = ("08_handwriting.ipynb", "handwriting.to_mnist")


def differing_samples(code: str) -> list[int]:
    """장의 단계를 견본마다 실행해 ``digit``이 ``to_mnist``와 픽셀 하나라도 다른 견본의 번호."""
    from lenetlib.handwriting import load_samples, to_mnist

    images, _ = load_samples()
    assert len(images) == 50
    return [
        i
        for i, photo in enumerate(images)
        if not np.array_equal(run_code(code, photo=photo)["digit"], to_mnist(photo))
    ]


def test_chapter8_steps_are_to_mnist_on_all_50_samples():
    assert differing_samples(chapter_code(*CH8)) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [("scale = 20 /", "scale = 19 /"), ("ink[ink < 0.2] = 0", "ink[ink < 0.3] = 0"),
     ("shift = np.round(14 -", "shift = np.floor(14 -")],
)  # fmt: skip
def test_chapter8_check_fails_on_a_changed_step(old, new):
    assert differing_samples(mutated(chapter_code(*CH8), old, new))


# --- 1장: 도우미보다 먼저 matplotlib 그대로 -----------------------------------------------------
def test_chapter1_draws_one_digit_with_plain_imshow_before_the_helpers():
    nb = json.loads((ROOT / "notebooks" / "01_data.ipynb").read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "import matplotlib.pyplot as plt" in code and "plt.imshow(x_train[0]" in code
    assert code.index("plt.imshow(") < code.index("plotting."), "imshow를 도우미보다 먼저"
