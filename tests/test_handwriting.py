"""8장 lenetlib.handwriting: 그림 → MNIST 방식 28×28 → 모델 입력, 견본, 잘못된 입력."""

from __future__ import annotations

import importlib.util
import io
import os
import struct
import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from lenetlib import handwriting as hw
from lenetlib.preprocessing import preprocess_images
from tests.conftest import raises_korean

ROOT = Path(__file__).resolve().parent.parent
SEVEN = hw.Strokes([[(60, 50), (220, 50), (120, 250)]], width=18)


def _best_shift_corr(a: np.ndarray, b: np.ndarray) -> float:
    """±1칸 이동까지 허용한 상관계수 (무게중심 반올림으로 한 칸 어긋날 수 있음)."""
    a, b = a.astype(float).ravel(), b.astype(float)
    return max(
        np.corrcoef(np.roll(b, (i, j), (0, 1)).ravel(), a)[0, 1]
        for i in (-1, 0, 1)
        for j in (-1, 0, 1)
    )


def _bbox(x: np.ndarray) -> tuple[int, int]:
    rows, cols = np.flatnonzero(x.any(axis=1)), np.flatnonzero(x.any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def _paper_photo(ink: np.ndarray, size: int = 120) -> np.ndarray:
    """28×28 잉크(0~255)를 키워 누런 종이 위 파란 펜 사진처럼 만든 RGB uint8."""
    big = np.asarray(Image.fromarray(ink).resize((size, size), Image.Resampling.BILINEAR)) / 255
    paper, pen = np.array([235.0, 230.0, 215.0]), np.array([30.0, 40.0, 120.0])
    return np.round(paper * (1 - big[..., None]) + pen * big[..., None]).astype(np.uint8)


def test_mnist_digits_stay_themselves(mnist_small):
    """MNIST 숫자를 다시 넣으면: 무게중심 (14, 14)±1, 경계 상자 20×20 안, 모양은 그대로."""
    for image in mnist_small["x_test"][:150]:
        out = hw.to_mnist(image)
        assert out.dtype == np.uint8 and out.shape == (28, 28)
        com = np.asarray(ndimage.center_of_mass(out.astype(float)))
        assert np.all(np.abs(com - 14) <= 1), com
        height, width = _bbox(out)
        assert max(height, width) == 20 and min(height, width) >= 1
        assert _best_shift_corr(out, image) > 0.98


def test_each_step_on_a_photo(mnist_small):
    digit = mnist_small["x_test"][0]
    steps = hw.mnist_steps(_paper_photo(digit))
    assert steps.original.shape == (120, 120, 3) and steps.grey.shape == (120, 120)
    assert steps.grey[0, 0] > 0.8 and steps.inverted  # 밝은 종이 → 뒤집음
    assert steps.ink[0, 0] == 0 and steps.ink.max() == 1.0  # 배경 0, 가장 진한 잉크 1
    top, bottom, left, right = steps.bbox
    assert steps.cropped.shape == (bottom - top, right - left)
    assert not steps.ink[:top].any() and not steps.ink[bottom:].any()
    assert max(steps.resized.shape) == 20
    ratio_in = steps.cropped.shape[0] / steps.cropped.shape[1]
    ratio_out = steps.resized.shape[0] / steps.resized.shape[1]
    assert abs(ratio_in - ratio_out) < 0.1  # 비율을 지킴
    assert steps.centred.shape == (28, 28) and steps.mnist.dtype == np.uint8
    assert np.array_equal(steps.mnist, np.round(steps.centred * 255).astype(np.uint8))
    assert _best_shift_corr(steps.mnist, digit) > 0.9  # 사진으로 찍어도 같은 숫자


def test_model_input_is_the_chapter2_line_not_a_wrapper(mnist_small):
    """이슈 #19 (6): 모델 입력은 2장 한 줄 ``preprocess_images(to_mnist(x)[None])``."""
    assert not hasattr(hw, "to_model_input") and "to_model_input" not in hw.__all__
    x = preprocess_images(hw.to_mnist(mnist_small["x_test"][3])[None])
    assert x.shape == (1, 32, 32, 1) and x.dtype == np.float32
    assert x[0, :2].max() == 0 and 0.99 < x.max() <= 1.0  # 패딩 2칸, [0, 1]


def test_every_input_kind_gives_the_same_digit(tmp_path):
    grey = hw.render_strokes(SEVEN)
    expected = hw.to_mnist(SEVEN)
    rgba = np.zeros((*grey.shape, 4), np.uint8)
    rgba[..., 3] = 255 - grey  # 투명 배경 위 검은 잉크
    path = tmp_path / "seven.png"
    Image.fromarray(grey).save(path)
    jpeg = io.BytesIO()
    Image.fromarray(grey).save(jpeg, format="JPEG", quality=95)
    same = [str(path), path, path.read_bytes(), Image.open(path), grey, grey / 255.0,
            np.repeat(grey[..., None], 3, axis=2), rgba, grey[..., None], 255 - grey]  # fmt: skip
    for image in same:
        np.testing.assert_array_equal(hw.to_mnist(image), expected)
    assert _best_shift_corr(hw.to_mnist(jpeg.getvalue()), expected) > 0.97


def test_position_scale_and_width_do_not_matter():
    """MNIST 방식의 요점: 어디에 얼마나 크게 그렸든 거의 같은 28×28."""
    base = hw.to_mnist(SEVEN)
    moved = hw.Strokes([[(10, 10), (90, 10), (40, 110)]], width=9, size=(400, 300))
    assert _best_shift_corr(hw.to_mnist(moved), base) > 0.9
    assert hw.mnist_steps(moved).bbox[0] in (5, 6)  # 획 굵기 9의 절반(4.5)만큼 위


def test_render_strokes_draws_dots_and_lines():
    image = hw.render_strokes(hw.Strokes([[(50, 50)], [(10, 100), (90, 100)]], width=10))
    assert image.shape == (280, 280) and image.dtype == np.uint8
    assert image[50, 50] == 0 and image[100, 50] == 0 and image[0, 0] == 255
    assert image[50, 60] == 255  # 점 하나는 반지름 5


def test_load_samples_match_the_script(tmp_path):
    images, labels = hw.load_samples()
    assert images.shape == (50, 96, 96, 3) and images.dtype == np.uint8
    assert labels.dtype == np.int64 and np.array_equal(np.bincount(labels), [5] * 10)
    assert images.mean() > 180  # 흰 종이에 어두운 잉크
    spec = importlib.util.spec_from_file_location(
        "make_samples", ROOT / "scripts" / "make_handwriting_samples.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.main(["--out", str(tmp_path)]) == 0
    packaged = ROOT / "lenetlib" / "_data" / "handwriting"
    names = sorted(p.name for p in tmp_path.glob("*.png"))
    assert names == sorted(p.name for p in packaged.glob("*.png"))
    for name in names:  # 커밋된 그림 = 스크립트가 같은 시드로 다시 그린 그림
        fresh, kept = (np.asarray(Image.open(d / name)) for d in (tmp_path, packaged))
        assert np.array_equal(fresh, kept), name


def test_samples_convert_like_mnist():
    for image in hw.load_samples()[0][::7]:
        out = hw.to_mnist(image)
        com = np.asarray(ndimage.center_of_mass(out.astype(float)))
        assert np.all(np.abs(com - 14) <= 1) and max(_bbox(out)) == 20


@pytest.mark.parametrize(
    ("image", "fragment"),
    [
        (hw.Strokes([]), "캔버스가 비어 있습니다"),
        (hw.Strokes([[], []]), "캔버스가 비어 있습니다"),
        (hw.Strokes([[1, 2, 3]]), r"\(x, y\) 점의 목록"),
        (hw.Strokes([[(1, 2)]], width=0), "획 굵기"),
        (np.full((64, 64), 255, np.uint8), r"한 가지 색\(흰색\)"),
        (np.zeros((64, 64)), r"한 가지 색\(검은색\)"),
        (b"this is not a png", r"그림 파일이 아닙니다: 받은 데이터\(17바이트\)"),
        ("no_such_digit.png", "그림 파일이 없습니다"),
        (np.zeros((5001, 5001), np.uint8), "그림이 너무 큽니다.*25,000,000화소 이하로 줄여서"),
        (Image.new("L", (6000, 5000)), "그림이 너무 큽니다"),
        (np.full((28, 28), np.nan), "NaN이나 무한대가 784개.*픽셀 값은"),
        (np.zeros((28, 28, 2)), r"\(높이, 너비, 3/4\)"),
        (np.full((28, 28), 300), "0~255"),
        (np.zeros((0, 5)), "비어 있지 않고"),
        (42, "그림 파일 경로, bytes"),
    ],
)
def test_bad_input_korean_errors(image, fragment):
    raises_korean(fragment, hw.to_mnist, image)


def test_low_contrast_colour_photo_is_refused():
    rng = np.random.default_rng(0)
    photo = np.clip(rng.normal(128, 12, (90, 120, 3)), 0, 255).astype(np.uint8)
    raises_korean("밝기 차가 .* 너무 작습니다", hw.to_mnist, photo)
    grid = np.kron(rng.random((6, 8)) < 0.2, np.ones((15, 15))) * 255.0  # 숫자가 아닌 무늬
    grid[0], grid[:, 0] = 255, 255
    raises_korean("잉크가 그림의 .*를 덮습니다", hw.to_mnist, grid)


def test_huge_file_is_refused_before_decoding(tmp_path):
    path = tmp_path / "huge.png"
    Image.new("L", (5100, 5000), 255).save(path)
    raises_korean("그림이 너무 큽니다", hw.to_mnist, path)


# --- 이슈 #18: 망가진 그림 파일(6), 획(9), 점 하나(10), 밝기 범위·경로(11) ---


def _png_claiming(width: int, height: int) -> bytes:
    """헤더(IHDR)만 width×height라고 주장하는 작은 PNG (압축 폭탄 흉내)."""
    buffer = io.BytesIO()
    Image.new("L", (1, 1), 255).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def _encoded(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(hw.render_strokes(SEVEN)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_files_are_korean_errors_as_bytes_path_and_lazy_pil_image(fmt, tmp_path):
    cut = _encoded(fmt)[:-200]
    (path := tmp_path / f"cut.{fmt.lower()}").write_bytes(cut)
    with Image.open(path) as lazy:  # 헤더만 읽은 PIL 이미지
        for image in (cut, path, str(path), lazy):
            raises_korean("끝까지 읽을 수 없습니다", hw.to_mnist, image)


@pytest.mark.parametrize("side", [20_000, 9_500])  # PIL의 오류 한도 위 / 경고 한도 위
def test_huge_header_is_refused_in_korean_before_pil_errors_or_warns(side, tmp_path):
    (path := tmp_path / "bomb.png").write_bytes(_png_claiming(side, side))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 영어 DecompressionBombWarning도 실패
        for image in (path, path.read_bytes()):
            raises_korean("그림이 너무 큽니다", hw.to_mnist, image)


def test_closed_pil_image_is_a_korean_error(tmp_path):
    Image.fromarray(hw.render_strokes(SEVEN)).save(path := tmp_path / "seven.png")
    (closed := Image.open(path)).close()
    with Image.open(path) as unread:  # 읽기 전에 with 블록이 끝남
        pass
    for image in (closed, unread):
        raises_korean("닫힌 PIL 이미지", hw.to_mnist, image)
    with Image.open(path) as image:
        image.load()
    np.testing.assert_array_equal(hw.to_mnist(image), hw.to_mnist(SEVEN))  # 다 읽었으면 괜찮음


@pytest.mark.parametrize("size", [280, (280,), (280, 280, 3), (280.0, 280), "280x280"])
def test_bad_canvas_size_is_a_korean_error(size):
    raises_korean("캔버스 크기", hw.to_mnist, hw.Strokes(SEVEN.points, size=size))


@pytest.mark.parametrize(
    "bad",
    [float("nan"), float("inf"), -float("inf"), 1e300, 10**400],
    ids=["nan", "inf", "-inf", "1e300", "10**400"],
)
def test_non_finite_or_absurd_coordinates_are_not_silently_dropped(bad):
    points = [[(60, 50), (220, 50), (120, 250), (bad, 100)]]
    message = raises_korean("획", hw.to_mnist, hw.Strokes(points))
    assert "유한한 수" in message or "(x, y) 점의 목록" in message
    hw.to_mnist(hw.Strokes([[(-50, 50), (330, 50), (120, 250)]]))  # 캔버스 밖으로 끈 획은 괜찮음


def test_a_speck_is_too_little_ink_not_a_digit():
    speck = np.full((500, 500), 255, np.uint8)
    speck[250, 250] = 0
    raises_korean("잉크가 너무 적습니다", hw.to_mnist, speck)
    raises_korean("잉크가 너무 적습니다", hw.to_mnist, hw.Strokes([[(140, 140)]]))  # 한 번 톡
    assert hw.to_mnist(hw.Strokes([[(140, 100), (140, 180)]])).any()  # 짧은 세로획 "1"은 숫자


def test_unit_float_images_and_binary_masks_are_read_as_brightness(tmp_path):
    grey = hw.render_strokes(SEVEN)
    expected = hw.to_mnist(grey)
    unit = (grey / 255.0).astype(np.float32)
    Image.fromarray(unit, mode="F").save(tiff := tmp_path / "seven.tif")
    for same in (tiff, Image.fromarray(unit, mode="F"), grey / 255.0 * 1.0000001):
        np.testing.assert_array_equal(hw.to_mnist(same), expected)
    for mask in ((grey < 128).astype(np.uint8), grey < 128, grey >= 128):
        assert _best_shift_corr(hw.to_mnist(mask), expected) > 0.95


def test_paths_expand_home_and_say_folder_or_too_long(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    Image.fromarray(hw.render_strokes(SEVEN)).save(tmp_path / "my_7.png")
    np.testing.assert_array_equal(hw.to_mnist("~/my_7.png"), hw.to_mnist(SEVEN))
    raises_korean(
        "파일이 아니라 폴더입니다. 폴더 안의 그림 파일 경로를 넣으세요", hw.to_mnist, tmp_path
    )
    if hasattr(os, "mkfifo"):  # 이름 있는 파이프: 열면 끝없이 기다리므로 열기 전에 거절
        os.mkfifo(pipe := tmp_path / "pipe.png")
        raises_korean(
            r"보통 파일이 아닙니다 \(파이프·장치 등\). 그림 파일을 넣으세요", hw.to_mnist, pipe
        )
    raises_korean("너무 깁니다", hw.to_mnist, "a" * 300 + ".png")
    raises_korean("그림 파일이 없습니다", hw.to_mnist, tmp_path / "없는_숫자.png")


def test_a_long_thin_image_with_a_clear_line_is_read():
    thin = np.full((10_000, 3), 255, np.uint8)
    thin[1000:9000, 1] = 0  # 가운데 세로줄
    out = hw.to_mnist(thin)
    assert _bbox(out)[0] == 20 and out.max() > 200
