"""lenetlib.plotting과 _internal.fonts: 그림의 축 수, 한국어 글자, 한글 글꼴, 입력 검사."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font

from lenetlib import plotting
from lenetlib._internal import fonts
from lenetlib.plotting import images

HANGUL = re.compile(r"[가-힣]")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data(mnist_small) -> dict[str, np.ndarray]:
    """실제 MNIST와, 최근접 평균 분류기로 만든 실제 예측·오분류·혼동 행렬."""
    x_train = mnist_small["x_train"] / 255.0
    x_test = mnist_small["x_test"] / 255.0
    y_train, y_test = mnist_small["y_train"], mnist_small["y_test"]
    centroids = np.stack([x_train[y_train == k].mean(axis=0) for k in range(10)])
    logits = -((x_test[:, None] - centroids[None]) ** 2).sum(axis=(2, 3)) / 4.0
    proba = np.exp(logits - logits.max(axis=1, keepdims=True))
    proba /= proba.sum(axis=1, keepdims=True)
    y_pred = proba.argmax(axis=1)
    cm = np.zeros((10, 10), dtype=np.int64)
    np.add.at(cm, (y_test, y_pred), 1)
    wrong = np.flatnonzero(y_pred != y_test)
    return {
        "x_raw": mnist_small["x_train"],
        "y_raw": y_train,
        "x32": np.pad(x_test, ((0, 0), (2, 2), (2, 2)))[..., None],
        "y_test": y_test,
        "y_pred": y_pred,
        "proba": proba,
        "cm": cm,
        "cm_norm": cm / cm.sum(axis=1, keepdims=True),
        "errors": wrong[np.argsort(proba[wrong].max(axis=1))[::-1][:16]],
    }


@pytest.fixture(scope="module")
def lenet():
    from lenetlib.model import build_lenet5

    return build_lenet5()


@pytest.fixture(scope="module")
def conv(lenet, data) -> dict[str, np.ndarray]:
    """한 입력 이미지에 대한 C1, C3 출력과 두 층의 커널."""
    c1, s2, c3 = (lenet.get_layer(name) for name in ("C1", "S2", "C3"))
    out1 = np.asarray(c1(data["x32"][:1].astype(np.float32)))
    return {
        "C1": out1[0],
        "C3": np.asarray(c3(s2(out1)))[0],
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


@dataclass
class FakeHistory:
    """training.History처럼 ``.history`` 사전을 가진 훈련 기록 (덕 타이핑 확인용)."""

    history: dict


def _texts(fig: Figure) -> list[str]:
    """그림의 모든 제목, 축 이름, 글자, 범례를 모읍니다."""
    out = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        out += [t.get_text() for t in ax.texts]
        legend = ax.get_legend()
        out += [t.get_text() for t in legend.get_texts()] if legend else []
    return [t for t in out if t]


class _LogCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _draw(fig: Figure) -> None:
    """그림을 실제로 그립니다. 빠진 글자 경고는 오류로, 수식 글꼴의 빠진 글자 로그는 실패로."""
    handler = _LogCollector()
    logging.getLogger("matplotlib").addHandler(handler)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "Glyph 44032 (...) missing from font(s) ..."
            fig.canvas.draw()
    finally:
        logging.getLogger("matplotlib").removeHandler(handler)
    glyph_logs = [m for m in handler.messages if "glyph" in m.lower()]
    assert not glyph_logs, glyph_logs  # "Font 'default' does not have a glyph for '\u2212'"


# --- 한글 글꼴 (_internal.fonts) ---


def _run(code: str) -> str:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    args = [sys.executable, "-W", "error::DeprecationWarning", "-c", code]
    result = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_import_changes_nothing_and_first_plot_registers_font():
    code = (
        "import sys, matplotlib\n"
        "from matplotlib import font_manager as fm\n"
        "before = (list(matplotlib.rcParams['font.family']), len(fm.fontManager.ttflist),\n"
        "          matplotlib.rcParams['axes.unicode_minus'])\n"
        "import lenetlib.plotting as p\n"
        "after = (list(matplotlib.rcParams['font.family']), len(fm.fontManager.ttflist),\n"
        "         matplotlib.rcParams['axes.unicode_minus'])\n"
        "assert before == after, (before, after)\n"
        "for name in ('koreanize_matplotlib', 'seaborn', 'keras', 'tensorflow'):\n"
        "    assert name not in sys.modules, name\n"
        "p.plot_class_distribution([0, 1, 1])\n"
        "assert 'koreanize_matplotlib' not in sys.modules\n"
        "assert len(fm.fontManager.ttflist) > before[1]\n"
        "assert matplotlib.rcParams['axes.unicode_minus'] is False\n"
        "print(matplotlib.rcParams['font.family'][0], p.korean_font_path())\n"
    )
    name, path = _run(code).split()
    assert name == "NanumGothic"
    assert (
        Path(path).parent.name == "fonts"
        and Path(path).parent.parent.name == "koreanize_matplotlib"
    )


def test_setup_korean_font_is_idempotent_and_resolves_to_hangul_file():
    assert plotting.setup_korean_font() == plotting.setup_korean_font() == "NanumGothic"
    path = plotting.korean_font_path()
    assert path is not None and path.name == "NanumGothic.ttf"
    assert all(FT2Font(str(path)).get_char_index(ord(c)) != 0 for c in "가힣한글")
    resolved = font_manager.findfont(
        font_manager.FontProperties(family=matplotlib.rcParams["font.family"]),
        fallback_to_default=False,
    )
    assert FT2Font(resolved).get_char_index(ord("가")) != 0
    assert matplotlib.rcParams["font.family"] == ["NanumGothic", "DejaVu Sans"]


def test_reexported_font_helpers_have_chapter_docstrings():
    for name in ("setup_korean_font", "korean_font_name", "korean_font_path", "KoreanFontWarning"):
        assert getattr(plotting, name) is getattr(fonts, name)
        assert "모든 장" in getattr(plotting, name).__doc__


def test_system_font_fallback_by_family_name():
    plotting.setup_korean_font()  # 번들 글꼴이 fontManager에 등록된 상태 = 시스템에 있는 글꼴
    name, path = fonts._search(use_bundle=False, candidates=("NoSuchFont", "NanumGothic"))
    assert name == "NanumGothic" and path.is_file()
    assert fonts._search(use_bundle=False, candidates=("NoSuchFont",)) is None
    # 이름은 있어도 한글 글자가 없는 글꼴은 고르지 않습니다
    assert fonts._search(use_bundle=False, candidates=("DejaVu Sans",)) is None


def test_missing_font_warns_once_in_korean(monkeypatch):
    monkeypatch.setattr(fonts, "_search", lambda **kwargs: None)
    monkeypatch.setattr(fonts, "_state", {"found": None, "warned": False})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with matplotlib.rc_context():
            assert plotting.setup_korean_font() == "DejaVu Sans"
            assert plotting.setup_korean_font() == "DejaVu Sans"
            assert matplotlib.rcParams["axes.unicode_minus"] is False
    font_warnings = [w for w in caught if issubclass(w.category, plotting.KoreanFontWarning)]
    assert len(font_warnings) == 1
    message = str(font_warnings[0].message)
    assert "pip install koreanize-matplotlib" in message and HANGUL.search(message)
    assert plotting.korean_font_path() is None


def test_font_found_later_without_restart(monkeypatch):
    """글꼴을 못 찾았다가 설치한 뒤에는 다음 호출에서 찾습니다 (커널 재시작 불필요)."""
    real = (plotting.korean_font_name(), plotting.korean_font_path())
    monkeypatch.setattr(fonts, "_state", {"found": None, "warned": True})
    monkeypatch.setattr(fonts, "_search", lambda **kwargs: None)
    assert plotting.korean_font_name() == "DejaVu Sans"
    monkeypatch.setattr(fonts, "_search", lambda **kwargs: real)
    assert plotting.korean_font_name() == "NanumGothic"


def test_unicode_minus_disabled_and_minus_renders():
    plotting.setup_korean_font()
    fig, ax = plt.subplots()
    ax.plot([-3, -1, 2], [-0.5, 0.25, -1.0])
    ax.set_title("음수 눈금")
    _draw(fig)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    negative = [t for t in labels if t.startswith(("-", "\u2212"))]
    assert negative and all(t.startswith("-") for t in negative), labels


def test_glyph_check_catches_missing_hangul_and_mathtext_minus():
    """검사 도구 자체가 동작하는지: 한글 없는 글꼴, 수식 눈금의 빼기 기호."""
    plotting.setup_korean_font()
    fig, ax = plt.subplots()
    ax.set_title("한글", fontfamily="DejaVu Sans")
    with pytest.raises(UserWarning, match="missing from font"):
        _draw(fig)
    fig, ax = plt.subplots()
    ax.plot([1e-4, 1e-3])
    ax.set_yscale("log")  # 기본 로그 눈금 10^{-4}: 나눔고딕에는 수식용 U+2212가 없음
    with pytest.raises(AssertionError, match="glyph"):
        _draw(fig)


def test_korean_survives_seaborn_theme(data):
    import seaborn as sns

    with matplotlib.rc_context():
        sns.set_theme()
        _draw(plotting.plot_class_distribution(data["y_raw"]))
        fig, ax = plt.subplots()  # plot_*가 글꼴을 다시 적용했으므로 직접 그린 그림도 한글
        ax.set_title("직접 그린 그림")
        _draw(fig)


# --- 모든 그림: Figure, 축 수, 한국어 글자, 빠진 글자 없음, plt.show() 없음 ---

CASES: dict[str, tuple[Callable[[dict, dict, object], Figure], int]] = {
    "samples": (lambda d, c, m: plotting.plot_samples(d["x_raw"], d["y_raw"]), 16),
    "samples_one_padded": (
        lambda d, c, m: plotting.plot_samples(d["x32"][[0]], d["y_test"][[0]], n=1, ncols=1),
        1,
    ),
    "class_distribution": (lambda d, c, m: plotting.plot_class_distribution(d["y_raw"]), 1),
    "preprocessed": (
        lambda d, c, m: plotting.plot_preprocessed(d["x32"], d["y_test"], show_original_box=True),
        4,
    ),
    "architecture": (lambda d, c, m: plotting.plot_architecture(m), 1),
    "history": (lambda d, c, m: plotting.plot_history(HISTORY), 3),
    "history_without_lr": (
        lambda d, c, m: plotting.plot_history({k: HISTORY[k] for k in ("accuracy", "loss")}),
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
        lambda d, c, m: plotting.plot_confident_errors(np.zeros((0, 32, 32, 1)), [], [], []),
        1,
    ),
    "filters_C1": (lambda d, c, m: plotting.plot_filters(c["C1_w"], "C1 필터"), 6 + 1),
    "filters_C3": (lambda d, c, m: plotting.plot_filters(c["C3_w"], "C3 필터"), 96 + 1),
    "feature_maps_C1": (lambda d, c, m: plotting.plot_feature_maps(c["C1"], "C1 특성 맵"), 6 + 1),
    "feature_maps_C3": (lambda d, c, m: plotting.plot_feature_maps(c["C3"], "C3 특성 맵"), 16 + 1),
    "probability_bars": (
        lambda d, c, m: plotting.plot_probability_bars(
            d["proba"][0], true_label=int(d["y_test"][0])
        ),
        1,
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_every_figure(name, data, conv, lenet, monkeypatch):
    def no_show(*args, **kwargs):
        raise AssertionError("plot_* 함수는 plt.show()를 부르면 안 됩니다")

    monkeypatch.setattr(plt, "show", no_show)
    make, n_axes = CASES[name]
    fig = make(data, conv, lenet)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == n_axes
    assert any(HANGUL.search(t) for t in _texts(fig)), _texts(fig)
    _draw(fig)


# --- 그림별 내용 ---


def test_samples_titles_match_labels(data):
    fig = plotting.plot_samples(data["x_raw"], data["y_raw"], n=6, ncols=3)
    assert [ax.get_title() for ax in fig.axes] == [f"레이블: {k}" for k in data["y_raw"][:6]]
    assert fig._suptitle.get_text() == "MNIST 훈련 데이터 샘플"
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), data["x_raw"][0])
    assert len(plotting.plot_samples(data["x_raw"], data["y_raw"], n=5, ncols=4).axes) == 5


def test_samples_accept_one_hot_labels(data):
    one_hot = np.eye(10)[data["y_raw"][:4]]
    fig = plotting.plot_samples(data["x_raw"][:4], one_hot, n=4)
    assert [ax.get_title() for ax in fig.axes] == [f"레이블: {k}" for k in data["y_raw"][:4]]


def test_class_distribution_counts_written_on_bars(data):
    fig = plotting.plot_class_distribution(data["y_raw"])
    ax = fig.axes[0]
    counts = np.bincount(data["y_raw"], minlength=10).tolist()
    assert [int(t.get_text()) for t in ax.texts] == counts
    assert [p.get_height() for p in ax.patches] == counts
    assert ax.get_xlabel() == "숫자 클래스" and ax.get_ylabel() == "샘플 개수"


def test_class_distribution_uses_given_axes(data):
    fig, axes = plt.subplots(1, 2)
    assert plotting.plot_class_distribution(data["y_raw"], ax=axes[1]) is fig
    assert len(axes[1].patches) == 10 and len(axes[0].patches) == 0


def _boxes(fig: Figure, texts) -> list:
    """글자들이 그려진 화면 위 상자 (겹침 검사용)."""
    renderer = fig.canvas.get_renderer()
    return [t.get_window_extent(renderer) for t in texts]


def test_preprocessed_shows_32x32_and_original_box(data):
    fig = plotting.plot_preprocessed(data["x32"], data["y_test"], n=3, show_original_box=True)
    assert len(fig.axes) == 3
    assert fig.axes[0].images[0].get_array().shape == (32, 32)
    assert fig.axes[1].get_title() == f"레이블: {data['y_test'][1]}"
    box = fig.axes[0].patches[0]
    assert (box.get_width(), box.get_height()) == (28, 28)
    assert not plotting.plot_preprocessed(data["x32"], data["y_test"]).axes[0].patches
    plain = plotting.plot_preprocessed(data["x32"], data["y_test"])
    assert not plain.legends  # 상자가 없으면 범례도 없음


def test_preprocessed_box_is_explained_and_titles_do_not_crowd(data):
    fig = plotting.plot_preprocessed(data["x32"], data["y_test"], show_original_box=True)
    (legend,) = fig.legends  # 주황 점선 상자가 무엇인지 말해 주는 범례
    (text,) = [t.get_text() for t in legend.get_texts()]
    assert "원래 28×28 영역" in text and "패딩" in text
    assert matplotlib.colors.same_color(legend.legend_handles[0].get_edgecolor(), "tab:orange")
    _draw(fig)
    suptitle, *titles = _boxes(fig, [fig._suptitle, *(ax.title for ax in fig.axes)])
    gaps = [suptitle.y0 - title.y1 for title in titles]  # 화면 픽셀, 위쪽이 큰 값
    assert min(gaps) >= 8, gaps


def test_history_panels():
    fig = plotting.plot_history(HISTORY)
    acc, loss, lr = fig.axes
    assert acc.get_title() == "모델 정확도" and acc.get_yscale() == "linear"
    assert loss.get_title() == "모델 손실 (로그 눈금)" and loss.get_yscale() == "log"
    assert lr.get_title() == "학습률 변화 (로그 눈금)" and lr.get_yscale() == "log"
    np.testing.assert_allclose(lr.lines[0].get_ydata(), HISTORY["learning_rate"])
    assert lr.lines[0].get_drawstyle() == "steps-post"  # 학습률은 기울기가 아니라 계단
    assert all(line.get_drawstyle() == "default" for line in (*acc.lines, *loss.lines))
    _draw(fig)
    lr_labels = [t.get_text() for t in lr.get_yticklabels() if t.get_text()]
    assert sorted(lr_labels) == ["0.0005", "0.001"]  # 실제 학습률 값마다 눈금 하나, 수식 없음
    loss_labels = [t.get_text() for t in loss.get_yticklabels() if t.get_text()]
    assert "0.1" in loss_labels and not any("$" in t for t in loss_labels)
    np.testing.assert_array_equal(acc.lines[0].get_xdata(), [1, 2, 3, 4, 5])
    legend = [t.get_text() for t in acc.get_legend().get_texts()]
    assert legend == ["훈련 정확도", "검증 정확도", "최고 검증 정확도 (에포크 5)"]


def test_history_many_learning_rates_use_plain_log_labels():
    n = 12
    history = {
        "accuracy": [0.9] * n,
        "loss": [0.1] * n,
        "learning_rate": 1e-2 * 0.5 ** np.arange(n),
    }
    fig = plotting.plot_history(history)
    _draw(fig)
    labels = [t.get_text() for t in fig.axes[2].get_yticklabels() if t.get_text()]
    assert labels and not any("$" in t for t in labels)


def test_history_loss_log_scale_shows_rising_validation_loss():
    """검증 손실이 0.02에서 0.04로 오르는 것이 선형 축보다 로그 축에서 더 높이 보입니다."""
    history = {
        "accuracy": [0.9, 0.99, 0.999, 0.9999],
        "loss": [0.3, 0.03, 0.003, 0.0003],
        "val_loss": [0.05, 0.02, 0.03, 0.04],
    }
    loss = plotting.plot_history(history).axes[1]
    loss.figure.canvas.draw()
    to_axes = loss.transAxes.inverted()
    rise = np.ptp([to_axes.transform(loss.transData.transform((x, y)))[1] for x, y in
                   [(2, 0.02), (4, 0.04)]])  # fmt: skip
    linear = 0.02 / (0.3 - 0.0003) / 1.1  # 선형 축(여백 5%씩)에서의 높이: 축의 약 6%
    assert rise > 1.4 * linear
    history["val_loss"][1] = 0.0  # 0 이하 손실은 로그로 못 그리므로 선형 축
    assert plotting.plot_history(history).axes[1].get_yscale() == "linear"


def test_history_notes_when_learning_rate_missing_or_not_positive():
    fig = plotting.plot_history({k: HISTORY[k] for k in ("accuracy", "loss")})
    assert fig.axes[2].get_yscale() == "linear"
    assert any("학습률 정보 없음" in t.get_text() for t in fig.axes[2].texts)
    fig = plotting.plot_history({**HISTORY, "learning_rate": [0.0] * 5})
    assert any("0 이하" in t.get_text() for t in fig.axes[2].texts)


def test_history_accepts_training_history_object_and_axes():
    fig, axes = plt.subplots(3, 1)
    assert plotting.plot_history(FakeHistory(HISTORY), axes=axes) is fig
    assert axes[2].get_yscale() == "log"


def test_confusion_matrices_formats(data):
    fig = plotting.plot_confusion_matrices(data["cm"], data["cm_norm"])
    counts_ax, norm_ax = fig.axes[0], fig.axes[1]  # 뒤의 두 축은 색 막대
    assert counts_ax.get_title() == "혼동 행렬 (개수)" and norm_ax.get_title() == "혼동 행렬 (비율)"
    count_texts = [t.get_text() for t in counts_ax.texts]
    assert count_texts == [str(v) for v in data["cm"].ravel()]
    norm_texts = [t.get_text() for t in norm_ax.texts]
    assert norm_texts == [f"{v:.3f}" for v in data["cm_norm"].ravel()]
    assert counts_ax.get_xlabel().startswith("예측된 클래스")
    assert counts_ax.get_ylabel() == "실제 클래스"
    assert [ax.get_ylabel() for ax in fig.axes[2:]] == ["장수", "비율"]  # 색 막대에도 이름


def test_history_says_when_the_accuracy_axis_does_not_start_at_zero():
    """정직한 눈금 (이슈 #20): 정확도 축이 0.9 근처에서 시작하면 축 이름이 그렇다고 말함."""
    acc = plotting.plot_history(HISTORY).axes[0]
    bottom = acc.get_ylim()[0]
    assert bottom > 0 and f"{bottom:.3g}부터" in acc.get_ylabel()
    low = {**HISTORY, "accuracy": [0.0, 0.5, 0.7, 0.8, 0.9]}
    low["val_accuracy"] = [0.0, 0.4, 0.6, 0.7, 0.8]
    acc = plotting.plot_history(low).axes[0]
    assert acc.get_ylim()[0] <= 0 and acc.get_ylabel() == "정확도"


def test_confusion_matrices_computes_normalized_when_missing(data):
    cm = data["cm"].copy()
    cm[3] = 0  # 표본이 없는 클래스: 0으로 나누지 않고 비율 0
    fig = plotting.plot_confusion_matrices(cm)
    assert fig.axes[1].texts[11].get_text() == f"{cm[1, 1] / cm[1].sum():.3f}"
    assert fig.axes[1].texts[33].get_text() == "0.000"


def test_confusion_colour_scale_shows_errors(data):
    """색 범위가 대각선 밖(오류) 최댓값이라, 한 자릿수 오류 칸도 색으로 보입니다."""
    cm = data["cm"]
    mesh = plotting.plot_confusion_matrix(cm).axes[0].collections[0]
    assert mesh.norm.vmin == 0 and mesh.norm.vmax == cm[~np.eye(10, dtype=bool)].max()


def test_predictions_colors_marks_and_crop(data):
    y_true, y_pred = data["y_test"], data["y_pred"]
    assert (y_true[:16] != y_pred[:16]).any() and (y_true[:16] == y_pred[:16]).any()
    fig = plotting.plot_predictions(data["x32"], y_true, y_pred, data["proba"])
    for i, ax in enumerate(fig.axes):
        right = y_true[i] == y_pred[i]
        assert matplotlib.colors.same_color(ax.title.get_color(), "green" if right else "red")
        first, second = ax.get_title().split("\n")
        assert first == f"{'✓' if right else '✗'} 실제: {y_true[i]}, 예측: {y_pred[i]}"
        assert second.startswith("확신도: ") and "%" in second
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), data["x32"][0, 2:30, 2:30, 0])
    _draw(fig)  # ✓ ✗는 나눔고딕에 없어 DejaVu Sans로 그려야 하며, 빠진 글자 경고가 없어야 함
    assert "✓" in fig._suptitle.get_text() and "✗" in fig._suptitle.get_text()


@pytest.mark.parametrize(
    ("confidence", "expected"),
    [(0.99996, "99.99% 이상"), (1.0, "100.00%"), (0.98765, "98.77%"), (0.5, "50.00%")],
)
def test_prediction_confidence_never_rounds_up_to_100(confidence, expected):
    x = np.zeros((1, 28, 28))
    fig = plotting.plot_predictions(x, [3], [3], [confidence], n=1)
    assert fig.axes[0].get_title().endswith(f"확신도: {expected}")
    assert images.percent(0.00001) == "0.01% 미만" and images.percent(0.0) == "0.00%"


def test_predictions_keep_28x28_images(data):
    x28 = data["x32"][:4, 2:30, 2:30, 0]
    fig = plotting.plot_predictions(
        x28, data["y_test"][:4], data["y_pred"][:4], data["proba"][:4], n=4
    )
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), x28[0])


def test_confident_errors_are_red_and_cropped(data):
    idx = data["errors"]
    fig = plotting.plot_confident_errors(
        data["x32"][idx], data["y_test"][idx], data["y_pred"][idx], data["proba"][idx]
    )
    assert fig._suptitle.get_text() == "가장 확신도가 높은 오분류 사례들"
    for ax in fig.axes:
        assert matplotlib.colors.same_color(ax.title.get_color(), "red")
        assert ax.get_title().startswith("✗ ")
        assert ax.images[0].get_array().shape == (28, 28)


def test_architecture_lists_layers_shapes_and_params(lenet):
    fig = plotting.plot_architecture(lenet)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert all(layer.name in texts for layer in lenet.layers)
    assert "출력 모양: (28, 28, 6)" in texts and "출력 모양: (10,)" in texts
    assert "파라미터: 156개" in texts
    assert f"{lenet.count_params():,}" in fig.axes[0].get_title()
    assert any(t.startswith("Conv2D") and "tanh" in t for t in texts)
    fig, ax = plt.subplots()
    assert plotting.plot_architecture(lenet, ax=ax, title="구조") is fig
    assert ax.get_title() == "구조"


def test_filters_grid_layout(conv):
    """C3: 필터마다 한 줄(16줄), 입력 채널마다 한 칸(6칸); 노트북 폭에서도 글자가 9pt 이상."""
    fig = plotting.plot_filters(conv["C3_w"], "C3 필터")
    assert fig.axes[0].get_title() == "입력 1" and fig.axes[0].get_ylabel() == "필터 1"
    assert fig.axes[6].get_title() == "" and fig.axes[6].get_ylabel() == "필터 2"
    np.testing.assert_allclose(fig.axes[7].images[0].get_array(), conv["C3_w"][:, :, 1, 1])
    width = fig.get_size_inches()[0]
    assert width <= 9, f"그림 폭 {width:.1f}인치: 노트북 폭(약 9인치)에 줄여 넣으면 글자가 작아짐"
    assert fig.axes[0].title.get_fontsize() >= 9
    limit = np.abs(conv["C3_w"]).max()  # 0이 가운데(흰색)인 대칭 색 범위
    assert fig.axes[0].images[0].get_clim() == pytest.approx((-limit, limit))


def _shared_symmetric_scale(fig: Figure, n_panels: int, values: np.ndarray, label: str) -> None:
    """칸마다 색 범위가 같고 0이 가운데이며, 색 막대(마지막 축) 하나가 그 범위를 보여 줍니다."""
    panels, colorbar = fig.axes[:n_panels], fig.axes[n_panels:]
    limit = np.abs(values).max()
    assert {ax.images[0].get_clim() for ax in panels} == {(-limit, limit)}
    assert len(colorbar) == 1 and colorbar[0].get_title() == label
    assert colorbar[0].get_ylim() == pytest.approx((-limit, limit))


def test_feature_maps_one_panel_per_channel(conv):
    fig = plotting.plot_feature_maps(conv["C1"][None], "C1 특성 맵", ncols=3)
    assert len(fig.axes) == 6 + 1 and fig.axes[5].get_title() == "맵 6"
    assert fig.axes[0].get_title() == "맵 1"  # 필터·맵 번호는 모두 1부터
    np.testing.assert_allclose(fig.axes[2].images[0].get_array(), conv["C1"][:, :, 2])
    _shared_symmetric_scale(fig, 6, conv["C1"], "출력 값")
    fig = plotting.plot_feature_maps(conv["C3"], "C3 특성 맵")
    _shared_symmetric_scale(fig, 16, conv["C3"], "출력 값")


def test_filters_share_one_symmetric_scale(conv):
    _shared_symmetric_scale(plotting.plot_filters(conv["C1_w"]), 6, conv["C1_w"], "가중치")
    _shared_symmetric_scale(plotting.plot_filters(conv["C3_w"]), 96, conv["C3_w"], "가중치")


def _marker(ax) -> matplotlib.text.Annotation:
    (marker,) = [t for t in ax.texts if "정답" in t.get_text()]
    return marker


def test_probability_bars_colors(data):
    wrong = int(data["errors"][0])
    p, t = data["proba"][wrong], int(data["y_test"][wrong])
    ax = plotting.plot_probability_bars(p, true_label=t).axes[0]
    pred = int(np.argmax(p))
    assert matplotlib.colors.same_color(ax.patches[pred].get_facecolor(), "red")
    assert matplotlib.colors.same_color(ax.get_yticklabels()[t].get_color(), "green")
    assert _marker(ax).get_text() == "◀ 정답"
    np.testing.assert_allclose([b.get_width() for b in ax.patches], p)
    assert ax.get_title() == f"예측 확률 (예측: {pred}, 실제: {t})"
    assert ax.get_xscale() == "log" and "로그 눈금" in ax.get_xlabel()


def _tiny_true_class() -> np.ndarray:
    p = np.full(10, 1e-9)
    p[[3, 5, 7]] = [1e-6, 2e-3, 0.0]  # 정답 3은 0.000001, 7은 정확히 0
    p[1] = 1 - p.sum()
    return p


def test_probability_bars_show_a_one_in_a_million_true_class():
    """선형 축에서는 0.000001이 보이지 않습니다. 로그 축에서는 막대가 한 칸 이상 보입니다."""
    p = _tiny_true_class()
    fig = plotting.plot_probability_bars(p, true_label=3)
    ax = fig.axes[0]
    _draw(fig)
    low, high = ax.get_xlim()
    assert high >= 1 and np.log10(p[3]) - np.log10(low) >= 1  # 정답 막대 길이: 10배 이상
    ticks = [t for t in ax.get_xticks() if low <= t <= high]
    assert max(ticks) == 1  # 확률 1보다 큰 눈금은 없음
    labels = [t.get_text() for t in ax.texts if t not in (_marker(ax),)]
    assert labels[3] == "1.0e-06" and labels[1] == "99.80%" and labels[7] == "<1e-12"
    assert ax.patches[7].get_width() > low  # 0인 확률도 "<1e-12" 막대로 남음


@pytest.mark.parametrize("true_label", [1, 3, 5])
def test_probability_bars_marker_overlaps_no_label(true_label):
    """ "정답" 표시가 어떤 값 글자와도 겹치지 않고 그림 안에 있습니다 (예측이 맞은 1 포함)."""
    fig = plotting.plot_probability_bars(_tiny_true_class(), true_label=true_label)
    ax = fig.axes[0]
    _draw(fig)
    marker = _marker(ax)
    labels = [t for t in ax.texts if t is not marker]
    mark_box, *label_boxes = _boxes(fig, [marker, *labels])
    hits = [t.get_text() for t, b in zip(labels, label_boxes, strict=True) if b.overlaps(mark_box)]
    assert not hits, hits
    assert ax.get_window_extent().contains(mark_box.x1, mark_box.y0)
    near = label_boxes[true_label]  # 표시는 정답 막대의 값 글자 바로 오른쪽
    assert 0 < mark_box.x0 - near.x1 < 20 and near.y0 < (mark_box.y0 + mark_box.y1) / 2 < near.y1


# --- 잘못된 입력: 한국어 ValueError, 틀린 조사 없음 ---

x3 = np.zeros((5, 28, 28))
x32 = np.zeros((5, 32, 32, 1))
y5 = np.arange(5)
conf5 = np.full(5, 0.9)

#: 이름 → (호출, 메시지에 있어야 할 글, 메시지에 나오는 영문 이름들)
BAD_INPUTS: dict[str, tuple[Callable[[], object], str, tuple[str, ...]]] = {
    "samples_length": (lambda: plotting.plot_samples(x3, np.arange(4)), "길이가 서로", ()),
    "samples_n_too_large": (lambda: plotting.plot_samples(x3, y5, n=16), "1~5 범위", ("n",)),
    "samples_n_zero": (lambda: plotting.plot_samples(x3, y5, n=0), "1~5 범위", ("n",)),
    "samples_ncols": (lambda: plotting.plot_samples(x3, y5, n=2, ncols=0), "1 이상", ("ncols",)),
    "samples_single_image": (lambda: plotting.plot_samples(x3[0], y5[:1]), r"x\[None\]", ("x",)),
    "samples_strings": (lambda: plotting.plot_samples(np.array([["a"]]), y5), "dtype", ("x",)),
    "distribution_range": (lambda: plotting.plot_class_distribution([0, 3, 12]), "0~9", ("y",)),
    "distribution_float": (lambda: plotting.plot_class_distribution([0.5, 1.0]), "정수", ("y",)),
    "distribution_empty": (lambda: plotting.plot_class_distribution([]), "하나도", ("y",)),
    "preprocessed_28": (lambda: plotting.plot_preprocessed(x3, y5), "32×32", ("x32",)),
    "history_missing_key": (
        lambda: plotting.plot_history({"loss": [1.0]}),
        "accuracy",
        ("history",),
    ),
    "history_lengths": (
        lambda: plotting.plot_history({"accuracy": [0.9, 0.95], "loss": [0.3]}),
        "길이가 서로",
        (),
    ),
    "history_empty": (
        lambda: plotting.plot_history({"accuracy": [], "loss": []}),
        "비어 있습니다",
        ("history",),
    ),
    "history_type": (lambda: plotting.plot_history([0.9, 0.95]), "사전", ("history",)),
    "history_axes": (
        lambda: plotting.plot_history(HISTORY, axes=plt.subplots(1, 2)[1]),
        "축 3개",
        ("axes",),
    ),
    "confusion_not_square": (
        lambda: plotting.plot_confusion_matrix(np.zeros((10, 9), dtype=int)),
        "정사각",
        ("cm",),
    ),
    "confusion_float_counts": (
        lambda: plotting.plot_confusion_matrix(np.full((3, 3), 0.5)),
        "normalized=True",
        (),
    ),
    "confusion_normalized_range": (
        lambda: plotting.plot_confusion_matrix(np.full((3, 3), 7.0), normalized=True),
        "0~1",
        (),
    ),
    "confusion_pair_shape": (
        lambda: plotting.plot_confusion_matrices(np.eye(10, dtype=int), np.eye(3)),
        "모양이 다릅니다",
        (),
    ),
    "predictions_length": (
        lambda: plotting.plot_predictions(x32, y5, y5[:3], conf5, n=3),
        "길이가 서로",
        (),
    ),
    "predictions_n": (lambda: plotting.plot_predictions(x32, y5, y5, conf5), "1~5", ("n",)),
    "predictions_confidence": (
        lambda: plotting.plot_predictions(x32, y5, y5, conf5 * 2, n=2),
        "0~1 확신도",
        ("confidences",),
    ),
    "predictions_probability_rows": (
        lambda: plotting.plot_predictions(x32, y5, y5, np.ones((5, 10)), n=2),
        "합이 1",
        ("confidences",),
    ),
    "predictions_size": (
        lambda: plotting.plot_predictions(np.zeros((5, 30, 30)), y5, y5, conf5, n=2),
        "28×28",
        ("images",),
    ),
    "predictions_label_range": (
        lambda: plotting.plot_predictions(x32, y5 + 6, y5, conf5, n=2),
        "0~9",
        ("y_true",),
    ),
    "predictions_pad": (
        lambda: plotting.plot_predictions(x32, y5, y5, conf5, n=2, pad=-1),
        "pad",
        ("pad",),
    ),
    "errors_length": (
        lambda: plotting.plot_confident_errors(x32, y5, y5, conf5[:2]),
        "길이가 서로",
        (),
    ),
    "filters_rank": (lambda: plotting.plot_filters(np.zeros((5, 5))), "합성곱 커널", ("weights",)),
    "filters_nan": (lambda: plotting.plot_filters(np.full((5, 5, 1, 6), np.nan)), "NaN", ()),
    "feature_maps_target": (
        lambda: plotting.plot_feature_maps(np.zeros((28, 28, 6)), fig=plt.subplots()[1]),
        "SubFigure",
        ("fig",),
    ),
    "feature_maps_batch": (
        lambda: plotting.plot_feature_maps(np.zeros((2, 28, 28, 6))),
        "한 장만",
        ("maps",),
    ),
    "probability_sum": (
        lambda: plotting.plot_probability_bars(np.ones(10)),
        "softmax",
        ("probabilities_row",),
    ),
    "probability_rows": (
        lambda: plotting.plot_probability_bars(np.full((3, 10), 0.1)),
        r"probabilities\[i\]",
        ("probabilities_row",),
    ),
    "probability_true_label": (
        lambda: plotting.plot_probability_bars(np.full(10, 0.1), true_label=10),
        "0~9",
        ("true_label",),
    ),
    "architecture_not_model": (
        lambda: plotting.plot_architecture("LeNet"),
        "Keras 모델",
        ("model",),
    ),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_raises_korean_value_error(name):
    call, pattern, names = BAD_INPUTS[name]
    with pytest.raises(ValueError, match=pattern) as info:
        call()
    message = str(info.value)
    assert HANGUL.search(message)
    for word in names:  # 영문 이름 뒤에는 "x은(는)"처럼 두 조사를 함께 적습니다
        assert word in message
        assert not re.search(re.escape(word) + r"[은는이가을를](?!\()", message), message
    assert "레이블가" not in message and "이미지을" not in message


def test_architecture_unbuilt_model_raises_korean_error():
    keras = pytest.importorskip("keras")
    with pytest.raises(ValueError, match="빌드") as info:
        plotting.plot_architecture(keras.Sequential([keras.layers.Dense(3)]))
    assert HANGUL.search(str(info.value))


# --- 슬라이드용 파일: save_figure (이슈 #20 6) ---


def test_every_public_plot_function_has_a_case():
    """아래 저장 테스트가 모든 공개 plot_*를 한 번 이상 그립니다 (새 plot_*를 빠뜨리지 않게)."""
    public = [name.removeprefix("plot_") for name in plotting.__all__ if name.startswith("plot_")]
    missing = [n for n in public if not any(c == n or c.startswith(f"{n}_") for c in CASES)]
    assert len(public) == 12 and not missing, missing


@pytest.mark.parametrize("suffix", [".svg", ".png"])
@pytest.mark.parametrize("name", list(CASES))
def test_every_figure_saves_for_slides(name, suffix, data, conv, lenet, tmp_path):
    fig = CASES[name][0](data, conv, lenet)
    path = plotting.save_figure(fig, tmp_path / f"그림{suffix}")
    assert path == tmp_path / f"그림{suffix}" and path.stat().st_size > 1000
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # 임시 파일이 남지 않음
    if suffix == ".svg":
        assert path.read_bytes().lstrip().startswith(b"<?xml") and b"<svg" in path.read_bytes()
        return
    from PIL import Image

    with Image.open(path) as image:
        width, height = fig.get_size_inches() * 200  # 기본 dpi = 200
        assert image.format == "PNG"
        assert abs(image.size[0] - width) <= 1 and abs(image.size[1] - height) <= 1


def test_save_figure_formats_dpi_and_overwrite(tmp_path):
    fig = plotting.plot_class_distribution([0, 1, 1, 2])
    pdf = plotting.save_figure(fig, str(tmp_path / "새 폴더" / "분포.PDF"))  # 폴더도 만듦
    assert pdf.read_bytes()[:5] == b"%PDF-"
    png = plotting.save_figure(fig, tmp_path / "분포.png", dpi=300)
    from PIL import Image

    with Image.open(png) as image:
        assert image.size == (3000, 1500)  # (10, 5)인치 × 300 dpi
    png.write_bytes(b"old")
    plotting.save_figure(fig, png)  # 사용자가 고른 같은 경로는 덮어씀
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _no_drawing(fig: Figure, monkeypatch) -> None:
    def savefig(*args, **kwargs):
        raise AssertionError("잘못된 입력인데 그리기 시작함")

    monkeypatch.setattr(fig, "savefig", savefig)


@pytest.mark.parametrize(
    ("where", "kwargs", "fragment"),
    [
        ("그림.jpg", {}, r"\.svg, \.pdf, \.png"),
        ("그림", {}, r"\.svg, \.pdf, \.png"),
        ("그림.png", {"dpi": 100}, "200 이상"),
        ("그림.svg", {"dpi": 150}, "200 이상"),
        ("그림.png", {"dpi": 200.0}, "200 이상의 정수"),
        ("폴더.svg", {}, "폴더입니다"),
        ("파일/그림.svg", {}, "저장하지 못했습니다"),
    ],
)
def test_save_figure_refuses_before_drawing(where, kwargs, fragment, tmp_path, monkeypatch):
    (tmp_path / "폴더.svg").mkdir()
    (tmp_path / "파일").write_text("사용자 파일")  # 폴더 자리에 파일
    before = sorted(p.name for p in tmp_path.iterdir())
    fig = plotting.plot_class_distribution([0, 1])
    _no_drawing(fig, monkeypatch)
    with pytest.raises(ValueError, match=fragment) as info:
        plotting.save_figure(fig, tmp_path / where, **kwargs)
    assert HANGUL.search(str(info.value))
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (tmp_path / "파일").read_text() == "사용자 파일"


@pytest.mark.parametrize("bad", [None, 3, "", b"x.svg"])
def test_save_figure_rejects_non_paths_and_non_figures(bad, tmp_path):
    fig = plotting.plot_class_distribution([0, 1])
    with pytest.raises(ValueError, match="파일 경로"):
        plotting.save_figure(fig, bad)
    with pytest.raises(ValueError, match="matplotlib Figure"):
        plotting.save_figure(fig.axes[0], tmp_path / "x.svg")


def test_save_figure_never_leaves_a_half_written_file(tmp_path, monkeypatch):
    """그리다 멈추면 원래 파일은 그대로이고 임시 파일도 남지 않습니다."""
    target = tmp_path / "loss.svg"
    target.write_text("지난주 슬라이드의 그림")
    fig = plotting.plot_history(HISTORY)
    real = Figure.savefig

    def crash(self, fname, **kwargs):
        Path(fname).write_bytes(b"<svg half")  # 반쯤 쓴 뒤 멈춤
        raise RuntimeError("디스크가 가득 참")

    monkeypatch.setattr(Figure, "savefig", crash)
    with pytest.raises(RuntimeError, match="가득"):
        plotting.save_figure(fig, target)
    assert target.read_text() == "지난주 슬라이드의 그림"
    assert [p.name for p in tmp_path.iterdir()] == ["loss.svg"]
    monkeypatch.setattr(Figure, "savefig", real)
    assert plotting.save_figure(fig, target).read_bytes().lstrip().startswith(b"<?xml")


# --- 강사용 한 줄 글꼴 호출: use_korean_font (이슈 #19 5) ---


def test_use_korean_font_sets_only_the_font_and_loads_no_tensorflow():
    code = (
        "import sys, matplotlib\n"
        "from matplotlib import font_manager as fm\n"
        "from matplotlib.ft2font import FT2Font\n"
        "from lenetlib import plotting\n"
        "name = plotting.use_korean_font()\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
        "family = matplotlib.rcParams['font.family']\n"
        "assert family[0] == name, (family, name)\n"
        "path = fm.findfont(fm.FontProperties(family=family), fallback_to_default=False)\n"
        "assert FT2Font(path).get_char_index(ord('한')) != 0, path\n"
        "print(name)\n"
    )
    assert _run(code).strip() == "NanumGothic"


def test_use_korean_font_leaves_random_state_alone():
    import random

    py, npy = random.getstate(), np.random.get_state()
    assert plotting.use_korean_font() == "NanumGothic"
    assert random.getstate() == py
    after = np.random.get_state()
    assert after[0] == npy[0] and np.array_equal(after[1], npy[1]) and after[2:] == npy[2:]


def test_use_korean_font_without_a_hangul_font_says_what_to_install(monkeypatch):
    monkeypatch.setattr(fonts, "_search", lambda **kwargs: None)
    monkeypatch.setattr(fonts, "_state", {"found": None, "warned": False})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 경고 대신 오류 하나
        with pytest.raises(RuntimeError, match="fonts-noto-cjk") as info:
            plotting.use_korean_font()
    assert "koreanize-matplotlib" in str(info.value) and "준비 셀" in str(info.value)


# --- 한 가지 색 규칙, 그림의 글자 (이슈 #20 4) ---


def test_one_colour_convention_for_filters_and_feature_maps(conv):
    """필터(부호 있는 가중치)는 0이 흰색인 빨강·파랑, 특성 맵(출력)은 viridis 하나."""
    for fig in (plotting.plot_filters(conv["C1_w"]), plotting.plot_filters(conv["C3_w"])):
        assert {ax.images[0].get_cmap().name for ax in fig.axes if ax.images} == {"RdBu_r"}
    for maps in (conv["C1"], conv["C3"]):
        fig = plotting.plot_feature_maps(maps)
        assert {ax.images[0].get_cmap().name for ax in fig.axes if ax.images} == {"viridis"}


def test_architecture_title_says_lenet_5(lenet):
    title = plotting.plot_architecture(lenet).axes[0].get_title()
    assert lenet.name == "LeNet5" and title.startswith("LeNet-5 구조") and "LeNet5" not in title


def test_c3_filter_text_matches_the_figure():
    """그림은 행이 필터 16개, 열이 입력 6개: 설명(docstring, docs/api.md, 6장)도 그렇게 말합니다."""
    assert "행이 필터, 열이 입력 채널" in plotting.plot_filters.__doc__
    api = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    (line,) = [t for t in api.splitlines() if t.startswith("- `plot_filters(")]
    assert "행: 필터" in line and "행: 입력" not in line
    import json

    cells = json.loads((ROOT / "notebooks" / "06_error_analysis.ipynb").read_text("utf-8"))["cells"]
    text = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert "C3 그림은 행이 필터" in text and "행이 입력 채널" not in text
