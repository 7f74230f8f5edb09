"""축 위의 그림: 클래스 분포 막대, 훈련 기록 곡선, 혼동 행렬, 한 예제의 확률 막대. (1장, 4~6장)"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, LogFormatter, MaxNLocator, NullLocator

from lenetlib._internal import checks
from lenetlib._internal.constants import NUM_CLASSES
from lenetlib._internal.fonts import with_korean_font
from lenetlib._internal.korean import subj, topic
from lenetlib.plotting.images import percent


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """``ax``가 없으면 새 그림과 축을 만들고, 있으면 그 축의 그림을 돌려줍니다."""
    if ax is None:
        return plt.subplots(figsize=figsize, layout="constrained")
    return ax.figure, ax


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


# --- 1장 클래스 분포 ---
@with_korean_font
def plot_class_distribution(
    y: Any, ax: Axes | None = None, *, title: str = "MNIST 훈련 데이터의 클래스 분포"
) -> Figure:
    """숫자별 샘플 수를 막대로 그리고 막대 위에 개수를 적습니다. (1장 ``01_data.ipynb``)"""
    labels = checks.check_labels(y, "y")
    if labels.size == 0:
        raise ValueError("y에 레이블이 하나도 없습니다. 받은 모양: (0,). 데이터를 확인하세요.")
    fig, ax = _axes(ax, (10, 5))
    bars = ax.bar(range(NUM_CLASSES), np.bincount(labels, minlength=NUM_CLASSES))
    ax.bar_label(bars, padding=2)
    ax.margins(y=0.1)
    ax.set(xticks=range(NUM_CLASSES), title=title, xlabel="숫자 클래스", ylabel="샘플 개수")
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
    if checks.check_same_length(**out) == 0:
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


@with_korean_font
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
    if (bottom := axes[0].get_ylim()[0]) > 0:  # 정직한 눈금: 0에서 시작하지 않으면 그렇다고 적음
        axes[0].set_ylabel(f"정확도 (세로축은 0이 아니라 {bottom:.3g}부터)")
    _plot_learning_rate(axes[2], epochs, h.get("learning_rate", h.get("lr")))
    return fig


# --- 5장 혼동 행렬 ---
def _square(cm: Any, name: str) -> np.ndarray:
    arr = checks.as_numeric(cm, name)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.size == 0:
        raise ValueError(
            f"{topic(name)} 정사각 행렬 (클래스 수, 클래스 수)이어야 합니다. 받은 모양: "
            f"{arr.shape}. evaluation이 돌려준 혼동 행렬을 넘기세요."
        )
    return arr


@with_korean_font
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
    bar = {"label": "비율" if normalized else "장수"}
    sns.heatmap(values, annot=True, fmt=fmt, cmap=cmap, vmin=0, vmax=vmax, annot_kws=size, ax=ax,
                cbar_kws=bar)  # fmt: skip
    ax.tick_params(axis="y", rotation=0)
    note = "\n(색은 대각선 밖 오류 값 기준)" if vmax is not None else ""
    default = f"혼동 행렬 ({'비율' if normalized else '개수'})"
    ax.set(title=title or default, xlabel=f"예측된 클래스{note}", ylabel="실제 클래스")
    return fig


@with_korean_font
def plot_confusion_matrices(confusion: Any, confusion_normalized: Any | None = None) -> Figure:
    """개수와 비율 혼동 행렬을 나란히 그립니다. (5장 ``05_evaluation.ipynb``)

    ``confusion_normalized``가 없으면 ``confusion``을 행별 합으로 나눠 만듭니다 (표본 없는 행은 0).
    """
    from sklearn.preprocessing import normalize

    counts = _square(confusion, "confusion")
    if confusion_normalized is None:  # 행별 비율 = evaluation의 confusion_matrix(normalize="true")
        confusion_normalized = normalize(counts, norm="l1", axis=1)
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


# --- 6장 한 예제의 확률 ---
def _probability_row(probabilities_row: Any) -> np.ndarray:
    """한 예시의 확률 ``(10,)``이나 ``(1, 10)``을 확인해 ``(10,)``으로 돌려줍니다."""
    p = checks.as_numeric(probabilities_row, "probabilities_row")
    if p.ndim not in (1, 2) or (p.ndim == 2 and len(p) != 1):
        raise ValueError(
            f"{topic('probabilities_row')} 한 예시의 확률 ({NUM_CLASSES},) 모양이어야 합니다. "
            f"받은 모양: {p.shape}. 여러 줄이라면 probabilities[i]를 넘기세요."
        )
    return checks.check_probabilities(p.reshape(1, -1), "probabilities_row")[0]


def _probability_axis(ax: Axes, low: int) -> None:
    """x축: 10^low~1 로그 눈금(글자 5개 이하), 1에 점선, 가장 작은 눈금을 소수로 읽는 법."""
    ticks = 10.0 ** np.arange(0, low - 1, -math.ceil(-low / 4))[::-1]
    _log_scale(ax, "x", ticks)
    ax.set_xlim(10.0**low, 10.0 ** (-low * 0.35))  # 1 오른쪽 빈칸은 값 글자와 "정답" 자리
    ax.axvline(1, color="gray", linewidth=0.8, linestyle=":")
    digits = round(float(-np.log10(ticks[0])))
    reading = f"{ticks[0]:.0e} = {ticks[0]:.{digits}f}, " if digits > 0 else ""
    ax.set(xlabel=f"확률 (로그 눈금, {reading}점선 = 1)", ylabel="숫자", yticks=range(NUM_CLASSES))


@with_korean_font
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
    p = _probability_row(probabilities_row)
    pred = int(p.argmax())
    if true_label is not None:
        true_label = checks.check_int(true_label, "true_label", minimum=0, maximum=NUM_CLASSES - 1)
    colors = ["#bbbbbb"] * NUM_CLASSES
    colors[pred] = "green" if true_label in (None, pred) else "red"
    fig, ax = _axes(ax, (8, 4.5))
    tiny = 1e-12  # 이보다 작은 확률은 이 길이로 그리고 "<1e-12"로 적습니다
    bars = ax.barh(range(NUM_CLASSES), np.maximum(p, tiny), color=colors)
    texts = [percent(v) if v >= 1e-3 else f"{v:.1e}" if v >= tiny else "<1e-12" for v in p]
    labels = ax.bar_label(bars, labels=texts, padding=3, fontsize=8)
    # 가장 작은 막대도 한 칸 이상 보이게 축은 가장 작은 확률보다 10배 아래에서 시작
    _probability_axis(ax, int(np.floor(np.log10(max(p.min(), tiny)))) - 1)
    actual = "" if true_label is None else f", 실제: {true_label}"
    ax.set_title(title or f"예측 확률 (예측: {pred}{actual})")
    ax.invert_yaxis()  # 0이 맨 위
    if true_label is not None:
        ax.get_yticklabels()[true_label].set(color="green", fontweight="bold")
        ax.annotate("◀ 정답", (1, 0.5), xycoords=labels[true_label], xytext=(4, 0),
                    textcoords="offset points", va="center", color="green", fontsize=9,
                    fontweight="bold")  # fmt: skip
    return fig
