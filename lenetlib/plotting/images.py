"""숫자·필터·특성 맵을 격자로 그리는 그림. (1장, 2장, 5장, 6장; 8장의 캔버스 옆 그림)

색 규칙 (6장이 설명하고 8장이 따름): 부호가 있는 가중치(필터)는 0이 흰색인 빨강(+)·파랑(−)
(:data:`WEIGHT_CMAP`), 층의 출력(특성 맵)은 viridis(:data:`ACTIVATION_CMAP`, 어두운 보라 = 작은 값,
노랑 = 큰 값). 필터·특성 맵 그림의 모든 칸은 0을 가운데 둔 색 범위 하나와 색 막대를 함께 씁니다.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure, FigureBase
from matplotlib.patches import Rectangle

from lenetlib._internal import checks
from lenetlib._internal.constants import IMAGE_SIZE, NUM_CLASSES, PAD, PADDED_SIZE
from lenetlib._internal.fonts import with_korean_font
from lenetlib._internal.korean import topic

#: 필터(부호 있는 가중치)의 색: 빨강 양수, 파랑 음수, 0은 흰색
WEIGHT_CMAP = "RdBu_r"
#: 특성 맵(층의 출력)의 색: 어두운 보라(작은 값) → 노랑(큰 값)
ACTIVATION_CMAP = "viridis"


def _images(x: Any, name: str, size: int | None = None) -> np.ndarray:
    """``(N, H, W)`` 또는 ``(N, H, W, 1)`` 이미지를 확인해 ``(N, H, W)``로 돌려줍니다."""
    arr = checks.as_numeric(x, name)
    arr = arr[..., 0] if arr.ndim == 4 and arr.shape[-1] == 1 else arr
    return checks.check_images(arr, name, size=size)


def _count(n: Any, available: int) -> int:
    """그릴 장수 ``n``이 1~``available``인지 확인합니다."""
    return checks.check_int(n, "n", minimum=1, maximum=available, example=min(available, 16))


def percent(value: float) -> str:
    """확률을 백분율로 적습니다. 반올림으로 100%나 0%가 되는 값은 "99.99% 이상", "0.01% 미만"."""
    text = f"{value:.2%}"
    if value < 1 and text == "100.00%":
        return "99.99% 이상"
    return "0.01% 미만" if value > 0 and text == "0.00%" else text


def _image_grid(
    images: Sequence[np.ndarray], titles: Sequence[str], *, ncols: int, title: str,
    cell: tuple[float, float] = (2.2, 2.4), colors: Sequence[str] | None = None,
    fontsize: float = 10, fig: FigureBase | None = None, **imshow: Any,
) -> tuple[FigureBase, list[Axes]]:  # fmt: skip
    """이미지마다 칸 하나인 격자 (남는 칸은 지움). 칸 제목의 색은 ``colors``로 정합니다.

    ``fig``(그림이나 ``subfigures``의 한 칸)를 주면 그 안에, 없으면 ``cell`` 크기의 새 그림에.
    """
    n = len(images)
    ncols = min(checks.check_int(ncols, "ncols", minimum=1, example=4), n)
    nrows = math.ceil(n / ncols)
    if fig is None:
        size = (cell[0] * ncols, cell[1] * nrows + 0.6)
        fig = plt.figure(figsize=size, layout="constrained")
        fig.get_layout_engine().set(h_pad=0.12)  # 그림 제목과 칸 제목 사이를 띄웁니다
    axes = list(fig.subplots(nrows, ncols, squeeze=False).ravel())
    for ax in axes[n:]:
        fig.delaxes(ax)
    colors = colors or [matplotlib.rcParams["text.color"]] * n
    for ax, image, text, color in zip(axes, images, titles, colors, strict=False):
        ax.imshow(image, **{"cmap": "gray", **imshow})
        ax.set(xticks=[], yticks=[])  # 축 이름(필터의 "필터 j")은 남도록 axis("off")는 쓰지 않음
        ax.set_title(text, color=color, fontsize=fontsize)
    fig.suptitle(title, fontsize=15 if isinstance(fig, Figure) else 12)
    return fig, axes[:n]


def _shared_scale_grid(
    images: Any, titles: list[str], label: str, **grid: Any
) -> tuple[FigureBase, list[Axes]]:
    """모든 칸이 0을 가운데 둔 색 범위 하나(±최대 절댓값)와 제목 ``label``의 색 막대를 함께 쓰는
    :func:`_image_grid`. 필터와 특성 맵이 모두 이 범위를 써서 칸끼리 값을 비교할 수 있습니다."""
    limit = float(np.abs(np.asarray(images)).max()) or 1.0
    fig, axes = _image_grid(images, titles, vmin=-limit, vmax=limit, **grid)
    bar = fig.colorbar(axes[0].images[0], ax=axes, shrink=0.8)
    bar.ax.set_title(label, fontsize=9, pad=8)  # 색 막대 위에 (눈금 글자와 겹치지 않게)
    return fig, axes


# --- 1장 데이터, 2장 전처리 ---
@with_korean_font
def plot_samples(
    x: Any, y: Any, n: int = 16, *, ncols: int = 4, title: str = "MNIST 훈련 데이터 샘플"
) -> Figure:
    """앞에서부터 n장의 이미지를 레이블과 함께 격자로 그립니다. (1장 ``01_data.ipynb``)

    ``x``는 ``(N, H, W)``나 ``(N, H, W, 1)``, 0~255 원본이나 0~1 정규화 모두 됩니다.
    """
    images, labels = _images(x, "x"), checks.check_labels(y, "y")
    checks.check_same_length(x=images, y=labels)
    n = _count(n, len(images))
    titles = [f"레이블: {k}" for k in labels[:n]]
    return _image_grid(images[:n], titles, ncols=ncols, title=title)[0]


@with_korean_font
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
    images, labels = _images(x32, "x32", size=PADDED_SIZE), checks.check_labels(y, "y")
    checks.check_same_length(x32=images, y=labels)
    n = _count(n, len(images))
    titles = [f"레이블: {k}" for k in labels[:n]]
    fig, axes = _image_grid(images[:n], titles, ncols=n, title=title, cell=(2.6, 2.9))
    if show_original_box:
        style = {"fill": False, "ec": "tab:orange", "ls": "--", "lw": 2}
        for ax in axes:
            box = Rectangle((PAD - 0.5, PAD - 0.5), IMAGE_SIZE, IMAGE_SIZE, **style)
            ax.add_patch(box)
        text = f"원래 {IMAGE_SIZE}×{IMAGE_SIZE} 영역 (바깥 {PAD}칸은 0으로 채운 패딩)"
        fig.legend([box], [text], loc="outside lower center", frameon=False)
    return fig


# --- 5장 예측, 6장 오분류 ---
def _confidences(confidences: Any) -> np.ndarray:
    """확신도 ``(N,)``나 확률 ``(N, 10)``을 확신도 ``(N,)``로 돌려줍니다."""
    conf = checks.as_numeric(confidences, "confidences")
    if conf.ndim == 2:
        return checks.check_probabilities(conf, "confidences").max(axis=1)
    if conf.ndim != 1 or (conf.size and (conf.min() < 0 or conf.max() > 1)):
        span = f"{conf.min():.3g} ~ {conf.max():.3g}" if conf.size else "없음"
        raise ValueError(
            f"{topic('confidences')} 0~1 확신도 (N,) 또는 확률 (N, {NUM_CLASSES}) 모양이어야 "
            f"합니다. 받은 모양: {conf.shape}, 범위: {span}. softmax 출력을 넘기세요."
        )
    return conf


@with_korean_font
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
    imgs = checks.check_images(imgs, "images", size=size)
    pad = checks.check_int(pad, "pad", minimum=0, maximum=PADDED_SIZE // 2 - 1, example=PAD)
    true, pred = checks.check_labels(y_true, "y_true"), checks.check_labels(y_pred, "y_pred")
    conf = _confidences(confidences)
    checks.check_same_length(images=imgs, y_true=true, y_pred=pred, confidences=conf)
    n = len(imgs) if n is None else _count(n, len(imgs))
    if size == PADDED_SIZE:
        imgs = imgs[:, pad : size - pad, pad : size - pad]
    right = true[:n] == pred[:n]  # 색을 구별하지 못해도 보이게 ✓/✗도 붙입니다
    titles = [f"{'✓' if r else '✗'} 실제: {t}, 예측: {p}\n확신도: {percent(c)}"
              for r, t, p, c in zip(right, true[:n], pred[:n], conf[:n], strict=True)]  # fmt: skip
    colors = ["green" if r else "red" for r in right]
    grid = _image_grid(imgs[:n], titles, ncols=ncols, title=title, colors=colors, cell=(2.6, 2.9))
    return grid[0]


@with_korean_font
def plot_confident_errors(
    images: Any, y_true: Any, y_pred: Any, confidences: Any, *,
    ncols: int = 4, pad: int = 2, title: str = "가장 확신도가 높은 오분류 사례들",
) -> Figure:  # fmt: skip
    """확신도가 높은데 틀린 사례를 모두 ✗ 빨간 제목으로 그립니다. (6장 ``06_error_analysis.ipynb``)

    보통 ``error_analysis``가 고른 16장을 넘깁니다. 모두 비어 있으면 안내 문구만 그립니다.
    """
    if all(np.shape(a)[:1] == (0,) for a in (images, y_true, y_pred, confidences)):
        fig, ax = plt.subplots(figsize=(6, 2), layout="constrained")
        ax.text(0.5, 0.5, "오분류 사례가 없습니다. 모든 예측이 정확합니다!", ha="center")
        ax.set(title=title, xticks=[], yticks=[])
        return fig
    grid = {"ncols": ncols, "pad": pad, "title": title}
    return plot_predictions(images, y_true, y_pred, confidences, None, **grid)


# --- 6장 필터와 특성 맵 ---
@with_korean_font
def plot_filters(weights: Any, title: str = "합성곱 필터", *, cmap: str = WEIGHT_CMAP) -> Figure:
    """합성곱 필터의 가중치를 그립니다. (6장 ``06_error_analysis.ipynb``)

    ``weights``: ``(kh, kw, 입력 채널, 출력 필터)`` 커널 (``layer.get_weights()[0]``).
    입력 채널이 하나(C1)면 필터 한 줄, 여럿(C3)이면 **행이 필터, 열이 입력 채널**인 격자입니다.
    색은 0을 흰색으로 두어 양수는 빨강, 음수는 파랑입니다.
    """
    w = checks.as_numeric(weights, "weights")
    w = w[:, :, None, :] if w.ndim == 3 else w
    if w.ndim != 4 or not 1 <= w.shape[2] * w.shape[3] <= 400:
        raise ValueError(
            f"{topic('weights')} (높이, 너비, 입력 채널, 출력 필터) 모양의 합성곱 커널이어야 하고 "
            f"필터는 1~400개여야 합니다. 받은 모양: {w.shape}. "
            "C1이나 C3 층의 layer.get_weights()[0]을 넘기세요."
        )
    n_in, n_out = w.shape[2:]
    one_row = n_in == 1  # C1: 필터 한 줄. C3 등: 필터마다 한 줄, 입력 채널마다 한 칸
    images = [w[:, :, i, j] for j in range(n_out) for i in range(n_in)]  # (세로로 길게: 노트북 폭)
    titles = [f"필터 {j + 1}" if one_row else f"입력 {i + 1}" if j == 0 else ""
              for j in range(n_out) for i in range(n_in)]  # fmt: skip
    size = ({"ncols": n_out, "cell": (1.15, 1.25), "fontsize": 9} if one_row
            else {"ncols": n_in, "cell": (1.0, 1.0), "fontsize": 10})  # fmt: skip
    fig, axes = _shared_scale_grid(images, titles, "가중치", title=title, cmap=cmap, **size)
    for j in range(0 if one_row else n_out):
        axes[j * n_in].set_ylabel(f"필터 {j + 1}", fontsize=10, rotation=0, ha="right", va="center")
    return fig


@with_korean_font
def plot_feature_maps(
    maps: Any, title: str = "특성 맵", *, ncols: int = 8, cmap: str = ACTIVATION_CMAP,
    fig: FigureBase | None = None,
) -> Figure:  # fmt: skip
    """한 이미지에 대한 층의 출력(특성 맵)을 채널마다 그립니다. (6장 ``06_error_analysis.ipynb``)

    ``maps``: ``(H, W, C)``나 ``(1, H, W, C)``. C1은 (28, 28, 6), C3는 (10, 10, 16).
    모든 맵이 0을 가운데 둔 색 범위 하나와 색 막대를 함께 써서 맵끼리 값을 비교할 수 있습니다.
    ``fig``(``fig.subfigures``의 한 칸 등)를 주면 새 그림 대신 그 안에 그립니다 (8장 캔버스).
    """
    m = checks.as_numeric(maps, "maps")
    m = m[0] if m.ndim == 4 and len(m) == 1 else m
    where = "그림이나 그 한 칸(SubFigure)"
    checks.check_type(fig, (FigureBase, type(None)), "fig", where, "예: fig.subfigures(1, 2)[1]")
    if m.ndim != 3 or not 1 <= m.shape[-1] <= 256:
        raise ValueError(
            f"{topic('maps')} 한 이미지의 특성 맵 (높이, 너비, 채널 1~256개) 모양이어야 합니다. "
            f"받은 모양: {m.shape}. 여러 장이라면 maps[0]처럼 한 장만 넘기세요."
        )
    titles = [f"맵 {c + 1}" for c in range(m.shape[-1])]
    grid = {"ncols": ncols, "title": title, "cell": (1.8, 1.9), "fontsize": 9, "cmap": cmap}
    drawn, _ = _shared_scale_grid(np.moveaxis(m, -1, 0), titles, "출력 값", fig=fig, **grid)
    return drawn if isinstance(drawn, Figure) else drawn.figure
