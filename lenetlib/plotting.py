"""모든 장의 그림을 그리는 함수 모음. (1장 ``01_data.ipynb`` ~ 6장 ``06_error_analysis.ipynb``)

이 모듈을 불러오면 한글 글꼴이 자동으로 등록됩니다.

1. 설치된 ``koreanize-matplotlib`` 배포판에 들어 있는 나눔고딕(NanumGothic) 파일을 찾아
   등록합니다. 이 패키지는 불러올 때 ``distutils``를 쓰므로(Python 3.12에서 제거됨)
   ``import`` 하지 않고 설치 기록(``importlib.metadata``)으로 글꼴 파일만 찾습니다.
2. 없으면 시스템에 설치된 한글 글꼴(NanumGothic, Noto Sans CJK KR, Malgun Gothic,
   AppleGothic, Apple SD Gothic Neo 등)을 찾습니다.
3. 아무것도 없으면 ``pip install koreanize-matplotlib``을 안내하는 경고를 한 번 냅니다.

또한 ``axes.unicode_minus=False``로 두어 음수 눈금의 빼기 기호가 네모(□)로 깨지지 않게 합니다.
나눔고딕에는 유니코드 빼기 기호(U+2212)가 없어, 직접 그린 로그 축의 수식 눈금(10^{-3})은
빼기 기호가 ¤로 깨질 수 있습니다. ``ax.yaxis.set_major_formatter(LogFormatter())``처럼
일반 글자 눈금을 쓰세요 (:func:`plot_history`는 이미 그렇게 합니다).

모든 ``plot_*`` 함수는 :class:`matplotlib.figure.Figure`를 돌려주고 ``plt.show()``를
부르지 않습니다. 한 칸짜리 그림은 ``ax=``로 원하는 축에 그릴 수 있습니다.
노트북에서 ``fig = plot_samples(...)``처럼 변수에 받으면 그림이 한 번만 표시됩니다.
``sns.set_theme()``이나 ``plt.style.use()``가 글꼴 설정을 덮어써도 이 모듈의 함수는
한글 글꼴로 그리며, 직접 그리는 그림을 위해서는 :func:`setup_korean_font`를 다시 부르세요.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.ticker import (
    FixedLocator,
    FuncFormatter,
    LogFormatter,
    MaxNLocator,
    NullLocator,
)

from lenetlib._korean import obj, topic

__all__ = [
    "KoreanFontWarning",
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
    "setup_korean_font",
]

#: 배포판 이름 (PyPI)과 그 안의 글꼴 폴더
_BUNDLE_DISTRIBUTION = "koreanize-matplotlib"
_BUNDLE_PACKAGE = "koreanize_matplotlib"
#: 여러 굵기 중 기본으로 쓸 파일 (보통 굵기)
_PREFERRED_FILE = "NanumGothic.ttf"
#: 번들이 없을 때 찾아볼 시스템 한글 글꼴 (앞쪽이 우선)
SYSTEM_KOREAN_FONTS: tuple[str, ...] = (
    "NanumGothic",
    "NanumBarunGothic",
    "Noto Sans CJK KR",
    "Noto Sans KR",
    "Source Han Sans KR",
    "Malgun Gothic",
    "AppleGothic",
    "Apple SD Gothic Neo",
    "UnDotum",
    "Baekmuk Gulim",
)
#: 한글 글꼴에 없는 글자(예: 유니코드 빼기 기호)를 대신 그릴 글꼴 (matplotlib에 포함)
_FALLBACK_FAMILY = "DejaVu Sans"

_F = TypeVar("_F", bound=Callable[..., Any])


class KoreanFontWarning(UserWarning):
    """한글 글꼴을 찾지 못했을 때 내는 경고. (모든 장의 준비 블록)"""


# --------------------------------------------------------------------------------------
# 한글 글꼴
# --------------------------------------------------------------------------------------


def _has_hangul(path: str | Path) -> bool:
    """글꼴 파일에 한글 음절 '가'와 '힣'이 들어 있는지 확인합니다."""
    try:
        font = FT2Font(str(path))
        return font.get_char_index(ord("가")) != 0 and font.get_char_index(ord("힣")) != 0
    except (OSError, RuntimeError, ValueError):
        return False


def _bundled_font_files() -> list[Path]:
    """``koreanize-matplotlib``에 들어 있는 글꼴 파일을 패키지를 실행하지 않고 찾습니다."""
    found: list[Path] = []
    try:
        records = importlib.metadata.files(_BUNDLE_DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        records = []
    for record in records:
        if record.suffix.lower() in (".ttf", ".otf"):
            path = Path(str(record.locate()))
            if path.is_file():
                found.append(path)
    if not found:
        # 설치 기록(RECORD)이 없는 설치(conda 등): 최상위 패키지의 find_spec은
        # 패키지 코드를 실행하지 않고 위치만 알려 줍니다.
        try:
            spec = importlib.util.find_spec(_BUNDLE_PACKAGE)
        except (ImportError, ValueError):
            spec = None
        for location in (spec.submodule_search_locations or []) if spec else []:
            for pattern in ("*.ttf", "*.otf"):
                found.extend(sorted(Path(location).glob(f"fonts/{pattern}")))
    # 보통 굵기 파일을 맨 앞으로
    return sorted(set(found), key=lambda p: (p.name != _PREFERRED_FILE, p.name))


def _register_bundled_font() -> tuple[str, Path] | None:
    """번들 글꼴을 등록하고 (글꼴 이름, 파일 경로)를 돌려줍니다. 없으면 ``None``."""
    chosen: tuple[str, Path] | None = None
    for path in _bundled_font_files():
        if not _has_hangul(path):
            continue
        try:
            font_manager.fontManager.addfont(str(path))
            name = font_manager.FontProperties(fname=str(path)).get_name()
        except (OSError, RuntimeError, ValueError):
            continue
        if chosen is None:
            chosen = (name, path)
    return chosen


def _find_system_font(candidates: Sequence[str]) -> tuple[str, Path] | None:
    """시스템에 설치된 한글 글꼴 중 처음 찾은 것을 돌려줍니다."""
    by_name: dict[str, list[str]] = {}
    for entry in font_manager.fontManager.ttflist:
        by_name.setdefault(entry.name, []).append(entry.fname)
    for name in candidates:
        for fname in by_name.get(name, []):
            if _has_hangul(fname):
                return name, Path(fname)
    return None


_FONT_NAME: str | None = None
_FONT_PATH: Path | None = None


def _family_list() -> list[str]:
    if _FONT_NAME is None:
        return [_FALLBACK_FAMILY]
    return [_FONT_NAME, _FALLBACK_FAMILY]


def _apply_rc() -> None:
    matplotlib.rcParams["axes.unicode_minus"] = False
    if _FONT_NAME is None:
        return
    matplotlib.rcParams["font.family"] = _family_list()
    # sns.set_theme(font="sans-serif")처럼 'sans-serif'로 되돌려도 한글이 나오도록
    sans = [f for f in matplotlib.rcParams["font.sans-serif"] if f != _FONT_NAME]
    matplotlib.rcParams["font.sans-serif"] = [_FONT_NAME, *sans]


def _configure_korean_font(
    *, use_bundle: bool = True, candidates: Sequence[str] = SYSTEM_KOREAN_FONTS
) -> str | None:
    """글꼴을 찾아 등록하고 rcParams를 설정합니다. 찾지 못하면 경고를 한 번 내고 ``None``."""
    global _FONT_NAME, _FONT_PATH
    found = _register_bundled_font() if use_bundle else None
    if found is None:
        found = _find_system_font(candidates)
    if found is None:
        _FONT_NAME, _FONT_PATH = None, None
        _apply_rc()
        warnings.warn(
            "한글 글꼴을 찾지 못해 그림의 한글이 네모(□)로 보일 수 있습니다. "
            "`pip install koreanize-matplotlib`으로 나눔고딕 글꼴을 설치한 뒤 "
            "`import lenetlib.plotting`을 다시 실행하세요(커널 재시작은 필요 없습니다). "
            "또는 NanumGothic, Noto Sans CJK KR, Malgun Gothic, AppleGothic 중 하나를 "
            "시스템에 설치하세요.",
            KoreanFontWarning,
            stacklevel=2,
        )
        return None
    _FONT_NAME, _FONT_PATH = found
    _apply_rc()
    return _FONT_NAME


def setup_korean_font() -> str:
    """한글 글꼴을 (다시) 등록하고 matplotlib 기본 글꼴로 설정합니다. (모든 장의 준비 블록)

    모듈을 불러올 때 자동으로 실행됩니다. ``sns.set_theme()``이나 ``plt.style.use()``가
    글꼴 설정을 덮어쓴 뒤 직접 그리는 그림에도 한글을 쓰고 싶을 때 다시 부르세요.

    Returns
    -------
    str
        사용하는 글꼴 이름 (예: ``"NanumGothic"``). 한글 글꼴이 없으면 ``"DejaVu Sans"``.
    """
    if _FONT_NAME is None:
        _configure_korean_font()
    else:
        _apply_rc()
    return korean_font_name()


def korean_font_name() -> str:
    """등록된 한글 글꼴의 이름을 돌려줍니다. (모든 장의 준비 블록)

    Returns
    -------
    str
        예: ``"NanumGothic"``. 한글 글꼴을 찾지 못했으면 대신 쓰는 ``"DejaVu Sans"``.
    """
    return _FONT_NAME if _FONT_NAME is not None else _FALLBACK_FAMILY


def korean_font_path() -> Path | None:
    """등록된 한글 글꼴 파일의 경로를 돌려줍니다. 없으면 ``None``. (모든 장의 준비 블록)

    Returns
    -------
    Path or None
        글꼴 파일 경로.
    """
    return _FONT_PATH


_configure_korean_font()


def _korean(func: _F) -> _F:
    """그리는 동안 한글 글꼴과 ASCII 빼기 기호를 보장하는 장식자.

    글자의 글꼴은 글자를 만들 때 정해지므로, 나중에 rcParams가 바뀌어도 한글이 유지됩니다.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        # rc_context는 쓰지 않습니다: rc_context는 블록을 나갈 때 rcParams 전체(interactive 포함)를
        # 되돌리므로, 첫 그림에서 Jupyter inline 백엔드가 켠 interactive=True까지 꺼져
        # 두 번째 그림부터 셀 아래에 나타나지 않습니다. 바꾼 키만 되돌립니다.
        rc: dict[str, Any] = {"axes.unicode_minus": False}
        if _FONT_NAME is not None:
            rc["font.family"] = _family_list()
        saved = {key: matplotlib.rcParams[key] for key in rc}
        matplotlib.rcParams.update(rc)
        try:
            return func(*args, **kwargs)
        finally:
            matplotlib.rcParams.update(saved)

    return wrapper  # type: ignore[return-value]


# --------------------------------------------------------------------------------------
# 입력 검사 도우미
# --------------------------------------------------------------------------------------


def _as_array(value: Any, name: str) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except Exception as exc:
        raise ValueError(
            f"{obj(name)} NumPy 배열로 바꿀 수 없습니다. 받은 형식: {type(value).__name__}."
        ) from exc
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise ValueError(
            f"{topic(name)} 숫자 배열이어야 합니다. 받은 dtype: {arr.dtype}. "
            "np.asarray(..., dtype=float)로 바꿔 보세요."
        )
    return arr


def _as_images(
    images: Any, name: str = "images", sizes: tuple[int, ...] | None = None
) -> np.ndarray:
    """(N, H, W) 또는 (N, H, W, 1) 이미지를 (N, H, W)로 돌려줍니다."""
    arr = _as_array(images, name)
    if arr.ndim == 4 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim != 3:
        hint = " 한 장이라면 x[None]을 쓰세요." if arr.ndim in (2,) else ""
        raise ValueError(
            f"{topic(name)} (N, 높이, 너비) 또는 (N, 높이, 너비, 1) 모양이어야 합니다. "
            f"받은 모양: {arr.shape}.{hint}"
        )
    if sizes is not None and (arr.shape[1] != arr.shape[2] or arr.shape[1] not in sizes):
        allowed = " 또는 ".join(f"{s}×{s}" for s in sizes)
        raise ValueError(f"{name}의 이미지 크기는 {allowed}이어야 합니다. 받은 모양: {arr.shape}.")
    return arr


def _as_labels(y: Any, name: str = "y") -> np.ndarray:
    """정수 레이블 (N,) 또는 원-핫 (N, 10)을 정수 (N,)로 돌려줍니다."""
    arr = _as_array(y, name)
    if arr.ndim == 2 and arr.shape[1] > 1:
        arr = np.argmax(arr, axis=1)
    if arr.ndim != 1:
        raise ValueError(
            f"{topic(name)} 정수 레이블 (N,) 또는 원-핫 (N, 10) 모양이어야 합니다. "
            f"받은 모양: {arr.shape}."
        )
    if (
        arr.size
        and not np.issubdtype(arr.dtype, np.integer)
        and (not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)))
    ):
        raise ValueError(
            f"{name}에는 정수 레이블만 올 수 있습니다. 받은 dtype: {arr.dtype}. "
            "원-핫이라면 (N, 10) 모양으로, 확률이라면 argmax를 먼저 구하세요."
        )
    return arr.astype(np.int64)


def _check_same_length(**arrays: np.ndarray) -> int:
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{name}={n}" for name, n in lengths.items())
        raise ValueError(f"입력의 길이가 서로 달라요: {detail}. 같은 샘플을 같은 순서로 넘기세요.")
    return next(iter(lengths.values()))


def _check_n(n: Any, available: int, name: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise ValueError(f"{topic(name)} 정수여야 합니다. 받은 값: {n!r}.")
    if n < 1:
        raise ValueError(f"{topic(name)} 1 이상이어야 합니다. 받은 값: {n}.")
    if n > available:
        raise ValueError(
            f"{name}={n}개를 그릴 수 없습니다. 이미지가 {available}개뿐입니다. "
            f"{obj(name)} {available} 이하로 줄이세요."
        )
    return int(n)


def _check_ncols(ncols: Any) -> int:
    if isinstance(ncols, bool) or not isinstance(ncols, (int, np.integer)) or ncols < 1:
        raise ValueError(f"ncols는 1 이상의 정수여야 합니다. 받은 값: {ncols!r}.")
    return int(ncols)


def _as_confidences(confidences: Any, n: int, name: str = "confidences") -> np.ndarray:
    """확신도 (N,) 또는 확률 (N, 10)을 확신도 (N,)로 돌려줍니다."""
    arr = _as_array(confidences, name).astype(np.float64)
    if arr.ndim == 2:
        arr = arr.max(axis=1)
    if arr.ndim != 1:
        raise ValueError(
            f"{topic(name)} 확신도 (N,) 또는 확률 (N, 10) 모양이어야 합니다. "
            f"받은 모양: {arr.shape}."
        )
    if arr.size and (not np.all(np.isfinite(arr)) or arr.min() < 0 or arr.max() > 1):
        raise ValueError(
            f"{topic(name)} 0과 1 사이의 확률이어야 합니다. "
            f"받은 범위: {np.nanmin(arr):.3g} ~ {np.nanmax(arr):.3g}. softmax 출력을 넘기세요."
        )
    return arr


def _crop(image: np.ndarray, pad: int) -> np.ndarray:
    return image[pad:-pad, pad:-pad] if pad > 0 else image


def _grid(n: int, ncols: int, cell: tuple[float, float]) -> tuple[Figure, list[Axes]]:
    """n칸 격자 그림을 만들고, 남는 칸은 지웁니다."""
    ncols = min(ncols, n)
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(cell[0] * ncols, cell[1] * nrows), squeeze=False
    )
    flat = list(axes.ravel())
    for ax in flat[n:]:
        fig.delaxes(ax)
    return fig, flat[:n]


def _image_grid(
    images: np.ndarray,
    titles: Sequence[str],
    colors: Sequence[str] | None,
    *,
    ncols: int,
    suptitle: str,
    cell: tuple[float, float],
    fontsize: float | None = None,
) -> Figure:
    fig, axes = _grid(len(images), ncols, cell)
    for i, ax in enumerate(axes):
        ax.imshow(images[i], cmap="gray")
        style: dict[str, Any] = {} if fontsize is None else {"fontsize": fontsize}
        if colors is not None:
            style["color"] = colors[i]
        ax.set_title(titles[i], **style)
        ax.axis("off")
    fig.suptitle(suptitle, fontsize=16)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------
# 1장: 데이터
# --------------------------------------------------------------------------------------


@_korean
def plot_samples(
    x: Any,
    y: Any,
    n: int = 16,
    *,
    ncols: int = 4,
    title: str = "MNIST 훈련 데이터 샘플",
) -> Figure:
    """앞에서부터 n장의 이미지를 레이블과 함께 격자로 그립니다. (1장 ``01_data.ipynb``)

    Parameters
    ----------
    x : array-like, (N, 28, 28) 또는 (N, H, W, 1)
        이미지 (0~255 원본이나 0~1 정규화 모두 가능).
    y : array-like, (N,) 또는 원-핫 (N, 10)
        레이블.
    n : int, default 16
        그릴 장수 (기본 4×4 격자).
    ncols : int, default 4
        한 줄에 놓을 이미지 수.
    title : str
        전체 제목.

    Returns
    -------
    Figure
        n개의 축을 가진 그림. 각 칸 제목은 ``레이블: k``.
    """
    images = _as_images(x, "x")
    labels = _as_labels(y, "y")
    _check_same_length(x=images, y=labels)
    n = _check_n(n, len(images))
    ncols = _check_ncols(ncols)
    titles = [f"레이블: {labels[i]}" for i in range(n)]
    return _image_grid(images[:n], titles, None, ncols=ncols, suptitle=title, cell=(3.0, 2.0))


@_korean
def plot_class_distribution(
    y: Any,
    ax: Axes | None = None,
    *,
    num_classes: int = 10,
    title: str = "MNIST 훈련 데이터의 클래스 분포",
) -> Figure:
    """클래스(숫자)별 샘플 수를 막대로 그리고 위에 개수를 적습니다. (1장 ``01_data.ipynb``)

    Parameters
    ----------
    y : array-like, (N,) 또는 원-핫 (N, 10)
        레이블 (0 ~ num_classes-1 정수).
    ax : Axes, optional
        그릴 축. 없으면 새 그림을 만듭니다.
    num_classes : int, default 10
        클래스 수.
    title : str
        그래프 제목.

    Returns
    -------
    Figure
        막대그래프가 그려진 그림.
    """
    labels = _as_labels(y, "y")
    if labels.size == 0:
        raise ValueError("y가 비어 있습니다. 레이블이 한 개 이상 있어야 합니다.")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(
            f"레이블은 0 ~ {num_classes - 1} 사이여야 합니다. "
            f"받은 범위: {labels.min()} ~ {labels.max()}."
        )
    counts = np.bincount(labels, minlength=num_classes)
    classes = np.arange(num_classes)
    own_figure = ax is None
    if ax is None:
        fig, ax = plt.subplots(figsize=(10, 6))
    else:
        fig = ax.figure
    ax.bar(classes, counts, color="tab:blue")
    offset = counts.max() * 0.01
    for c, count in zip(classes, counts, strict=True):
        ax.text(c, count + offset, str(count), ha="center", va="bottom")
    ax.set_ylim(0, counts.max() * 1.1)
    ax.set_xticks(classes)
    ax.set_title(title)
    ax.set_xlabel("숫자 클래스")
    ax.set_ylabel("샘플 개수")
    if own_figure:
        fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------
# 2장: 전처리
# --------------------------------------------------------------------------------------


@_korean
def plot_preprocessed(
    x32: Any,
    y: Any,
    n: int = 4,
    *,
    show_original_box: bool = False,
    title: str = "전처리된 MNIST 이미지 (32x32)",
) -> Figure:
    """전처리(정규화 + 패딩)된 32×32 이미지를 한 줄로 그립니다. (2장 ``02_preprocessing.ipynb``)

    Parameters
    ----------
    x32 : array-like, (N, 32, 32, 1) 또는 (N, 32, 32)
        전처리된 이미지.
    y : array-like, (N,) 또는 원-핫 (N, 10)
        레이블.
    n : int, default 4
        그릴 장수.
    show_original_box : bool, default False
        True면 원래 28×28 영역을 점선 상자로 표시해 2픽셀 패딩을 보여 줍니다.
    title : str
        전체 제목.

    Returns
    -------
    Figure
        n개의 축을 가진 그림.
    """
    images = _as_images(x32, "x32", sizes=(32,))
    labels = _as_labels(y, "y")
    _check_same_length(x32=images, y=labels)
    n = _check_n(n, len(images))
    titles = [f"32x32 패딩된 이미지\n레이블: {labels[i]}" for i in range(n)]
    fig = _image_grid(images[:n], titles, None, ncols=n, suptitle=title, cell=(3.0, 3.2))
    if show_original_box:
        for ax in fig.axes:
            ax.add_patch(
                Rectangle((1.5, 1.5), 28, 28, fill=False, edgecolor="tab:orange", linestyle="--")
            )
    return fig


# --------------------------------------------------------------------------------------
# 3장: 모델 구조
# --------------------------------------------------------------------------------------

_LAYER_COLORS: dict[str, str] = {
    "입력": "#eeeeee",
    "conv": "#cfe2f3",
    "pool": "#d9ead3",
    "flatten": "#fff2cc",
    "dense": "#fce5cd",
    "other": "#ead1dc",
}


def _layer_kind(type_name: str) -> str:
    lowered = type_name.lower()
    if "conv" in lowered:
        return "conv"
    if "pool" in lowered or "subsampl" in lowered:
        return "pool"
    if "flatten" in lowered:
        return "flatten"
    if "dense" in lowered:
        return "dense"
    return "other"


def _shape_text(shape: Any) -> str:
    return str(tuple(shape)[1:])  # 배치 차원 제외, 예: (28, 28, 6), (10,)


def _layer_rows(model: Any) -> list[dict[str, str]]:
    layers = getattr(model, "layers", None)
    if layers is None:
        raise ValueError(
            f"Keras 모델이 필요합니다. 받은 형식: {type(model).__name__}. "
            "예: plot_architecture(build_lenet5())"
        )
    rows: list[dict[str, str]] = []
    try:
        inputs = model.inputs
        input_shape = _shape_text(inputs[0].shape)
    except (AttributeError, IndexError, TypeError, ValueError) as exc:
        raise ValueError(
            "모델이 아직 빌드되지 않아 층의 출력 모양을 알 수 없습니다. "
            "keras.Input(shape=(32, 32, 1))로 입력을 지정하거나 model.build(...)를 먼저 부르세요."
        ) from exc
    rows.append(
        {"name": "입력", "type": "Input", "shape": input_shape, "params": "", "kind": "입력"}
    )
    for layer in layers:
        type_name = type(layer).__name__
        if type_name == "InputLayer":
            continue
        try:
            shape = _shape_text(layer.output.shape)
            params = int(layer.count_params())
        except (AttributeError, TypeError, ValueError) as exc:
            raise ValueError(
                f"층 '{layer.name}'의 출력 모양을 알 수 없습니다. 모델을 먼저 빌드하세요 "
                "(keras.Input으로 입력 모양을 지정)."
            ) from exc
        activation = getattr(layer, "activation", None)
        act_name = getattr(activation, "__name__", None)
        type_text = type_name if act_name in (None, "linear") else f"{type_name} · {act_name}"
        rows.append(
            {
                "name": layer.name,
                "type": type_text,
                "shape": shape,
                "params": f"{params:,}",
                "kind": _layer_kind(type_name),
            }
        )
    return rows


@_korean
def plot_architecture(model: Any, ax: Axes | None = None, *, title: str | None = None) -> Figure:
    """모델의 층을 위에서 아래로 상자로 그립니다 (graphviz 불필요). (3장 ``03_model.ipynb``)

    각 상자에는 층 이름, 종류(활성화 함수), 출력 모양, 파라미터 수가 들어갑니다.
    모양은 빌드된 모델의 ``layer.output.shape``에서 읽습니다 (Keras 3에는
    ``layer.output_shape``가 없습니다).

    Parameters
    ----------
    model : keras.Model
        빌드된 모델 (예: ``build_lenet5()``).
    ax : Axes, optional
        그릴 축. 없으면 층 수에 맞는 높이의 새 그림을 만듭니다.
    title : str, optional
        제목. 기본값은 ``"<모델 이름> 구조 (총 파라미터 N개)"``.

    Returns
    -------
    Figure
        층 상자가 그려진 그림.
    """
    rows = _layer_rows(model)
    total = sum(int(r["params"].replace(",", "") or 0) for r in rows)
    n = len(rows)
    own_figure = ax is None
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.5, 0.8 * n + 0.8))
    else:
        fig = ax.figure
    step = 1.0
    height = 0.72
    for i, row in enumerate(rows):
        y = (n - 1 - i) * step
        ax.add_patch(
            FancyBboxPatch(
                (0.03, y - height / 2),
                0.94,
                height,
                boxstyle="round,pad=0.0,rounding_size=0.08",
                facecolor=_LAYER_COLORS[row["kind"]],
                edgecolor="#555555",
                linewidth=1.2,
            )
        )
        ax.text(0.06, y + 0.12, row["name"], fontsize=12, fontweight="bold", va="center")
        ax.text(0.06, y - 0.17, row["type"], fontsize=9.5, color="#333333", va="center")
        ax.text(0.56, y + 0.12, f"출력 모양: {row['shape']}", fontsize=10, va="center")
        if row["params"]:
            ax.text(0.56, y - 0.17, f"파라미터: {row['params']}개", fontsize=10, va="center")
        if i < n - 1:
            ax.add_patch(
                FancyArrowPatch(
                    (0.5, y - height / 2),
                    (0.5, y - step + height / 2),
                    arrowstyle="-|>",
                    mutation_scale=14,
                    color="#555555",
                )
            )
    ax.set_xlim(0, 1)
    ax.set_ylim(-step * 0.6, (n - 1) * step + step * 0.6)
    ax.axis("off")
    name = getattr(model, "name", "모델")
    ax.set_title(title if title is not None else f"{name} 구조 (총 파라미터 {total:,}개)")
    if own_figure:
        fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------
# 4장: 훈련 기록
# --------------------------------------------------------------------------------------


def _history_dict(history: Any) -> dict[str, np.ndarray]:
    raw = getattr(history, "history", history)
    if not isinstance(raw, Mapping):
        raise ValueError(
            "history는 {'accuracy': [...], 'loss': [...]} 같은 사전이나 .history 속성을 가진 "
            f"객체여야 합니다. 받은 형식: {type(history).__name__}."
        )
    missing = [k for k in ("accuracy", "loss") if k not in raw]
    if missing:
        raise ValueError(
            f"history에 {missing} 키가 없습니다. 받은 키: {sorted(raw)}. "
            "model.compile(metrics=['accuracy'])로 훈련한 기록을 넘기세요."
        )
    out = {k: np.asarray(v, dtype=np.float64).ravel() for k, v in raw.items()}
    epochs = len(out["accuracy"])
    if epochs == 0:
        raise ValueError("history가 비어 있습니다. 한 에포크 이상 훈련한 기록을 넘기세요.")
    wrong = {k: len(v) for k, v in out.items() if len(v) != epochs}
    if wrong:
        raise ValueError(
            f"history의 기록 길이가 서로 다릅니다 (accuracy는 {epochs}개). 다른 길이: {wrong}."
        )
    return out


@_korean
def plot_history(
    history: Any, axes: Sequence[Axes] | None = None, *, mark_best: bool = True
) -> Figure:
    """정확도, 손실, 학습률 변화를 세 칸에 그립니다. (4장 ``04_training.ipynb``)

    Parameters
    ----------
    history : dict 또는 History
        ``accuracy``, ``loss`` (그리고 있으면 ``val_accuracy``, ``val_loss``,
        ``learning_rate``) 키의 에포크별 기록. ``.history`` 속성을 가진 객체도 됩니다.
        ``learning_rate``가 없으면 셋째 칸에 안내 문구를 적습니다.
    axes : 축 3개, optional
        그릴 축. 없으면 1×3 그림을 새로 만듭니다.
    mark_best : bool, default True
        검증 정확도가 가장 높았던 에포크를 점선으로 표시합니다.

    Returns
    -------
    Figure
        세 개의 축(정확도, 손실, 학습률)을 가진 그림.
    """
    h = _history_dict(history)
    if axes is None:
        fig, axs = plt.subplots(1, 3, figsize=(15, 5))
        axes = list(axs)
    else:
        axes = list(axes)
        if len(axes) != 3:
            raise ValueError(f"axes에는 축 3개가 필요합니다. 받은 개수: {len(axes)}.")
        fig = axes[0].figure
    epochs = np.arange(1, len(h["accuracy"]) + 1)
    panels = (
        (axes[0], "accuracy", "모델 정확도", "정확도", "훈련 정확도", "검증 정확도"),
        (axes[1], "loss", "모델 손실", "손실", "훈련 손실", "검증 손실"),
    )
    for ax, key, title, ylabel, train_label, val_label in panels:
        ax.plot(epochs, h[key], label=train_label, linewidth=2, marker="o", markersize=3)
        if f"val_{key}" in h:
            ax.plot(epochs, h[f"val_{key}"], label=val_label, linewidth=2, marker="o", markersize=3)
        ax.set_title(title)
        ax.set_xlabel("에포크")
        ax.set_ylabel(ylabel)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
    if mark_best and "val_accuracy" in h and np.all(np.isfinite(h["val_accuracy"])):
        best = int(np.argmax(h["val_accuracy"])) + 1
        axes[0].axvline(
            best, color="gray", linestyle=":", label=f"최고 검증 정확도 (에포크 {best})"
        )
    for ax in axes[:2]:
        ax.legend()
    lr_key = "learning_rate" if "learning_rate" in h else ("lr" if "lr" in h else None)
    ax = axes[2]
    if lr_key is not None and np.all(h[lr_key] > 0):
        ax.plot(epochs, h[lr_key], linewidth=2, marker="o", markersize=3, color="tab:green")
        ax.set_title("학습률 변화")
        ax.set_xlabel("에포크")
        ax.set_ylabel("학습률")
        ax.set_yscale("log")
        # 기본 로그 눈금(10^{-3})은 수식(mathtext)으로 그려지는데, 수식의 기본 글꼴인
        # 나눔고딕에 빼기 기호(U+2212)가 없어 ¤로 깨집니다. 일반 글자 눈금(1e-03)을 씁니다.
        # 실제로 쓴 학습률 값(1.0e-03, 5.0e-04, …)에만 눈금을 두어 절반씩 줄어드는 게 보이게.
        levels = np.unique(h[lr_key])
        if levels.size <= 8:
            ax.yaxis.set_major_locator(FixedLocator(levels))
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.1e}"))
            ax.yaxis.set_minor_locator(NullLocator())
        else:
            ax.yaxis.set_major_formatter(LogFormatter())
            ax.yaxis.set_minor_formatter(LogFormatter(labelOnlyBase=False))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
    else:
        note = (
            "학습률 정보 없음\n(history에 'learning_rate' 기록이 없습니다)"
            if lr_key is None
            else "학습률 기록에 0 이하 값이 있어\n로그 눈금으로 그릴 수 없습니다"
        )
        ax.text(0.5, 0.5, note, ha="center", va="center", transform=ax.transAxes)
        ax.set_title("학습률")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------
# 5장: 평가
# --------------------------------------------------------------------------------------


def _as_square_matrix(cm: Any, name: str) -> np.ndarray:
    arr = _as_array(cm, name)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        raise ValueError(
            f"{topic(name)} 정사각 행렬 (클래스 수, 클래스 수)이어야 합니다. "
            f"받은 모양: {arr.shape}."
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

    Parameters
    ----------
    cm : array-like, (K, K)
        혼동 행렬. 행은 실제 클래스, 열은 예측된 클래스.
    normalized : bool, default False
        False면 개수(정수, 형식 ``d``), True면 행별 비율(형식 ``.3f``)로 적습니다.
    ax : Axes, optional
        그릴 축. 없으면 새 그림을 만듭니다.
    title : str, optional
        제목. 기본값은 ``혼동 행렬 (개수)`` 또는 ``혼동 행렬 (비율)``.
    cmap : str, default "Blues"
        색상 지도.

    Returns
    -------
    Figure
        히트맵과 색 막대(colorbar)가 있는 그림.
    """
    import seaborn as sns

    arr = _as_square_matrix(cm, "cm")
    if normalized:
        arr = arr.astype(np.float64)
        finite = arr[np.isfinite(arr)]
        if finite.size and (finite.min() < 0 or finite.max() > 1 + 1e-9):
            raise ValueError(
                "normalized=True에는 0~1 사이의 비율 행렬이 필요합니다. "
                f"받은 범위: {finite.min():.3g} ~ {finite.max():.3g}. "
                "개수 행렬이라면 normalized=False를 쓰세요."
            )
        fmt, default_title = ".3f", "혼동 행렬 (비율)"
    else:
        if not np.issubdtype(arr.dtype, np.integer) and (
            not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr))
        ):
            raise ValueError(
                "개수 혼동 행렬에는 정수만 올 수 있습니다. 비율 행렬이라면 "
                "normalized=True를 쓰세요."
            )
        arr = arr.astype(np.int64)
        if arr.min() < 0:
            raise ValueError(f"혼동 행렬의 개수는 0 이상이어야 합니다. 최솟값: {arr.min()}.")
        fmt, default_title = "d", "혼동 행렬 (개수)"
    k = arr.shape[0]
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 6))
    else:
        fig = ax.figure
    # 색의 범위를 대각선 밖(오류) 값에 맞춥니다. 대각선(정답)이 수백~천이라 그대로 두면
    # 한 자릿수인 오류 칸이 모두 흰색이 되어 보이지 않습니다. 대각선 칸은 가장 진한 색.
    off_diagonal = arr[~np.eye(k, dtype=bool)]
    off_diagonal = off_diagonal[np.isfinite(off_diagonal)]
    vmax = float(off_diagonal.max()) if off_diagonal.size and off_diagonal.max() > 0 else None
    sns.heatmap(
        arr,
        annot=True,
        fmt=fmt,
        cmap=cmap,
        vmin=0,
        vmax=vmax,
        xticklabels=range(k),
        yticklabels=range(k),
        annot_kws={"fontsize": 8 if normalized else 9},
        ax=ax,
    )
    ax.tick_params(axis="y", rotation=0)
    ax.set_title(title if title is not None else default_title)
    ax.set_xlabel("예측된 클래스" + ("\n(색은 대각선 밖 오류 값 기준)" if vmax is not None else ""))
    ax.set_ylabel("실제 클래스")
    return fig


@_korean
def plot_confusion_matrices(confusion: Any, confusion_normalized: Any | None = None) -> Figure:
    """개수와 비율 혼동 행렬을 나란히 그립니다. (5장 ``05_evaluation.ipynb``)

    Parameters
    ----------
    confusion : array-like, (K, K)
        개수 혼동 행렬 (정수).
    confusion_normalized : array-like, (K, K), optional
        행별로 정규화한 비율 행렬. 없으면 ``confusion``에서 계산합니다.

    Returns
    -------
    Figure
        히트맵 2개와 색 막대 2개(축 4개)를 가진 그림.
    """
    counts = _as_square_matrix(confusion, "confusion")
    if confusion_normalized is None:
        totals = counts.sum(axis=1, keepdims=True).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            normalized = counts / totals
    else:
        normalized = _as_square_matrix(confusion_normalized, "confusion_normalized")
        if normalized.shape != counts.shape:
            raise ValueError(
                "두 혼동 행렬의 모양이 다릅니다: "
                f"confusion {counts.shape}, confusion_normalized {normalized.shape}."
            )
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(15, 6))
    plot_confusion_matrix(counts, normalized=False, ax=ax1)
    plot_confusion_matrix(normalized, normalized=True, ax=ax2)
    fig.tight_layout()
    return fig


def _prepare_prediction_inputs(
    images: Any, y_true: Any, y_pred: Any, confidences: Any, pad: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    imgs = _as_images(images, "images", sizes=(28, 32))
    true = _as_labels(y_true, "y_true")
    pred = _as_labels(y_pred, "y_pred")
    conf = _as_confidences(confidences, len(imgs))
    _check_same_length(images=imgs, y_true=true, y_pred=pred, confidences=conf)
    if isinstance(pad, bool) or not isinstance(pad, (int, np.integer)) or pad < 0:
        raise ValueError(f"pad는 0 이상의 정수여야 합니다. 받은 값: {pad!r}.")
    if imgs.shape[1] == 32:
        imgs = np.stack([_crop(img, int(pad)) for img in imgs]) if len(imgs) else imgs
    return imgs, true, pred, conf


def _prediction_titles(
    true: np.ndarray, pred: np.ndarray, conf: np.ndarray
) -> tuple[list[str], list[str]]:
    titles = [
        f"실제: {t}, 예측: {p}\n확신도: {c:.2%}" for t, p, c in zip(true, pred, conf, strict=True)
    ]
    colors = ["green" if t == p else "red" for t, p in zip(true, pred, strict=True)]
    return titles, colors


@_korean
def plot_predictions(
    images: Any,
    y_true: Any,
    y_pred: Any,
    confidences: Any,
    n: int = 16,
    *,
    ncols: int = 4,
    pad: int = 2,
    title: str = "LeNet-5 예측 결과 (녹색: 정답, 빨강: 오답)",
) -> Figure:
    """예측 결과를 격자로 그립니다. 맞으면 녹색, 틀리면 빨간 제목. (5장 ``05_evaluation.ipynb``)

    Parameters
    ----------
    images : array-like, (N, 32, 32, 1), (N, 32, 32) 또는 (N, 28, 28)
        이미지. 32×32이면 가장자리 ``pad`` 픽셀(패딩)을 잘라 28×28로 보여 줍니다.
    y_true, y_pred : array-like, (N,) 또는 원-핫 (N, 10)
        실제와 예측 레이블.
    confidences : array-like, (N,) 또는 확률 (N, 10)
        예측 확신도 (확률이면 행별 최댓값을 씁니다).
    n : int, default 16
        그릴 장수.
    ncols : int, default 4
        한 줄의 이미지 수.
    pad : int, default 2
        잘라낼 패딩 폭.
    title : str
        전체 제목.

    Returns
    -------
    Figure
        n개의 축을 가진 그림.
    """
    imgs, true, pred, conf = _prepare_prediction_inputs(images, y_true, y_pred, confidences, pad)
    n = _check_n(n, len(imgs))
    ncols = _check_ncols(ncols)
    titles, colors = _prediction_titles(true[:n], pred[:n], conf[:n])
    return _image_grid(
        imgs[:n], titles, colors, ncols=ncols, suptitle=title, cell=(4.0, 3.0), fontsize=10
    )


@_korean
def plot_confident_errors(
    images: Any,
    y_true: Any,
    y_pred: Any,
    confidences: Any,
    *,
    ncols: int = 4,
    pad: int = 2,
    title: str = "가장 확신도가 높은 오분류 사례들",
) -> Figure:
    """확신도가 높은데 틀린 사례들을 빨간 제목으로 그립니다. (6장 ``06_error_analysis.ipynb``)

    넘긴 이미지를 모두 그립니다. 보통 ``errors.most_confident_errors``가 고른 16장을
    넘깁니다. 32×32 이미지는 2픽셀 패딩을 잘라 28×28로 보여 줍니다. 오분류가 하나도 없으면
    (빈 입력) 안내 문구 하나만 있는 그림을 돌려줍니다.

    Parameters
    ----------
    images : array-like, (K, 32, 32, 1), (K, 32, 32) 또는 (K, 28, 28)
        오분류된 이미지.
    y_true, y_pred : array-like, (K,)
        실제와 예측 레이블.
    confidences : array-like, (K,) 또는 확률 (K, 10)
        예측 확신도.
    ncols : int, default 4
        한 줄의 이미지 수.
    pad : int, default 2
        잘라낼 패딩 폭.
    title : str
        전체 제목.

    Returns
    -------
    Figure
        K개의 축을 가진 그림 (K=0이면 안내 문구 축 1개).
    """
    imgs, true, pred, conf = _prepare_prediction_inputs(images, y_true, y_pred, confidences, pad)
    if len(imgs) == 0:
        fig, ax = plt.subplots(figsize=(6, 2))
        ax.text(
            0.5, 0.5, "오분류 사례가 없습니다. 모든 예측이 정확합니다!", ha="center", va="center"
        )
        ax.axis("off")
        ax.set_title(title)
        return fig
    ncols = _check_ncols(ncols)
    titles, colors = _prediction_titles(true, pred, conf)
    return _image_grid(
        imgs, titles, colors, ncols=ncols, suptitle=title, cell=(4.0, 3.0), fontsize=10
    )


# --------------------------------------------------------------------------------------
# 6장: 필터, 특성 맵, 확률
# --------------------------------------------------------------------------------------


@_korean
def plot_filters(weights: Any, title: str = "합성곱 필터", *, cmap: str = "RdBu_r") -> Figure:
    """합성곱 층의 필터(커널) 가중치를 그립니다. (6장 ``06_error_analysis.ipynb``)

    행은 입력 채널, 열은 출력 필터입니다. C1 ``(5, 5, 1, 6)``은 1×6칸,
    C3 ``(5, 5, 6, 16)``은 6×16칸이 됩니다. 색은 0을 가운데(흰색)로 두어 양수는 빨강,
    음수는 파랑으로 보입니다.

    Parameters
    ----------
    weights : array-like, (kh, kw, 입력 채널, 출력 필터)
        Keras ``Conv2D`` 커널 (``errors.layer_filters(model, "C1")``).
    title : str
        전체 제목 (예: ``"C1 필터"``).
    cmap : str, default "RdBu_r"
        색상 지도.

    Returns
    -------
    Figure
        입력 채널 × 출력 필터 개의 축과 색 막대 축 1개를 가진 그림.
    """
    w = _as_array(weights, "weights").astype(np.float64)
    if w.ndim == 3:
        w = w[:, :, None, :]
    if w.ndim != 4:
        raise ValueError(
            "weights는 (높이, 너비, 입력 채널, 출력 필터) 모양의 합성곱 커널이어야 합니다. "
            f"받은 모양: {w.shape}. layer.get_weights()[0]을 넘기세요."
        )
    if w.shape[2] * w.shape[3] > 400:
        raise ValueError(
            f"필터가 너무 많습니다 ({w.shape[2]}×{w.shape[3]}개). "
            "400개 이하인 층(C1, C3)이나 일부 필터만 잘라서 넘기세요."
        )
    if not np.all(np.isfinite(w)):
        raise ValueError("weights에 NaN 또는 무한대 값이 있습니다. 훈련이 발산했는지 확인하세요.")
    n_in, n_out = w.shape[2], w.shape[3]
    limit = float(np.abs(w).max()) or 1.0
    cell = 1.1
    fig, axs = plt.subplots(
        n_in,
        n_out,
        figsize=(max(cell * n_out + 1.5, 4.0), cell * n_in + 0.9),
        squeeze=False,
        layout="constrained",
    )
    image = None
    for i in range(n_in):
        for j in range(n_out):
            ax = axs[i, j]
            image = ax.imshow(w[:, :, i, j], cmap=cmap, vmin=-limit, vmax=limit)
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_title(f"필터 {j + 1}", fontsize=8)
            if j == 0 and n_in > 1:
                ax.set_ylabel(f"입력 {i + 1}", fontsize=8, rotation=0, ha="right", va="center")
    fig.suptitle(title, fontsize=14)
    colorbar = fig.colorbar(image, ax=axs.ravel().tolist(), shrink=0.8)
    colorbar.ax.set_title("가중치", fontsize=9)
    return fig


@_korean
def plot_feature_maps(
    maps: Any,
    title: str = "특성 맵",
    *,
    ncols: int = 8,
    cmap: str = "viridis",
) -> Figure:
    """한 이미지에 대한 층의 출력(특성 맵)을 채널마다 그립니다. (6장 ``06_error_analysis.ipynb``)

    Parameters
    ----------
    maps : array-like, (H, W, C) 또는 (1, H, W, C)
        특성 맵 (``errors.feature_maps(model, x_one)["C1"]``). C1은 (28, 28, 6),
        C3는 (10, 10, 16).
    title : str
        전체 제목 (예: ``"C1 특성 맵"``).
    ncols : int, default 8
        한 줄의 맵 수.
    cmap : str, default "viridis"
        색상 지도.

    Returns
    -------
    Figure
        C개의 축을 가진 그림.
    """
    m = _as_array(maps, "maps")
    if m.ndim == 4 and m.shape[0] == 1:
        m = m[0]
    if m.ndim != 3:
        raise ValueError(
            "maps는 한 이미지의 특성 맵 (높이, 너비, 채널) 모양이어야 합니다. "
            f"받은 모양: {m.shape}. 여러 장이라면 maps[0]처럼 한 장만 넘기세요."
        )
    channels = m.shape[-1]
    if channels > 256:
        raise ValueError(f"채널이 너무 많습니다 ({channels}개). 256개 이하로 잘라서 넘기세요.")
    ncols = _check_ncols(ncols)
    fig, axes = _grid(channels, ncols, (1.8, 1.9))
    for c, ax in enumerate(axes):
        ax.imshow(m[:, :, c], cmap=cmap)
        ax.set_title(f"맵 {c + 1}", fontsize=9)
        ax.axis("off")
    fig.suptitle(title, fontsize=14)
    fig.tight_layout()
    return fig


@_korean
def plot_probability_bars(
    probabilities_row: Any,
    ax: Axes | None = None,
    *,
    true_label: int | None = None,
    title: str | None = None,
) -> Figure:
    """한 예시의 클래스별 예측 확률을 막대그래프로 그립니다. (6장 ``06_error_analysis.ipynb``)

    예측(가장 높은 확률) 막대는 정답이면 녹색, 오답이면 빨강으로, ``true_label``을 주면
    정답 숫자를 녹색 눈금 글자와 "정답" 화살표로 표시합니다 (확률이 0에 가까워도 보이게).

    Parameters
    ----------
    probabilities_row : array-like, (10,) 또는 (1, 10)
        softmax 확률 한 줄.
    ax : Axes, optional
        그릴 축. 없으면 새 그림을 만듭니다.
    true_label : int, optional
        실제 레이블.
    title : str, optional
        제목. 기본값은 ``예측 확률 (예측: p, 실제: t)``.

    Returns
    -------
    Figure
        막대그래프가 그려진 그림.
    """
    p = _as_array(probabilities_row, "probabilities_row").astype(np.float64)
    if p.ndim == 2 and p.shape[0] == 1:
        p = p[0]
    if p.ndim != 1 or p.size < 2:
        raise ValueError(
            "probabilities_row는 한 예시의 확률 (클래스 수,) 모양이어야 합니다. "
            f"받은 모양: {p.shape}. 여러 줄이라면 probabilities[i]를 넘기세요."
        )
    if not np.all(np.isfinite(p)) or p.min() < 0 or abs(p.sum() - 1.0) > 1e-3:
        raise ValueError(
            "probabilities_row는 합이 1인 softmax 확률이어야 합니다. "
            f"받은 합: {p.sum():.4g}, 최솟값: {p.min():.4g}. 로짓이라면 softmax를 먼저 적용하세요."
        )
    k = p.size
    if true_label is not None:
        if isinstance(true_label, bool) or not isinstance(true_label, (int, np.integer)):
            raise ValueError(f"true_label은 정수여야 합니다. 받은 값: {true_label!r}.")
        if not 0 <= true_label < k:
            raise ValueError(f"true_label은 0 ~ {k - 1} 사이여야 합니다. 받은 값: {true_label}.")
    pred = int(np.argmax(p))
    colors = ["#bbbbbb"] * k
    colors[pred] = "green" if true_label is None or pred == true_label else "red"
    own_figure = ax is None
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 4))
    else:
        fig = ax.figure
    ax.bar(np.arange(k), p, color=colors)
    for i, value in enumerate(p):
        if value >= 0.001 or i in (pred, true_label):  # 0.000 같은 잡음 글자는 생략
            label = "<0.1%" if value < 0.001 else f"{value:.2%}"
            ax.text(i, value + 0.02, label, ha="center", va="bottom", fontsize=8)
    ax.set_xticks(np.arange(k))
    if true_label is not None:
        # 정답 확률이 0에 가까우면 막대가 보이지 않으므로 눈금 글자와 화살표로 표시합니다.
        tick = ax.get_xticklabels()[true_label]
        tick.set_color("green")
        tick.set_fontweight("bold")
        ax.annotate(
            "정답",
            xy=(true_label, p[true_label]),
            xytext=(true_label, p[true_label] + 0.3),
            ha="center",
            color="green",
            fontsize=9,
            arrowprops={"arrowstyle": "->", "color": "green"},
        )
    ax.set_ylim(0, 1.12)
    ax.set_xlabel("숫자")
    ax.set_ylabel("확률")
    if title is None:
        title = f"예측 확률 (예측: {pred}" + (
            f", 실제: {true_label})" if true_label is not None else ")"
        )
    ax.set_title(title)
    if own_figure:
        fig.tight_layout()
    return fig
