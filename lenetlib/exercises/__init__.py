"""연습 문제 스스로 확인하기 (모든 장의 '연습 문제' 절).

각 장 끝의 연습 문제 셀은 ``exercises.check("3-1", answer)``로 답을 확인합니다. 맞으면
"정답입니다", 틀리면 답을 알려 주지 않는 한국어 힌트를 출력합니다. 채점 함수는 장마다
``lenetlib/exercises/chN.py``(부록은 ``chA1.py``)에 있고 ``@exercise("N-k")``로 등록합니다.
채점 함수는 답을 받아 정답이면 ``None``, 아니면 힌트 문자열을 돌려줍니다.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

import numpy as np

from lenetlib._internal.checks import check_choice

__all__ = ["BLANK_MESSAGE", "check", "exercise", "keys", "number_hint", "result"]

Checker = Callable[[Any], "str | None"]
_CHECKERS: dict[str, Checker] = {}
BLANK_MESSAGE = "아직 답이 비어 있습니다. `...` 자리에 답을 넣고 셀을 다시 실행하세요."


def exercise(key: str) -> Callable[[Checker], Checker]:
    """채점 함수를 연습 문제 번호 ``key``("장-번호", 예: "3-1")에 등록하는 데코레이터."""

    def register(checker: Checker) -> Checker:
        _CHECKERS[key] = checker
        return checker

    return register


def keys() -> list[str]:
    """등록된 모든 연습 문제 번호 (장 순서)."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return sorted(_CHECKERS, key=lambda k: [int(p) if p.isdigit() else p for p in k.split("-")])


def result(key: str, answer: Any) -> tuple[bool, str]:
    """답을 채점해 (맞았는지, 한국어 피드백)을 돌려줍니다. 출력은 하지 않습니다."""
    key = check_choice(key, "연습 문제 번호", keys())
    if answer is ... or answer is None:
        return False, BLANK_MESSAGE
    try:
        hint = _CHECKERS[key](answer)
    except (TypeError, ValueError, IndexError, KeyError, AttributeError):
        kind = type(answer).__name__
        hint = f"답의 형태가 예상과 다릅니다 (받은 것: {kind}). 문제에 적힌 형태로 넣으세요."
    if hint is None:
        return True, f"✓ {key} 정답입니다."
    return False, f"✗ {key} 아직 아닙니다. 힌트: {hint}"


def check(key: str, answer: Any) -> None:
    """연습 문제 ``key``의 답을 확인하고 결과를 한국어 한 줄로 출력합니다 (모든 장)."""
    print(result(key, answer)[1])


def number_hint(
    answer: Any, expected: float, *, tolerance: float = 0.0, hint: str = ""
) -> str | None:
    """수 하나를 비교하는 채점 도우미: 맞으면 ``None``, 아니면 크다/작다와 ``hint``."""
    value = float(np.asarray(answer, dtype=float).item())
    if abs(value - expected) <= tolerance:
        return None
    direction = "너무 큽니다" if value > expected else "너무 작습니다"
    return f"{direction}. {hint}".strip()
