"""lenetlib.plotting 테스트: 그림 모양, 한국어 제목, 한글 글꼴, 입력 검사."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font

from lenetlib import plotting

HANGUL = re.compile(r"[가-힣]")
ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------------------
# 픽스처
# --------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data(mnist_small) -> dict[str, np.ndarray]:
    """실제 MNIST와, 최근접 평균(nearest centroid) 분류기로 만든 실제 예측/오분류."""
    x_train = mnist_small["x_train"].astype(np.float32) / 255.0
    y_train = mnist_small["y_train"].astype(np.int64)
    x_test = mnist_small["x_test"].astype(np.float32) / 255.0
    y_test = mnist_small["y_test"].astype(np.int64)
    centroids = np.stack([x_train[y_train == k].mean(axis=0) for k in range(10)])
    dist = ((x_test[:, None] - centroids[None]) ** 2).sum(axis=(2, 3))
    logits = -dist / 4.0
    logits -= logits.max(axis=1, keepdims=True)
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y_pred = proba.argmax(axis=1)
    x32 = np.pad(x_test, ((0, 0), (2, 2), (2, 2)))[..., None]
    cm = np.zeros((10, 10), dtype=np.int64)
    np.add.at(cm, (y_test, y_pred), 1)
    wrong = np.flatnonzero(y_pred != y_test)
    top = wrong[np.argsort(proba[wrong].max(axis=1))[::-1][:16]]
    return {
        "x_raw": mnist_small["x_train"],
        "y_raw": mnist_small["y_train"],
        "x32": x32,
        "y_test": y_test,
        "y_pred": y_pred,
        "proba": proba,
        "cm": cm,
        "cm_norm": cm / cm.sum(axis=1, keepdims=True),
        "errors": top,
    }


@pytest.fixture(scope="module")
def lenet():
    """시드 노트북과 같은 구조의 LeNet-5."""
    from lenetlib.model import build_lenet5

    return build_lenet5()


@pytest.fixture(scope="module")
def conv_outputs(lenet, data) -> dict[str, np.ndarray]:
    """한 입력 이미지에 대한 C1, C3 출력과 두 층의 커널."""
    x_one = data["x32"][:1]
    c1 = lenet.get_layer("C1")
    c3 = lenet.get_layer("C3")
    s2 = lenet.get_layer("S2")
    out1 = np.asarray(c1(x_one))
    out3 = np.asarray(c3(s2(out1)))
    return {
        "C1": out1[0],
        "C3": out3[0],
        "C1_w": np.asarray(c1.get_weights()[0]),
        "C3_w": np.asarray(c3.get_weights()[0]),
    }


HISTORY = {
    "accuracy": [0.90, 0.96, 0.975, 0.982, 0.986],
    "val_accuracy": [0.95, 0.97, 0.978, 0.977, 0.981],
    "loss": [0.35, 0.13, 0.08, 0.06, 0.045],
    "val_loss": [0.16, 0.10, 0.075, 0.078, 0.065],
    "learning_rate": [1e-3, 1e-3, 1e-3, 5e-4, 5e-4],
}


def _texts(fig: Figure) -> list[str]:
    """그림의 모든 제목, 축 이름, 글자를 모읍니다."""
    out = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        out += [t.get_text() for t in ax.texts]
        legend = ax.get_legend()
        if legend is not None:
            out += [t.get_text() for t in legend.get_texts()]
    return [t for t in out if t]


class _LogCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _font_problems(fig: Figure) -> list[str]:
    """그림을 실제로 그려 보고, 글꼴에 글자가 없다는 경고/로그를 모두 돌려줍니다."""
    handler = _LogCollector()
    logger = logging.getLogger("matplotlib")
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.canvas.draw()
    finally:
        logger.removeHandler(handler)
    messages = [str(w.message) for w in caught] + handler.messages
    # 일반 글자: "Glyph 44032 (...) missing from font(s) DejaVu Sans."
    # 수식(mathtext): "Font 'default' does not have a glyph for '\u2212' ..."
    return [m for m in messages if "glyph" in m.lower()]


# --------------------------------------------------------------------------------------
# 한글 글꼴
# --------------------------------------------------------------------------------------


def test_registered_font_has_hangul_glyphs():
    path = plotting.korean_font_path()
    assert path is not None and path.is_file()
    font = FT2Font(str(path))
    for char in "가힣한글":
        assert font.get_char_index(ord(char)) != 0, char
    assert plotting.korean_font_name() == font_manager.FontProperties(fname=str(path)).get_name()
    # rcParams의 글꼴 목록이 실제로 그 파일로 풀리는지
    resolved = font_manager.findfont(
        font_manager.FontProperties(family=matplotlib.rcParams["font.family"]),
        fallback_to_default=False,
    )
    assert FT2Font(resolved).get_char_index(ord("가")) != 0


def test_bundled_font_found_without_importing_koreanize_package():
    code = (
        "import sys, lenetlib.plotting as p\n"
        "assert 'koreanize_matplotlib' not in sys.modules\n"
        "assert 'keras' not in sys.modules and 'tensorflow' not in sys.modules\n"
        "assert 'seaborn' not in sys.modules\n"
        "print(p.korean_font_name()); print(p.korean_font_path())\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "MPLBACKEND": "Agg"},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    name, path = result.stdout.split()
    assert name == "NanumGothic"
    assert Path(path).parent.name == "fonts"
    assert Path(path).parent.parent.name == "koreanize_matplotlib"


def test_unicode_minus_disabled_and_minus_renders():
    assert matplotlib.rcParams["axes.unicode_minus"] is False
    fig, ax = plt.subplots()
    ax.plot([-3, -1, 2], [-0.5, 0.25, -1.0])
    ax.set_title("음수 눈금")
    assert not _font_problems(fig)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    negative = [t for t in labels if t.startswith(("-", "\u2212"))]
    assert negative, labels
    assert all(t.startswith("-") for t in negative), negative


def test_glyph_detector_catches_missing_hangul():
    """검사 도구 자체가 동작하는지: 한글이 없는 글꼴로 그리면 경고가 잡혀야 합니다."""
    fig, ax = plt.subplots()
    ax.set_title("한글", fontfamily="DejaVu Sans")
    assert _font_problems(fig)


def test_glyph_detector_catches_mathtext_minus():
    """나눔고딕에는 U+2212가 없어 기본 로그 눈금 10^{-3}의 빼기 기호가 깨집니다 (검사 도구 확인)."""
    fig, ax = plt.subplots()
    ax.plot([1e-4, 1e-3])
    ax.set_yscale("log")
    assert any("does not have a glyph" in m for m in _font_problems(fig))


def test_missing_font_emits_one_korean_warning():
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = plotting._configure_korean_font(use_bundle=False, candidates=())
        font_warnings = [w for w in caught if issubclass(w.category, plotting.KoreanFontWarning)]
        assert result is None
        assert len(font_warnings) == 1
        message = str(font_warnings[0].message)
        assert "pip install koreanize-matplotlib" in message
        assert HANGUL.search(message)
        assert plotting.korean_font_name() == "DejaVu Sans"
        assert plotting.korean_font_path() is None
        assert matplotlib.rcParams["axes.unicode_minus"] is False
    finally:
        plotting._configure_korean_font()
    assert plotting.korean_font_name() == "NanumGothic"


def test_system_font_fallback_by_family_name():
    try:
        name = plotting._configure_korean_font(
            use_bundle=False, candidates=("NoSuchFont", "NanumGothic")
        )
        assert name == "NanumGothic"
        assert matplotlib.rcParams["font.family"][0] == "NanumGothic"
    finally:
        plotting._configure_korean_font()


def test_korean_survives_seaborn_theme(data):
    import seaborn as sns

    with matplotlib.rc_context():
        sns.set_theme()
        fig = plotting.plot_class_distribution(data["y_raw"])
        assert not _font_problems(fig)
        # 직접 그리는 그림은 setup_korean_font()로 다시 설정
        assert plotting.setup_korean_font() == "NanumGothic"
        fig2, ax = plt.subplots()
        ax.set_title("직접 그린 그림")
        assert not _font_problems(fig2)


# --------------------------------------------------------------------------------------
# 모든 그림: 축 개수, 한국어 제목, 글꼴 경고 없음, plt.show() 없음
# --------------------------------------------------------------------------------------

FigureCase = Callable[[dict, dict, object], Figure]

CASES: dict[str, tuple[FigureCase, int]] = {
    "samples": (lambda d, c, m: plotting.plot_samples(d["x_raw"], d["y_raw"]), 16),
    "class_distribution": (lambda d, c, m: plotting.plot_class_distribution(d["y_raw"]), 1),
    "preprocessed": (
        lambda d, c, m: plotting.plot_preprocessed(d["x32"], d["y_test"], show_original_box=True),
        4,
    ),
    "architecture": (lambda d, c, m: plotting.plot_architecture(m), 1),
    "history": (lambda d, c, m: plotting.plot_history(HISTORY), 3),
    "history_without_lr": (
        lambda d, c, m: plotting.plot_history(
            {k: v for k, v in HISTORY.items() if k != "learning_rate"}
        ),
        3,
    ),
    "confusion_matrix": (lambda d, c, m: plotting.plot_confusion_matrix(d["cm"]), 2),
    "confusion_matrices": (
        lambda d, c, m: plotting.plot_confusion_matrices(d["cm"], d["cm_norm"]),
        4,
    ),
    "predictions": (
        lambda d, c, m: plotting.plot_predictions(
            d["x32"], d["y_test"], d["y_pred"], d["proba"].max(axis=1)
        ),
        16,
    ),
    "confident_errors": (
        lambda d, c, m: plotting.plot_confident_errors(
            d["x32"][d["errors"]],
            d["y_test"][d["errors"]],
            d["y_pred"][d["errors"]],
            d["proba"][d["errors"]],
        ),
        16,
    ),
    "confident_errors_empty": (
        lambda d, c, m: plotting.plot_confident_errors(
            np.zeros((0, 32, 32, 1)), [], [], np.zeros(0)
        ),
        1,
    ),
    "filters_C1": (lambda d, c, m: plotting.plot_filters(c["C1_w"], "C1 필터"), 6 + 1),
    "filters_C3": (lambda d, c, m: plotting.plot_filters(c["C3_w"], "C3 필터"), 96 + 1),
    "feature_maps_C1": (lambda d, c, m: plotting.plot_feature_maps(c["C1"], "C1 특성 맵"), 6),
    "feature_maps_C3": (lambda d, c, m: plotting.plot_feature_maps(c["C3"], "C3 특성 맵"), 16),
    "probability_bars": (
        lambda d, c, m: plotting.plot_probability_bars(
            d["proba"][0], true_label=int(d["y_test"][0])
        ),
        1,
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_every_figure(name, data, conv_outputs, lenet, monkeypatch):
    def no_show(*args, **kwargs):
        raise AssertionError("plotting 함수는 plt.show()를 부르면 안 됩니다")

    monkeypatch.setattr(plt, "show", no_show)
    make, n_axes = CASES[name]
    fig = make(data, conv_outputs, lenet)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == n_axes
    texts = _texts(fig)
    assert any(HANGUL.search(t) for t in texts), texts
    assert not _font_problems(fig)


# --------------------------------------------------------------------------------------
# 그림별 내용
# --------------------------------------------------------------------------------------


def test_samples_titles_match_labels(data):
    fig = plotting.plot_samples(data["x_raw"], data["y_raw"], n=6, ncols=3)
    assert len(fig.axes) == 6
    assert [ax.get_title() for ax in fig.axes] == [f"레이블: {k}" for k in data["y_raw"][:6]]
    assert fig._suptitle.get_text() == "MNIST 훈련 데이터 샘플"
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), data["x_raw"][0])


def test_samples_non_full_grid_removes_empty_cells(data):
    fig = plotting.plot_samples(data["x_raw"], data["y_raw"], n=5, ncols=4)
    assert len(fig.axes) == 5


def test_class_distribution_counts_written_on_bars(data):
    fig = plotting.plot_class_distribution(data["y_raw"])
    ax = fig.axes[0]
    counts = np.bincount(data["y_raw"], minlength=10)
    assert [int(t.get_text()) for t in ax.texts] == counts.tolist()
    assert [p.get_height() for p in ax.patches] == counts.tolist()
    assert ax.get_xlabel() == "숫자 클래스" and ax.get_ylabel() == "샘플 개수"


def test_class_distribution_uses_given_axes(data):
    fig, axes = plt.subplots(1, 2)
    out = plotting.plot_class_distribution(data["y_raw"], ax=axes[1])
    assert out is fig
    assert len(axes[1].patches) == 10 and len(axes[0].patches) == 0


def test_preprocessed_shows_32x32(data):
    fig = plotting.plot_preprocessed(data["x32"], data["y_test"], n=3)
    assert len(fig.axes) == 3
    assert fig.axes[0].images[0].get_array().shape == (32, 32)
    assert fig.axes[1].get_title() == f"32x32 패딩된 이미지\n레이블: {data['y_test'][1]}"


def test_history_panels(data):
    fig = plotting.plot_history(HISTORY)
    acc, loss, lr = fig.axes
    assert acc.get_title() == "모델 정확도" and loss.get_title() == "모델 손실"
    assert lr.get_title() == "학습률 변화" and lr.get_yscale() == "log"
    np.testing.assert_allclose(lr.lines[0].get_ydata(), HISTORY["learning_rate"])
    fig.canvas.draw()
    lr_labels = [t.get_text() for t in lr.get_yticklabels() if t.get_text()]
    expected = [f"{v:.1e}" for v in np.unique(HISTORY["learning_rate"])]
    assert sorted(lr_labels) == sorted(expected), lr_labels  # 실제 학습률 값마다 눈금 하나
    assert not any("$" in t for t in lr_labels)
    np.testing.assert_array_equal(acc.lines[0].get_xdata(), [1, 2, 3, 4, 5])
    legend = [t.get_text() for t in acc.get_legend().get_texts()]
    assert legend[:2] == ["훈련 정확도", "검증 정확도"]
    assert "최고 검증 정확도 (에포크 5)" in legend


def test_history_without_learning_rate_shows_korean_note():
    history = {k: v for k, v in HISTORY.items() if k != "learning_rate"}
    fig = plotting.plot_history(history)
    lr = fig.axes[2]
    assert lr.get_yscale() == "linear"
    assert any("학습률 정보 없음" in t.get_text() for t in lr.texts)


def test_history_accepts_object_with_history_attribute_and_axes():
    class Result:
        history = HISTORY

    fig, axes = plt.subplots(3, 1)
    out = plotting.plot_history(Result(), axes=axes)
    assert out is fig and axes[2].get_yscale() == "log"


def test_confusion_matrices_formats(data):
    fig = plotting.plot_confusion_matrices(data["cm"], data["cm_norm"])
    counts_ax, norm_ax = fig.axes[0], fig.axes[1]  # 뒤의 두 축은 색 막대
    assert counts_ax.get_title() == "혼동 행렬 (개수)"
    assert norm_ax.get_title() == "혼동 행렬 (비율)"
    count_texts = [t.get_text() for t in counts_ax.texts]
    assert len(count_texts) == 100
    assert count_texts[0] == str(data["cm"][0, 0])
    assert all(re.fullmatch(r"\d+", t) for t in count_texts)
    norm_texts = [t.get_text() for t in norm_ax.texts]
    assert all(re.fullmatch(r"\d\.\d{3}", t) for t in norm_texts)
    assert norm_texts[0] == f"{data['cm_norm'][0, 0]:.3f}"
    assert counts_ax.get_xlabel().startswith("예측된 클래스")
    assert counts_ax.get_ylabel() == "실제 클래스"


def test_confusion_matrices_computes_normalized_when_missing(data):
    fig = plotting.plot_confusion_matrices(data["cm"])
    assert fig.axes[1].texts[11].get_text() == f"{data['cm_norm'][1, 1]:.3f}"


def test_predictions_colors_and_crop(data):
    y_true, y_pred = data["y_test"], data["y_pred"]
    assert (y_true[:16] != y_pred[:16]).any() and (y_true[:16] == y_pred[:16]).any()
    fig = plotting.plot_predictions(data["x32"], y_true, y_pred, data["proba"])
    for i, ax in enumerate(fig.axes):
        expected = "green" if y_true[i] == y_pred[i] else "red"
        assert matplotlib.colors.same_color(ax.title.get_color(), expected)
        assert ax.get_title() == (
            f"실제: {y_true[i]}, 예측: {y_pred[i]}\n확신도: {data['proba'][i].max():.2%}"
        )
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), data["x32"][0, 2:30, 2:30, 0])


def test_confident_errors_are_red_and_cropped(data):
    idx = data["errors"]
    fig = plotting.plot_confident_errors(
        data["x32"][idx], data["y_test"][idx], data["y_pred"][idx], data["proba"][idx]
    )
    assert fig._suptitle.get_text() == "가장 확신도가 높은 오분류 사례들"
    for ax in fig.axes:
        assert matplotlib.colors.same_color(ax.title.get_color(), "red")
        assert ax.images[0].get_array().shape == (28, 28)
    np.testing.assert_array_equal(
        fig.axes[0].images[0].get_array(), data["x32"][idx[0], 2:30, 2:30, 0]
    )


def test_architecture_lists_layers_shapes_and_params(lenet):
    fig = plotting.plot_architecture(lenet)
    texts = [t.get_text() for t in fig.axes[0].texts]
    for layer in lenet.layers:
        assert layer.name in texts
    assert "출력 모양: (28, 28, 6)" in texts
    assert "파라미터: 156개" in texts
    assert "출력 모양: (10,)" in texts
    assert f"{lenet.count_params():,}" in fig.axes[0].get_title()
    assert any(t.startswith("Conv2D") and "tanh" in t for t in texts)


def test_architecture_into_given_axes(lenet):
    fig, ax = plt.subplots()
    assert plotting.plot_architecture(lenet, ax=ax) is fig


def test_filters_grid_layout(conv_outputs):
    fig = plotting.plot_filters(conv_outputs["C3_w"], "C3 필터")
    assert len(fig.axes) == 6 * 16 + 1
    assert fig.axes[0].get_title() == "필터 1" and fig.axes[0].get_ylabel() == "입력 1"
    np.testing.assert_allclose(fig.axes[17].images[0].get_array(), conv_outputs["C3_w"][:, :, 1, 1])


def test_feature_maps_one_panel_per_channel(conv_outputs):
    fig = plotting.plot_feature_maps(conv_outputs["C1"][None], "C1 특성 맵", ncols=3)
    assert len(fig.axes) == 6
    assert fig.axes[5].get_title() == "맵 6"
    np.testing.assert_allclose(fig.axes[2].images[0].get_array(), conv_outputs["C1"][:, :, 2])


def test_probability_bars_colors(data):
    wrong = int(data["errors"][0])
    p, t = data["proba"][wrong], int(data["y_test"][wrong])
    fig = plotting.plot_probability_bars(p, true_label=t)
    ax = fig.axes[0]
    pred = int(np.argmax(p))
    assert matplotlib.colors.same_color(ax.patches[pred].get_facecolor(), "red")
    true_tick = ax.get_xticklabels()[t]
    assert matplotlib.colors.same_color(true_tick.get_color(), "green")
    assert [a.get_text() for a in ax.texts if a.get_text() == "정답"] == ["정답"]
    np.testing.assert_allclose([b.get_height() for b in ax.patches], p)
    assert "0.0%" not in [a.get_text() for a in ax.texts]  # 0에 가까운 확률 글자는 생략
    assert ax.get_title() == f"예측 확률 (예측: {pred}, 실제: {t})"


# --------------------------------------------------------------------------------------
# 잘못된 입력: 한국어 ValueError
# --------------------------------------------------------------------------------------

x3 = np.zeros((5, 28, 28))
x32 = np.zeros((5, 32, 32, 1))
y5 = np.arange(5)
conf5 = np.full(5, 0.9)

BAD_INPUTS: dict[str, tuple[Callable[[], object], str]] = {
    "samples_length": (lambda: plotting.plot_samples(x3, np.arange(4)), "길이가 서로"),
    "samples_n_too_large": (lambda: plotting.plot_samples(x3, y5, n=16), "5개뿐"),
    "samples_n_zero": (lambda: plotting.plot_samples(x3, y5, n=0), "1 이상"),
    "samples_single_image": (lambda: plotting.plot_samples(x3[0], y5[:1]), "x\\[None\\]"),
    "samples_strings": (lambda: plotting.plot_samples(np.array([["a"]]), y5), "숫자 배열"),
    "distribution_range": (lambda: plotting.plot_class_distribution([0, 3, 12]), "0 ~ 9"),
    "distribution_float": (lambda: plotting.plot_class_distribution([0.5, 1.0]), "정수 레이블"),
    "preprocessed_28": (lambda: plotting.plot_preprocessed(x3, y5), "32×32"),
    "history_missing_key": (lambda: plotting.plot_history({"loss": [1.0]}), "accuracy"),
    "history_lengths": (
        lambda: plotting.plot_history({"accuracy": [0.9, 0.95], "loss": [0.3]}),
        "길이가 서로",
    ),
    "history_type": (lambda: plotting.plot_history([0.9, 0.95]), "사전"),
    "history_axes": (
        lambda: plotting.plot_history(HISTORY, axes=plt.subplots(1, 2)[1]),
        "축 3개",
    ),
    "confusion_not_square": (
        lambda: plotting.plot_confusion_matrix(np.zeros((10, 9), dtype=int)),
        "정사각",
    ),
    "confusion_float_counts": (
        lambda: plotting.plot_confusion_matrix(np.full((3, 3), 0.5)),
        "normalized=True",
    ),
    "confusion_normalized_range": (
        lambda: plotting.plot_confusion_matrix(np.full((3, 3), 7.0), normalized=True),
        "0~1",
    ),
    "confusion_pair_shape": (
        lambda: plotting.plot_confusion_matrices(np.eye(10, dtype=int), np.eye(3)),
        "모양이 다릅니다",
    ),
    "predictions_length": (
        lambda: plotting.plot_predictions(x32, y5, y5[:3], conf5, n=3),
        "길이가 서로",
    ),
    "predictions_n": (lambda: plotting.plot_predictions(x32, y5, y5, conf5), "5개뿐"),
    "predictions_confidence": (
        lambda: plotting.plot_predictions(x32, y5, y5, conf5 * 2, n=2),
        "0과 1 사이",
    ),
    "predictions_size": (
        lambda: plotting.plot_predictions(np.zeros((5, 30, 30)), y5, y5, conf5, n=2),
        "28×28 또는 32×32",
    ),
    "errors_length": (
        lambda: plotting.plot_confident_errors(x32, y5, y5, conf5[:2]),
        "길이가 서로",
    ),
    "filters_rank": (lambda: plotting.plot_filters(np.zeros((5, 5))), "합성곱 커널"),
    "filters_nan": (lambda: plotting.plot_filters(np.full((5, 5, 1, 6), np.nan)), "NaN"),
    "feature_maps_batch": (
        lambda: plotting.plot_feature_maps(np.zeros((2, 28, 28, 6))),
        "한 장만",
    ),
    "probability_sum": (lambda: plotting.plot_probability_bars(np.ones(10)), "softmax"),
    "probability_rows": (
        lambda: plotting.plot_probability_bars(np.full((3, 10), 0.1)),
        "probabilities\\[i\\]",
    ),
    "probability_true_label": (
        lambda: plotting.plot_probability_bars(np.full(10, 0.1), true_label=10),
        "0 ~ 9",
    ),
    "architecture_not_model": (lambda: plotting.plot_architecture("LeNet"), "Keras 모델"),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_raises_korean_value_error(name):
    call, pattern = BAD_INPUTS[name]
    with pytest.raises(ValueError, match=pattern) as info:
        call()
    assert HANGUL.search(str(info.value))


def test_architecture_unbuilt_model_raises_korean_error():
    keras = pytest.importorskip("keras")
    model = keras.Sequential([keras.layers.Dense(3)])
    with pytest.raises(ValueError, match="빌드") as info:
        plotting.plot_architecture(model)
    assert HANGUL.search(str(info.value))


def test_wrapper_keeps_backend_changes_made_while_drawing():
    """inline 백엔드가 첫 그림에서 켜는 interactive를 되돌리면 두 번째 그림부터 안 보입니다."""
    import matplotlib

    from lenetlib import plotting

    before = matplotlib.is_interactive()

    @plotting._korean
    def draw():
        matplotlib.interactive(True)  # Jupyter inline 백엔드가 처음 불릴 때 하는 일
        return matplotlib.rcParams["axes.unicode_minus"]

    try:
        matplotlib.interactive(False)
        assert draw() is False
        assert matplotlib.is_interactive() is True
    finally:
        matplotlib.interactive(before)


def test_confusion_colour_scale_shows_errors(data):
    """색 범위가 대각선 밖(오류) 최댓값이라, 한 자릿수 오류 칸도 색으로 보입니다."""
    cm = data["cm"]
    fig = plotting.plot_confusion_matrix(cm)
    mesh = fig.axes[0].collections[0]
    off = cm[~np.eye(len(cm), dtype=bool)]
    assert mesh.norm.vmin == 0 and mesh.norm.vmax == off.max()
    assert "대각선 밖" in fig.axes[0].get_xlabel()
