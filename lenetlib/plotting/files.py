"""그림을 슬라이드용 파일로: SVG·PDF, 또는 200 dpi 이상의 PNG. (모든 장)"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from lenetlib._internal import atomic
from lenetlib._internal.checks import check_int, check_type
from lenetlib._internal.korean import topic

#: 저장할 수 있는 확장자 → matplotlib 형식
FIGURE_FORMATS = {".svg": "svg", ".pdf": "pdf", ".png": "png"}
#: 슬라이드에 쓸 수 있는 최소 해상도 (SVG·PDF 안에 든 이미지 칸도 이 해상도로 들어감)
MIN_DPI = 200


def _figure_target(path: Any) -> Path:
    """저장할 경로를 확인합니다: 문자열·Path, 아는 확장자, 폴더가 아닌 자리."""
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise ValueError(
            f"{topic('path')} 파일 경로(str 또는 Path)여야 합니다. 받은 값: {path!r}. "
            '예: save_figure(fig, "loss.svg")'
        )
    target = Path(path)
    if target.suffix.lower() not in FIGURE_FORMATS:
        raise ValueError(
            f"그림 파일의 확장자는 .svg, .pdf, .png 중 하나여야 합니다. 받은 경로: '{target}'. "
            '슬라이드에는 확대해도 깨지지 않는 .svg나 .pdf를 권합니다. 예: "loss.svg"'
        )
    if target.is_dir():
        raise ValueError(
            f"'{target}'은(는) 폴더입니다. 폴더 안의 파일 이름까지 적으세요. "
            f'예: "{target / "loss.svg"}"'
        )
    return target


def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: int = MIN_DPI) -> Path:
    """그림을 슬라이드용 .svg, .pdf, .png(``dpi`` 200 이상)로 저장하고 경로를 돌려줍니다. (모든 장)

    형식은 확장자로 정합니다. 임시 파일에 다 쓴 뒤 바꿔 넣으므로 반쯤 쓴 파일이 남지 않고,
    잘못된 경로·확장자·해상도는 그리기 전에 한국어 ``ValueError``로 알립니다.
    예: ``plotting.save_figure(plotting.plot_history(history), "loss.svg")``
    """
    fix = "plotting.plot_*()가 돌려준 그림이나 plt.subplots()의 fig를 넘기세요."
    check_type(fig, Figure, "fig", "matplotlib Figure", fix)
    target = _figure_target(path)
    dpi = check_int(dpi, "dpi", minimum=MIN_DPI, example=MIN_DPI)
    try:  # 폴더를 만들고 임시 파일을 연 뒤에야 그립니다 (쓸 수 없으면 그리기 전에 멈춤)
        with atomic.atomic_path(target) as tmp:
            fig.savefig(tmp, format=FIGURE_FORMATS[target.suffix.lower()], dpi=dpi)
    except OSError as exc:
        raise ValueError(
            f"그림을 '{target}'에 저장하지 못했습니다 ({type(exc).__name__}: {exc}). 폴더를 "
            "쓸 수 있는지, 같은 이름의 파일이 폴더 자리를 차지하지 않는지 확인하거나 다른 경로를 "
            "지정하세요. 원래 있던 파일은 바뀌지 않았습니다."
        ) from exc
    return target
