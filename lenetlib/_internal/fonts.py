"""한글 글꼴(나눔고딕)을 찾아 matplotlib에 등록합니다. (내부용, 모든 장의 그림이 씀)

불러오기만으로는 아무것도 바꾸지 않습니다. :func:`setup_korean_font`를 부를 때 등록합니다.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

#: 나눔고딕이 든 배포판 ``koreanize-matplotlib``의 패키지 이름 (import 하지 않고 위치만 찾음)
BUNDLE_PACKAGE = "koreanize_matplotlib"
#: 번들이 없을 때 찾아볼 시스템 한글 글꼴 (앞쪽이 우선)
SYSTEM_KOREAN_FONTS = (
    "NanumGothic",
    "NanumBarunGothic",
    "Noto Sans CJK KR",
    "Noto Sans KR",
    "Source Han Sans KR",
    "Malgun Gothic",
    "AppleGothic",
    "Apple SD Gothic Neo",
    "UnDotum",
)
#: 한글 글꼴에 없는 글자(예: 유니코드 빼기 기호)를 대신 그릴 글꼴 (matplotlib에 포함)
FALLBACK_FAMILY = "DejaVu Sans"

_state: dict[str, Any] = {"found": None, "warned": False}


class KoreanFontWarning(UserWarning):
    """한글 글꼴을 찾지 못했을 때 내는 경고. (모든 장의 준비 블록)"""


def _has_hangul(path: str | Path) -> bool:
    try:
        font = FT2Font(str(path))
    except (OSError, RuntimeError, ValueError):
        return False
    return all(font.get_char_index(ord(char)) != 0 for char in "가힣")


def _bundled_font_files() -> list[Path]:
    """번들 글꼴 파일 (보통 굵기 먼저). ``find_spec``은 패키지 코드를 실행하지 않습니다."""
    # koreanize_matplotlib는 불러올 때 distutils(Python 3.12에서 제거)를 쓰므로 import 하지 않음
    spec = importlib.util.find_spec(BUNDLE_PACKAGE)
    folders = (spec.submodule_search_locations or []) if spec else []
    files = [path for folder in folders for path in Path(folder).glob("fonts/*.[ot]tf")]
    return sorted(files, key=lambda p: (p.name != "NanumGothic.ttf", p.name))


def _search(
    *, use_bundle: bool = True, candidates: Sequence[str] = SYSTEM_KOREAN_FONTS
) -> tuple[str, Path] | None:
    """번들 글꼴을 모두 등록해 첫 것을, 없으면 시스템 한글 글꼴을 (이름, 경로)로 돌려줍니다."""
    found: list[tuple[str, Path]] = []
    for path in _bundled_font_files() if use_bundle else []:
        if _has_hangul(path):
            font_manager.fontManager.addfont(str(path))  # 굵은 글씨용 파일도 함께 등록
            found.append((font_manager.FontProperties(fname=str(path)).get_name(), path))
    by_name = {(e.name, e.fname) for e in font_manager.fontManager.ttflist}
    found += [(n, Path(f)) for name in candidates for n, f in sorted(by_name) if n == name]
    return next(((n, p) for n, p in found if _has_hangul(p)), None)


def _font(*, warn: bool = True) -> tuple[str, Path] | None:
    """등록한 글꼴. 못 찾았으면 부를 때마다 다시 찾고, 경고는 (``warn``이면) 한 번만 냅니다."""
    if _state["found"] is None:
        importlib.invalidate_caches()  # 방금 pip install 한 번들도 보이게
        _state["found"] = _search()
        if _state["found"] is None and warn and not _state["warned"]:
            _state["warned"] = True
            warnings.warn(
                "한글 글꼴을 찾지 못해 그림의 한글이 네모(□)로 보일 수 있습니다. "
                "`pip install koreanize-matplotlib`으로 나눔고딕을 설치한 뒤 "
                "setup_korean_font()를 다시 부르세요 (커널 재시작은 필요 없습니다). "
                "또는 NanumGothic, Noto Sans CJK KR, Malgun Gothic 중 하나를 시스템에 설치하세요.",
                KoreanFontWarning,
                stacklevel=4,
            )
    return _state["found"]


def setup_korean_font() -> str:
    """한글 글꼴을 등록하고 matplotlib 기본 글꼴로 정해 그 이름을 돌려줍니다. (모든 장)

    ``config.setup()``과 모든 ``plot_*`` 함수가 부릅니다. 두 번째부터는 설정만 다시 적용하므로
    ``sns.set_theme()``이 글꼴을 덮어쓴 뒤 직접 그리는 그림 앞에서 다시 불러도 됩니다.
    음수 눈금이 네모로 깨지지 않게 ``axes.unicode_minus=False``로 둡니다.
    """
    rc: dict[str, Any] = {"axes.unicode_minus": False}
    found = _font()
    if found is not None:
        sans = [f for f in matplotlib.rcParams["font.sans-serif"] if f != found[0]]
        rc |= {"font.family": [found[0], FALLBACK_FAMILY], "font.sans-serif": [found[0], *sans]}
    matplotlib.rcParams.update(rc)
    return korean_font_name()


def use_korean_font() -> str:
    """한글 글꼴을 matplotlib 기본 글꼴로 정하고 그 이름을 돌려줍니다 (강사용 한 줄, 모든 장).

    글꼴만 정합니다: 시드를 바꾸거나 TensorFlow를 불러오지 않습니다 (그 일은 ``config.setup``).
    한글 글꼴이 없으면 경고 대신 무엇을 설치할지 알려 주는 ``RuntimeError``를 냅니다.
    """
    if _font(warn=False) is None:
        raise RuntimeError(
            "한글 글꼴을 찾지 못했습니다 (번들 나눔고딕도, 시스템의 NanumGothic·Noto Sans CJK KR·"
            "Malgun Gothic 등도 없음). 노트북 맨 위 준비 셀을 실행하거나 "
            "`pip install koreanize-matplotlib`으로 나눔고딕을 설치하세요. 시스템 글꼴로는 "
            "Debian·Ubuntu에서 `sudo apt-get install fonts-noto-cjk` (또는 fonts-nanum). "
            "설치한 뒤 use_korean_font()를 다시 부르면 됩니다 (커널 재시작은 필요 없습니다)."
        )
    return setup_korean_font()


def with_korean_font(draw: Callable[..., Any]) -> Callable[..., Any]:
    """그리기 함수 앞에서 한글 글꼴을 등록·적용하는 데코레이터 (두 번째부터는 설정만 다시 적용)."""

    @functools.wraps(draw)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        setup_korean_font()
        return draw(*args, **kwargs)

    return wrapper


def korean_font_name() -> str:
    """쓰는 한글 글꼴 이름 (예: ``"NanumGothic"``, 없으면 ``"DejaVu Sans"``). (모든 장)"""
    return (_font() or (FALLBACK_FAMILY, None))[0]


def korean_font_path() -> Path | None:
    """쓰는 한글 글꼴 파일의 경로 (없으면 ``None``). (모든 장)"""
    return (_font() or (FALLBACK_FAMILY, None))[1]
