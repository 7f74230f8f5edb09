"""모든 장의 그림. ``plot_*``는 ``Figure``를 돌려주고 ``plt.show()``를 부르지 않습니다.

그리는 것별 모듈: ``images`` (숫자·필터·특성 맵의 격자), ``charts`` (막대·곡선·혼동 행렬),
``files`` (슬라이드용 파일 ``save_figure``). 3장의 구조 그림은 모델 옆 :mod:`lenetlib.model`에
있고 여기서도 같은 이름으로 부릅니다 (처음 부를 때 TensorFlow를 불러옴).

불러오기만으로는 matplotlib 설정을 바꾸지 않고, 그릴 때 한글 글꼴을 등록합니다.
강사가 직접 그리는 그림에는 ``plotting.use_korean_font()`` 한 줄이면 한글이 보입니다.
"""

from __future__ import annotations

from typing import Any

from lenetlib._internal.fonts import (
    KoreanFontWarning,
    korean_font_name,
    korean_font_path,
    setup_korean_font,
    use_korean_font,
)
from lenetlib.plotting.charts import (
    plot_class_distribution,
    plot_confusion_matrices,
    plot_confusion_matrix,
    plot_history,
    plot_probability_bars,
)
from lenetlib.plotting.files import save_figure
from lenetlib.plotting.images import (
    plot_confident_errors,
    plot_feature_maps,
    plot_filters,
    plot_predictions,
    plot_preprocessed,
    plot_samples,
)

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
    "save_figure",
    "setup_korean_font",
    "use_korean_font",
]


def __getattr__(name: str) -> Any:
    """``__all__``에 있지만 여기 없는 이름(3장의 구조 그림 넷)은 처음 부를 때 ``lenetlib.model``에서
    가져옵니다: ``import lenetlib.plotting``만으로는 TensorFlow를 불러오지 않도록."""
    if name in __all__:
        from lenetlib import model

        return getattr(model, name)
    raise AttributeError(f"module 'lenetlib.plotting' has no attribute {name!r}")
