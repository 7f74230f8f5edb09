"""모든 장의 그림. ``plot_*``는 ``Figure``를 돌려주고 ``plt.show()``를 부르지 않습니다.

불러오기만으로는 matplotlib 설정을 바꾸지 않고, 그릴 때 한글 글꼴을 등록합니다.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter, LogFormatter, MaxNLocator, NullLocator

from lenetlib._internal.checks import (
    as_numeric,
    check_bool,
    check_images,
    check_int,
    check_labels,
    check_model,
    check_probabilities,
    check_same_length,
)
from lenetlib._internal.constants import IMAGE_SIZE, NUM_CLASSES, PAD, PADDED_SIZE
from lenetlib._internal.fonts import (
    KoreanFontWarning,
    korean_font_name,
    korean_font_path,
    setup_korean_font,
)
from lenetlib._internal.korean import obj, subj, topic

__all__ = [
    "DiagramError",
    "KoreanFontWarning",
    "graphviz_available",
    "korean_font_name",
    "korean_font_path",
    "plot_architecture",
    "plot_class_distribution",
    "plot_confident_errors",
    "plot_confusion_matrices",
    "plot_confusion_matrix",
    "plot_feature_maps",
    "plot_filters",
    "plot_history",
    "plot_predictions",
    "plot_preprocessed",
    "plot_probability_bars",
    "plot_samples",
    "save_architecture_diagram",
    "setup_korean_font",
]


def _korean(func: Callable[..., Figure]) -> Callable[..., Figure]:
    """그리기 전에 한글 글꼴을 등록·적용합니다 (두 번째부터는 설정만 다시 적용)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        setup_korean_font()
        return func(*args, **kwargs)

    return wrapper


# --- 공용 도우미: 입력 정리, 새 그림, 이미지 격자 ---
def _images(x: Any, name: str, size: int | None = None) -> np.ndarray:
    """``(N, H, W)`` 또는 ``(N, H, W, 1)`` 이미지를 확인해 ``(N, H, W)``로 돌려줍니다."""
    arr = as_numeric(x, name)
    arr = arr[..., 0] if arr.ndim == 4 and arr.shape[-1] == 1 else arr
    return check_images(arr, name, size=size)


def _count(n: Any, available: int) -> int:
    """그릴 장수 ``n``이 1~``available``인지 확인합니다."""
    return check_int(n, "n", minimum=1, maximum=available, example=min(available, 16))


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """``ax``가 없으면 새 그림과 축을 만들고, 있으면 그 축의 그림을 돌려줍니다."""
    if ax is None:
        return plt.subplots(figsize=figsize, layout="constrained")
    return ax.figure, ax


def _percent(value: float, decimals: int = 2) -> str:
    """확률을 백분율로 적습니다. 반올림으로 100%나 0%가 되는 값은 "99.99% 이상", "0.01% 미만"."""
    text, step = f"{value:.{decimals}%}", 10.0**-decimals
    if value < 1 and float(text[:-1]) >= 100:
        return f"{100 - step:.{decimals}f}% 이상"
    return f"{step:.{decimals}f}% 미만" if value > 0 and float(text[:-1]) == 0 else text


class _PlainLogFormatter(LogFormatter):
    """로그 눈금 글자를 수식(10^{-2}) 대신 0.01, 1e-05 같은 일반 글자로 적습니다.

    수식 눈금의 빼기 기호(U+2212)는 나눔고딕에 없어 깨지기 때문입니다.
    """

    def _num_to_string(self, x: float, vmin: float, vmax: float) -> str:
        return f"{x:.3g}"


def _log_scale(ax: Axes, which: str, ticks: Any = None) -> None:
    """``which``("x"/"y") 축을 로그 눈금으로 합니다. ``ticks``를 주면 그 값에만 눈금을 둡니다."""
    axis = ax.xaxis if which == "x" else ax.yaxis
    (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    if ticks is None:
        axis.set_major_formatter(_PlainLogFormatter())
        axis.set_minor_formatter(_PlainLogFormatter(labelOnlyBase=False))
        return
    axis.set_major_locator(FixedLocator(ticks))
    axis.set_minor_locator(NullLocator())
    axis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:.3g}"))


def _image_grid(
    images: Sequence[np.ndarray],
    titles: Sequence[str],
    *,
    ncols: int,
    title: str,
    cell: tuple[float, float] = (2.2, 2.4),
    colors: Sequence[str] | None = None,
    fontsize: float = 10,
    **imshow: Any,
) -> tuple[Figure, list[Axes]]:
    """이미지마다 칸 하나인 격자 (남는 칸은 지움). 칸 제목의 색은 ``colors``로 정합니다."""
    n = len(images)
    ncols = min(check_int(ncols, "ncols", minimum=1, example=4), n)
    nrows = math.ceil(n / ncols)
    size = (cell[0] * ncols, cell[1] * nrows + 0.6)
    fig, grid = plt.subplots(nrows, ncols, figsize=size, squeeze=False, layout="constrained")
    axes = list(grid.ravel())
    for ax in axes[n:]:
        fig.delaxes(ax)
    colors = colors or [matplotlib.rcParams["text.color"]] * n
    for ax, image, text, color in zip(axes, images, titles, colors, strict=False):
        ax.imshow(image, **{"cmap": "gray", **imshow})
        ax.set(xticks=[], yticks=[])  # 축 이름(필터의 "입력 i")은 남도록 axis("off")는 쓰지 않음
        ax.set_title(text, color=color, fontsize=fontsize)
    fig.suptitle(title, fontsize=15)
    fig.get_layout_engine().set(h_pad=0.12)  # 그림 제목과 칸 제목 사이를 띄웁니다
    return fig, axes[:n]


# --- 1장 데이터, 2장 전처리 ---
@_korean
def plot_samples(
    x: Any, y: Any, n: int = 16, *, ncols: int = 4, title: str = "MNIST 훈련 데이터 샘플"
) -> Figure:
    """앞에서부터 n장의 이미지를 레이블과 함께 격자로 그립니다. (1장 ``01_data.ipynb``)

    ``x``는 ``(N, H, W)``나 ``(N, H, W, 1)``, 0~255 원본이나 0~1 정규화 모두 됩니다.
    """
    images, labels = _images(x, "x"), check_labels(y, "y")
    check_same_length(x=images, y=labels)
    n = _count(n, len(images))
    titles = [f"레이블: {k}" for k in labels[:n]]
    return _image_grid(images[:n], titles, ncols=ncols, title=title)[0]


@_korean
def plot_class_distribution(
    y: Any, ax: Axes | None = None, *, title: str = "MNIST 훈련 데이터의 클래스 분포"
) -> Figure:
    """숫자별 샘플 수를 막대로 그리고 막대 위에 개수를 적습니다. (1장 ``01_data.ipynb``)"""
    labels = check_labels(y, "y")
    if labels.size == 0:
        raise ValueError("y에 레이블이 하나도 없습니다. 받은 모양: (0,). 데이터를 확인하세요.")
    fig, ax = _axes(ax, (10, 5))
    bars = ax.bar(range(NUM_CLASSES), np.bincount(labels, minlength=NUM_CLASSES))
    ax.bar_label(bars, padding=2)
    ax.margins(y=0.1)
    ax.set(xticks=range(NUM_CLASSES), title=title, xlabel="숫자 클래스", ylabel="샘플 개수")
    return fig


@_korean
def plot_preprocessed(
    x32: Any,
    y: Any,
    n: int = 4,
    *,
    show_original_box: bool = False,
    title: str = "전처리된 MNIST 이미지 (32×32)",
) -> Figure:
    """전처리(정규화+패딩)된 32×32 이미지를 한 줄로 그립니다. (2장 ``02_preprocessing.ipynb``)

    ``show_original_box=True``면 원래 28×28 영역을 주황 점선 상자로 표시하고 범례로 설명합니다.
    """
    images, labels = _images(x32, "x32", size=PADDED_SIZE), check_labels(y, "y")
    check_same_length(x32=images, y=labels)
    n = _count(n, len(images))
    titles = [f"레이블: {k}" for k in labels[:n]]
    fig, axes = _image_grid(images[:n], titles, ncols=n, title=title, cell=(2.6, 2.9))
    for ax in axes if show_original_box else []:
        corner = (PAD - 0.5, PAD - 0.5)
        box = Rectangle(corner, IMAGE_SIZE, IMAGE_SIZE, fill=False, ec="tab:orange", ls="--", lw=2)
        ax.add_patch(box)
    if show_original_box:
        text = f"원래 {IMAGE_SIZE}×{IMAGE_SIZE} 영역 (바깥 {PAD}칸은 0으로 채운 패딩)"
        fig.legend([box], [text], loc="outside lower center", frameon=False)
    return fig


# --- 3장 모델 구조 ---
#: 층 종류(이름에 든 낱말)별 상자 색
_LAYER_COLORS = {"input": "#eee", "conv": "#cfe2f3", "flatten": "#fff2cc", "dense": "#fce5cd"}
_LAYER_COLORS |= dict.fromkeys(["pool", "sampl"], "#d9ead3")  # 풀링과 논문의 서브샘플링
_BOX = "round,pad=0,rounding_size=0.08"


def _layer_rows(model: Any) -> list[tuple[str, str, str, int]]:
    """(이름, 종류·활성화, 출력 모양, 파라미터 수)를 입력부터 층 순서대로 돌려줍니다."""
    check_model(model)
    try:
        rows = [("입력", "Input", str(tuple(model.inputs[0].shape)[1:]), 0)]
        for layer in model.layers:
            activation = getattr(getattr(layer, "activation", None), "__name__", "linear")
            kind = type(layer).__name__ + ("" if activation == "linear" else f" · {activation}")
            shape = str(tuple(layer.output.shape)[1:])  # 배치 차원 제외
            rows.append((layer.name, kind, shape, int(layer.count_params())))
    except (AttributeError, IndexError, TypeError, ValueError) as exc:
        raise ValueError(
            "모델이 아직 빌드되지 않아 층의 출력 모양을 알 수 없습니다. "
            "keras.Input(shape=(32, 32, 1))으로 입력을 지정하거나 model.build(...)를 먼저 부르세요."
        ) from exc
    return [rows[0], *(row for row in rows[1:] if row[1] != "InputLayer")]


@_korean
def plot_architecture(model: Any, ax: Axes | None = None, *, title: str | None = None) -> Figure:
    """층마다 이름·종류·출력 모양·파라미터 수를 상자로 그립니다. (3장 ``03_model.ipynb``)"""
    rows = _layer_rows(model)
    n = len(rows)
    fig, ax = _axes(ax, (7.5, 0.8 * n + 0.8))
    for i, (name, kind, shape, params) in enumerate(rows):
        y = n - 1 - i
        color = next((c for key, c in _LAYER_COLORS.items() if key in kind.lower()), "#ead1dc")
        style = {"facecolor": color, "edgecolor": "#555555", "linewidth": 1.2}
        ax.add_patch(FancyBboxPatch((0.03, y - 0.36), 0.94, 0.72, _BOX, **style))
        ax.text(0.06, y + 0.12, name, fontsize=12, fontweight="bold", va="center")
        ax.text(0.06, y - 0.17, kind, fontsize=9.5, color="#333333", va="center")
        ax.text(0.56, y + 0.12, f"출력 모양: {shape}", fontsize=10, va="center")
        if i > 0:
            ax.text(0.56, y - 0.17, f"파라미터: {params:,}개", fontsize=10, va="center")
        if i < n - 1:
            arrow = {"arrowstyle": "-|>", "color": "#555555", "mutation_scale": 14}
            ax.annotate("", xy=(0.5, y - 0.64), xytext=(0.5, y - 0.36), arrowprops=arrow)
    ax.set(xlim=(0, 1), ylim=(-0.6, n - 0.4))
    ax.axis("off")
    total = sum(row[3] for row in rows)
    ax.set_title(title or f"{getattr(model, 'name', '모델')} 구조 (총 파라미터 {total:,}개)")
    return fig


# --- 4장 훈련 기록 ---
def _history_dict(history: Any) -> dict[str, np.ndarray]:
    """``.history`` 속성(훈련 기록 객체)이나 사전을 키별 실수 배열로 돌려줍니다."""
    raw = getattr(history, "history", history)
    if not isinstance(raw, Mapping) or not {"accuracy", "loss"} <= set(raw):
        got = f"키 {sorted(raw)}" if isinstance(raw, Mapping) else type(history).__name__
        raise ValueError(
            f"{topic('history')} 'accuracy', 'loss' 키가 있는 사전이나 .history 속성을 가진 "
            f"훈련 기록이어야 합니다. 받은 것: {got}. model.compile(metrics=['accuracy'])로 "
            "훈련한 기록(training.train()의 결과)을 넘기세요."
        )
    out = {key: np.asarray(values, dtype=np.float64).ravel() for key, values in raw.items()}
    if check_same_length(**out) == 0:
        raise ValueError(f"{subj('history')} 비어 있습니다. 한 에포크 이상 훈련한 기록을 넘기세요.")
    return out


def _epoch_axis(ax: Axes, title: str, ylabel: str) -> None:
    ax.set(title=title, xlabel="에포크", ylabel=ylabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, alpha=0.3)


def _plot_learning_rate(ax: Axes, epochs: np.ndarray, lr: np.ndarray | None) -> None:
    """학습률을 로그 눈금의 계단으로 그립니다. 기록이 없거나 0 이하 값이 있으면 안내 문구만."""
    if lr is None or (lr <= 0).any():
        note = (
            "학습률 정보 없음\n(history에 'learning_rate' 기록이 없습니다)"
            if lr is None
            else "학습률 기록에 0 이하 값이 있어\n로그 눈금으로 그릴 수 없습니다"
        )
        ax.text(0.5, 0.5, note, ha="center", va="center", transform=ax.transAxes)
        ax.set(title="학습률", xticks=[], yticks=[])
        return
    # 학습률은 한 에포크 동안 한 값이고 에포크 사이에 한 번에 바뀌므로 비탈이 아니라 계단으로
    style = {"linewidth": 2, "marker": "o", "markersize": 3, "drawstyle": "steps-post"}
    ax.plot(epochs, lr, color="tab:green", **style)
    _epoch_axis(ax, "학습률 변화 (로그 눈금)", "학습률")
    levels = np.unique(lr)  # 값이 적으면 실제로 쓴 학습률마다 눈금 하나
    _log_scale(ax, "y", levels if levels.size <= 8 else None)


@_korean
def plot_history(
    history: Any, axes: Sequence[Axes] | None = None, *, mark_best: bool = True
) -> Figure:
    """정확도, 손실, 학습률의 에포크별 변화를 세 칸에 그립니다. (4장 ``04_training.ipynb``)

    ``history``: ``training``의 훈련 기록, Keras ``History``, 또는 ``{"loss": [...], ...}`` 사전.
    ``mark_best=True``면 검증 정확도가 가장 높았던 에포크를 점선으로 표시합니다.
    손실은 로그 눈금(작아진 검증 손실이 다시 오르는 것도 보이게), 학습률은 로그 눈금의 계단입니다.
    """
    h = _history_dict(history)
    if axes is None:
        fig, axes = plt.subplots(1, 3, figsize=(16, 4.8), layout="constrained")
    elif len(axes) != 3:
        raise ValueError(f"axes에는 축 3개가 필요합니다. 받은 개수: {len(axes)}.")
    fig = axes[0].figure
    epochs = np.arange(1, len(h["loss"]) + 1)
    for ax, key, name in zip(axes, ("accuracy", "loss"), ("정확도", "손실"), strict=False):
        for prefix, who in (("", "훈련"), ("val_", "검증")):
            if prefix + key in h:
                style = {"linewidth": 2, "marker": "o", "markersize": 3}
                ax.plot(epochs, h[prefix + key], label=f"{who} {name}", **style)
        _epoch_axis(ax, f"모델 {name}", name)
    if all((h[key] > 0).all() for key in ("loss", "val_loss") if key in h):
        _log_scale(axes[1], "y")
        axes[1].set(title="모델 손실 (로그 눈금)")
    if mark_best and "val_accuracy" in h and np.isfinite(h["val_accuracy"]).all():
        best = int(np.argmax(h["val_accuracy"])) + 1
        label = f"최고 검증 정확도 (에포크 {best})"
        axes[0].axvline(best, color="gray", linestyle=":", label=label)
    for ax in axes[:2]:
        ax.legend()
    _plot_learning_rate(axes[2], epochs, h.get("learning_rate", h.get("lr")))
    return fig


# --- 5장 평가 ---
def _square(cm: Any, name: str) -> np.ndarray:
    arr = as_numeric(cm, name)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.size == 0:
        raise ValueError(
            f"{topic(name)} 정사각 행렬 (클래스 수, 클래스 수)이어야 합니다. 받은 모양: "
            f"{arr.shape}. evaluation이 돌려준 혼동 행렬을 넘기세요."
        )
    return arr


@_korean
def plot_confusion_matrix(
    cm: Any,
    normalized: bool = False,
    ax: Axes | None = None,
    *,
    title: str | None = None,
    cmap: str = "Blues",
) -> Figure:
    """혼동 행렬 하나를 seaborn 히트맵으로 그립니다. (5장 ``05_evaluation.ipynb``)

    ``normalized=False``면 개수(정수), ``True``면 행별 비율(0~1)을 칸에 적습니다.
    색의 범위는 대각선 밖(오류) 최댓값에 맞춰 한 자릿수 오류 칸도 보이게 합니다.
    """
    import seaborn as sns

    arr = _square(cm, "cm")
    span = f"받은 범위: {arr.min():.3g} ~ {arr.max():.3g}."
    if normalized and (arr.min() < 0 or arr.max() > 1 + 1e-9):
        raise ValueError(
            f"normalized=True에는 0~1 사이의 비율 행렬이 필요합니다. {span} "
            "개수 행렬이라면 normalized 인자를 빼세요 (기본값 False)."
        )
    if not normalized and (arr.min() < 0 or not np.array_equal(arr, np.round(arr))):
        raise ValueError(
            f"개수 혼동 행렬에는 0 이상의 정수만 올 수 있습니다. {span} "
            "비율 행렬이라면 plot_confusion_matrix(cm, normalized=True)처럼 부르세요."
        )
    fig, ax = _axes(ax, (7, 6))
    off_diagonal = arr[~np.eye(len(arr), dtype=bool)]
    vmax = float(off_diagonal.max()) if off_diagonal.size and off_diagonal.max() > 0 else None
    values, fmt = (arr, ".3f") if normalized else (arr.astype(np.int64), "d")
    size = {"fontsize": 8 if normalized else 9}
    sns.heatmap(values, annot=True, fmt=fmt, cmap=cmap, vmin=0, vmax=vmax, annot_kws=size, ax=ax)
    ax.tick_params(axis="y", rotation=0)
    note = "\n(색은 대각선 밖 오류 값 기준)" if vmax is not None else ""
    default = f"혼동 행렬 ({'비율' if normalized else '개수'})"
    ax.set(title=title or default, xlabel=f"예측된 클래스{note}", ylabel="실제 클래스")
    return fig


@_korean
def plot_confusion_matrices(confusion: Any, confusion_normalized: Any | None = None) -> Figure:
    """개수와 비율 혼동 행렬을 나란히 그립니다. (5장 ``05_evaluation.ipynb``)

    ``confusion_normalized``가 없으면 ``confusion``을 행별 합으로 나눠 만듭니다.
    """
    counts = _square(confusion, "confusion")
    if confusion_normalized is None:
        totals = counts.sum(axis=1, keepdims=True)
        zeros = np.zeros(counts.shape)
        confusion_normalized = np.divide(counts, totals, out=zeros, where=totals > 0)
    normalized = _square(confusion_normalized, "confusion_normalized")
    if normalized.shape != counts.shape:
        raise ValueError(
            f"두 혼동 행렬의 모양이 다릅니다: confusion {counts.shape}, confusion_normalized "
            f"{normalized.shape}. 같은 평가 결과에서 나온 두 행렬을 넘기세요."
        )
    fig, (left, right) = plt.subplots(1, 2, figsize=(15, 6), layout="constrained")
    plot_confusion_matrix(counts, ax=left)
    plot_confusion_matrix(normalized, normalized=True, ax=right)
    return fig


def _confidences(confidences: Any) -> np.ndarray:
    """확신도 ``(N,)``나 확률 ``(N, 10)``을 확신도 ``(N,)``로 돌려줍니다."""
    conf = as_numeric(confidences, "confidences")
    if conf.ndim == 2:
        return check_probabilities(conf, "confidences").max(axis=1)
    if conf.ndim != 1 or (conf.size and (conf.min() < 0 or conf.max() > 1)):
        span = f"{conf.min():.3g} ~ {conf.max():.3g}" if conf.size else "없음"
        raise ValueError(
            f"{topic('confidences')} 0~1 확신도 (N,) 또는 확률 (N, {NUM_CLASSES}) 모양이어야 "
            f"합니다. 받은 모양: {conf.shape}, 범위: {span}. softmax 출력을 넘기세요."
        )
    return conf


@_korean
def plot_predictions(
    images: Any, y_true: Any, y_pred: Any, confidences: Any, n: int | None = 16, *,
    ncols: int = 4, pad: int = 2, title: str = "LeNet-5 예측 결과 (✓ 녹색: 정답, ✗ 빨강: 오답)",
) -> Figure:  # fmt: skip
    """예측 n개를 격자로 그립니다. 맞으면 ✓ 녹색, 틀리면 ✗ 빨간 제목. (5장 ``05_evaluation.ipynb``)

    ``n=None``이면 모두. 32×32 이미지는 가장자리 ``pad`` 픽셀을 잘라 28×28로 보여 줍니다.
    ``confidences``는 확신도 ``(N,)``나 확률 ``(N, 10)`` (행별 최댓값을 씀).
    """
    imgs = _images(images, "images")
    size = PADDED_SIZE if imgs.shape[1] == PADDED_SIZE else IMAGE_SIZE
    imgs = check_images(imgs, "images", size=size)
    pad = check_int(pad, "pad", minimum=0, maximum=PADDED_SIZE // 2 - 1, example=PAD)
    true, pred = check_labels(y_true, "y_true"), check_labels(y_pred, "y_pred")
    conf = _confidences(confidences)
    check_same_length(images=imgs, y_true=true, y_pred=pred, confidences=conf)
    n = len(imgs) if n is None else _count(n, len(imgs))
    if size == PADDED_SIZE:
        imgs = imgs[:, pad : size - pad, pad : size - pad]
    pairs = list(zip(true[:n], pred[:n], conf[:n], strict=True))
    right = [t == p for t, p, _ in pairs]  # 색을 구별하지 못해도 보이게 ✓/✗도 붙입니다
    titles = [f"{'✓' if r else '✗'} 실제: {t}, 예측: {p}\n확신도: {_percent(c)}"
              for r, (t, p, c) in zip(right, pairs, strict=True)]  # fmt: skip
    colors = ["green" if r else "red" for r in right]
    grid = _image_grid(imgs[:n], titles, ncols=ncols, title=title, colors=colors, cell=(2.6, 2.9))
    return grid[0]


@_korean
def plot_confident_errors(
    images: Any, y_true: Any, y_pred: Any, confidences: Any, *,
    ncols: int = 4, pad: int = 2, title: str = "가장 확신도가 높은 오분류 사례들",
) -> Figure:  # fmt: skip
    """확신도가 높은데 틀린 사례를 모두 ✗ 빨간 제목으로 그립니다. (6장 ``06_error_analysis.ipynb``)

    보통 ``error_analysis``가 고른 16장을 넘깁니다. 모두 비어 있으면 안내 문구만 그립니다.
    """
    if all(np.shape(a)[:1] == (0,) for a in (images, y_true, y_pred, confidences)):
        fig, ax = _axes(None, (6, 2))
        ax.text(0.5, 0.5, "오분류 사례가 없습니다. 모든 예측이 정확합니다!", ha="center")
        ax.set(title=title, xticks=[], yticks=[])
        return fig
    grid = {"ncols": ncols, "pad": pad, "title": title}
    return plot_predictions(images, y_true, y_pred, confidences, None, **grid)


# --- 6장 필터, 특성 맵, 확률 ---
def _signed_grid(
    images: Any, titles: list[str], label: str, **grid: Any
) -> tuple[Figure, list[Axes]]:
    """모든 칸이 0을 가운데 둔 색 범위 하나(±최대 절댓값)를 함께 쓰고 색 막대를 붙입니다."""
    limit = float(np.abs(np.asarray(images)).max()) or 1.0
    fig, axes = _image_grid(images, titles, vmin=-limit, vmax=limit, **grid)
    fig.colorbar(axes[0].images[0], ax=axes, shrink=0.8).ax.set_title(label, fontsize=9)
    return fig, axes


@_korean
def plot_filters(weights: Any, title: str = "합성곱 필터", *, cmap: str = "RdBu_r") -> Figure:
    """합성곱 필터를 (입력 채널 × 출력 필터) 격자로 그립니다. (6장 ``06_error_analysis.ipynb``)

    ``weights``: ``(kh, kw, 입력 채널, 출력 필터)`` 커널 (``layer.get_weights()[0]``).
    색은 0을 흰색으로 두어 양수는 빨강, 음수는 파랑입니다.
    """
    w = as_numeric(weights, "weights")
    w = w[:, :, None, :] if w.ndim == 3 else w
    if w.ndim != 4 or not 1 <= w.shape[2] * w.shape[3] <= 400:
        raise ValueError(
            f"{topic('weights')} (높이, 너비, 입력 채널, 출력 필터) 모양의 합성곱 커널이어야 하고 "
            f"필터는 1~400개여야 합니다. 받은 모양: {w.shape}. "
            "C1이나 C3 층의 layer.get_weights()[0]을 넘기세요."
        )
    n_in, n_out = w.shape[2:]
    if n_in == 1:  # C1: 필터 한 줄
        titles = [f"필터 {j + 1}" for j in range(n_out)]
        grid = {"ncols": n_out, "title": title, "cell": (1.15, 1.25), "fontsize": 9, "cmap": cmap}
        return _signed_grid([w[:, :, 0, j] for j in range(n_out)], titles, "가중치", **grid)[0]
    # C3 등: 필터마다 한 줄, 입력 채널마다 한 칸 (가로로 길면 노트북 폭에서 글자가 너무 작아짐)
    images = [w[:, :, i, j] for j in range(n_out) for i in range(n_in)]
    titles = [f"입력 {i + 1}" if j == 0 else "" for j in range(n_out) for i in range(n_in)]
    grid = {"ncols": n_in, "title": title, "cell": (1.0, 1.0), "fontsize": 10, "cmap": cmap}
    fig, axes = _signed_grid(images, titles, "가중치", **grid)
    for j in range(n_out):
        axes[j * n_in].set_ylabel(f"필터 {j + 1}", fontsize=10, rotation=0, ha="right", va="center")
    return fig


@_korean
def plot_feature_maps(
    maps: Any, title: str = "특성 맵", *, ncols: int = 8, cmap: str = "viridis"
) -> Figure:
    """한 이미지에 대한 층의 출력(특성 맵)을 채널마다 그립니다. (6장 ``06_error_analysis.ipynb``)

    ``maps``: ``(H, W, C)``나 ``(1, H, W, C)``. C1은 (28, 28, 6), C3는 (10, 10, 16).
    모든 맵이 0을 가운데 둔 색 범위 하나와 색 막대를 함께 써서 맵끼리 값을 비교할 수 있습니다.
    """
    m = as_numeric(maps, "maps")
    m = m[0] if m.ndim == 4 and len(m) == 1 else m
    if m.ndim != 3 or not 1 <= m.shape[-1] <= 256:
        raise ValueError(
            f"{topic('maps')} 한 이미지의 특성 맵 (높이, 너비, 채널 1~256개) 모양이어야 합니다. "
            f"받은 모양: {m.shape}. 여러 장이라면 maps[0]처럼 한 장만 넘기세요."
        )
    titles = [f"맵 {c + 1}" for c in range(m.shape[-1])]
    grid = {"ncols": ncols, "title": title, "cell": (1.8, 1.9), "fontsize": 9, "cmap": cmap}
    return _signed_grid(np.moveaxis(m, -1, 0), titles, "출력 값", **grid)[0]


@_korean
def plot_probability_bars(
    probabilities_row: Any,
    ax: Axes | None = None,
    *,
    true_label: int | None = None,
    title: str | None = None,
) -> Figure:
    """한 예시의 숫자별 확률을 로그 눈금 가로 막대로 그립니다. (6장 ``06_error_analysis.ipynb``)

    로그 눈금이라 0.00001 같은 작은 확률도 막대로 보입니다. 예측 막대는 맞으면 녹색, 틀리면 빨강.
    ``true_label``을 주면 정답 숫자를 녹색 굵은 글자로 쓰고 그 막대의 값 옆에 "◀ 정답"을 붙입니다.
    """
    p = as_numeric(probabilities_row, "probabilities_row")
    if p.ndim not in (1, 2) or (p.ndim == 2 and len(p) != 1):
        raise ValueError(
            f"{topic('probabilities_row')} 한 예시의 확률 ({NUM_CLASSES},) 모양이어야 합니다. "
            f"받은 모양: {p.shape}. 여러 줄이라면 probabilities[i]를 넘기세요."
        )
    p = check_probabilities(p.reshape(1, -1), "probabilities_row")[0]
    pred = int(p.argmax())
    if true_label is not None:
        true_label = check_int(true_label, "true_label", minimum=0, maximum=NUM_CLASSES - 1)
    colors = ["#bbbbbb"] * NUM_CLASSES
    colors[pred] = "green" if true_label in (None, pred) else "red"
    fig, ax = _axes(ax, (8, 4.5))
    tiny = 1e-12  # 이보다 작은 확률은 이 길이로 그리고 "<1e-12"로 적습니다
    low = int(np.floor(np.log10(max(p.min(), tiny)))) - 1  # 가장 작은 막대도 한 칸 이상 보이게
    bars = ax.barh(range(NUM_CLASSES), np.maximum(p, tiny), color=colors)
    texts = [_percent(v) if v >= 1e-3 else f"{v:.1e}" if v >= tiny else "<1e-12" for v in p]
    labels = ax.bar_label(bars, labels=texts, padding=3, fontsize=8)
    ticks = 10.0 ** np.arange(0, low - 1, -math.ceil(-low / 4))[::-1]  # 눈금 글자는 5개 이하
    _log_scale(ax, "x", ticks)
    ax.set_xlim(10.0**low, 10.0 ** (-low * 0.35))  # 1 오른쪽 빈칸은 값 글자와 "정답" 자리
    ax.axvline(1, color="gray", linewidth=0.8, linestyle=":")
    actual = "" if true_label is None else f", 실제: {true_label}"
    ax.set(title=title or f"예측 확률 (예측: {pred}{actual})", yticks=range(NUM_CLASSES))
    digits = round(float(-np.log10(ticks[0])))  # 가장 작은 눈금을 소수로 풀어 읽는 법
    reading = f"{ticks[0]:.0e} = {ticks[0]:.{digits}f}, " if digits > 0 else ""
    ax.set(xlabel=f"확률 (로그 눈금, {reading}점선 = 1)", ylabel="숫자")
    ax.invert_yaxis()  # 0이 맨 위
    if true_label is not None:
        ax.get_yticklabels()[true_label].set(color="green", fontweight="bold")
        ax.annotate("◀ 정답", (1, 0.5), xycoords=labels[true_label], xytext=(4, 0),
                    textcoords="offset points", va="center", color="green", fontsize=9,
                    fontweight="bold")  # fmt: skip
    return fig


# ---------------------------------------------------------------------------
# 3장: 구조 그림 파일 (graphviz가 있으면 keras.utils.plot_model, 없으면 plot_architecture)
# ---------------------------------------------------------------------------
class DiagramError(RuntimeError):
    """구조 그림을 두 방법 모두로 만들지 못했을 때의 오류. (3장 ``03_model.ipynb``)"""


def graphviz_available() -> bool:
    """``plot_model``에 필요한 pydot과 graphviz(``dot``)가 되는지. (3장 ``03_model.ipynb``)"""
    try:
        import pydot

        return pydot.Dot.create(pydot.Dot()) is not None  # 빈 그래프를 실제로 그려 봅니다.
    except Exception:  # pydot이 없거나 dot 실행 파일이 없거나 깨진 모든 경우
        return False


def _plot_model(model: Any, target: Path, show_shapes: bool, dpi: int) -> str | None:
    """graphviz로 그려 저장하면 ``None``, 못 하면 그 이유."""
    if not graphviz_available():
        return "pydot 또는 graphviz(dot)가 설치되어 있지 않음"
    target.unlink(missing_ok=True)  # 예전 그림이 성공처럼 보이지 않도록
    try:
        from lenetlib._internal.backend import keras

        keras.utils.plot_model(
            model, to_file=str(target), show_shapes=show_shapes, show_layer_names=True, dpi=dpi
        )
    except Exception as exc:
        return f"plot_model 실패: {type(exc).__name__}: {exc}"
    # Jupyter 안에서는 plot_model이 파일 없이 조용히 끝날 수 있습니다.
    return None if target.is_file() and target.stat().st_size else "파일을 만들지 않음"


def _plot_fallback(model: Any, target: Path, dpi: int, problem: str) -> None:
    """graphviz 없이 ``plotting.plot_architecture``의 그림을 저장합니다."""
    try:
        import matplotlib.pyplot as plt

        figure = plot_architecture(model)
        figure.savefig(target, dpi=dpi, bbox_inches="tight")
        plt.close(figure)
    except Exception as exc:
        raise DiagramError(
            f"모델 구조 그림을 '{target}'에 저장하지 못했습니다 (graphviz: {problem}; matplotlib: "
            f"{type(exc).__name__}: {exc}). 확장자와 쓰기 권한을 확인하거나 pydot과 graphviz를 "
            "설치하세요. 그림 없이도 layer_table(model)로 구조를 볼 수 있습니다."
        ) from exc


def save_architecture_diagram(
    model: Any,
    path: str | os.PathLike[str],
    *,
    show_shapes: bool = True,
    dpi: int = 150,
    prefer_graphviz: bool = True,
) -> Path:
    """구조 그림을 저장하고 그 경로를 돌려줍니다 (확장자가 없으면 .png). (3장 ``03_model.ipynb``)

    graphviz가 되면 ``keras.utils.plot_model``, 아니면 ``plotting.plot_architecture``의 그림.
    """
    check_model(model)
    show_shapes = check_bool(show_shapes, "show_shapes")
    dpi = check_int(dpi, "dpi", minimum=1, example=150)
    graphviz = check_bool(prefer_graphviz, "prefer_graphviz")
    if not isinstance(path, (str, os.PathLike)):
        raise ValueError(f"{topic('path')} 파일 경로(str 또는 Path)여야 합니다. 받은 값: {path!r}.")
    target = Path(path) if Path(path).suffix else Path(path).with_suffix(".png")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DiagramError(
            f"그림을 저장할 {obj(f'폴더 {str(target.parent)!r}')} 만들 수 없습니다 ({exc}). "
            "쓰기 권한이 있는 다른 경로를 지정하세요."
        ) from exc
    problem = _plot_model(model, target, show_shapes, dpi) if graphviz else "사용하지 않음"
    if problem is not None:
        _plot_fallback(model, target, dpi, problem)
    return target
