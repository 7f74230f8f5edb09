"""연습 문제 스스로 확인하기 (모든 장의 '연습 문제' 절).

각 장 끝의 연습 문제 셀은 ``exercises.check("3-1", answer)``로 답을 확인합니다. 맞으면
"정답입니다", 틀리면 답을 알려 주지 않는 한국어 힌트를 출력합니다. 채점 함수는 장마다
``lenetlib/exercises/chN.py``(부록은 ``chA1.py``)에 있고 ``@exercise("N-k")``로 등록합니다.
채점 함수는 답을 받아 정답이면 ``None``, 아니면 힌트 문자열을 돌려줍니다.
"""

from __future__ import annotations

import importlib
import math
import numbers as _numbers
import pkgutil
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from lenetlib import data
from lenetlib._internal.checks import check_choice
from lenetlib.data import DataError

__all__ = ["BLANK_MESSAGE", "AnswerError", "check", "exercise", "keys", "mnist", "number",
           "number_hint", "numbers", "result"]  # fmt: skip

Checker = Callable[[Any], "str | None"]
_CHECKERS: dict[str, Checker] = {}
BLANK_MESSAGE = "아직 답이 비어 있습니다. `...` 자리에 답을 넣고 셀을 다시 실행하세요."


def exercise(key: str) -> Callable[[Checker], Checker]:
    """채점 함수를 연습 문제 번호 ``key``("장-번호", 예: "3-1")에 등록하는 데코레이터."""

    def register(checker: Checker) -> Checker:
        _CHECKERS[key] = checker
        return checker

    return register


@cache
def mnist() -> data.MnistArrays:
    """채점에 쓰는 기본 위치의 MNIST (``data.load_mnist()``, 한 번만 읽음)."""
    return data.load_mnist()


def keys() -> list[str]:
    """등록된 모든 연습 문제 번호 (장 순서, 부록의 "A1-1" 등은 본문 뒤)."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return sorted(
        _CHECKERS, key=lambda k: [(0, int(p)) if p.isdigit() else (1, p) for p in k.split("-")]
    )


def result(key: str, answer: Any) -> tuple[bool, str]:
    """답을 채점해 (맞았는지, 한국어 피드백)을 돌려줍니다. 출력은 하지 않습니다."""
    key = check_choice(key, "연습 문제 번호", keys())
    if answer is ... or answer is None:
        return False, BLANK_MESSAGE
    try:
        hint = _CHECKERS[key](answer)
    except DataError as exc:  # 답이 아니라 채점에 쓰는 MNIST가 문제: 받는 방법까지 알려 줌
        return False, f"⚠ {key} 채점하지 못했습니다: 채점에 쓰는 MNIST 데이터가 없습니다. {exc}"
    except AnswerError as exc:  # 채점 함수가 알아챈 답의 형태 문제: 그 한국어 안내를 그대로
        hint = str(exc)
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
    value = number(answer)
    if abs(value - expected) <= tolerance:
        return None
    direction = "너무 큽니다" if value > expected else "너무 작습니다"
    return f"{direction}. {hint}".strip()


class AnswerError(ValueError):
    """답의 형태가 틀렸음: 채점 함수가 raise하면 메시지가 그대로 힌트가 됩니다."""


def _one(value: Any, integer: bool) -> float:
    """답 속의 수 하나: bool·문자열·복소수·NaN·무한대·너무 큰 수, 정수 자리의 소수는 거절."""
    if isinstance(value, complex | np.complexfloating):
        raise AnswerError(f"복소수 {value}는 답이 될 수 없습니다. 실수로 넣으세요.")
    if isinstance(value, str):
        raise AnswerError(f"따옴표 없이 수로 넣으세요. 받은 문자열: {value!r:.30}")
    if not isinstance(value, _numbers.Real) or isinstance(value, bool | np.bool_):
        raise AnswerError(f"수를 넣으세요. 받은 형식: {type(value).__name__}")
    try:
        finite = math.isfinite(float(value))
    except OverflowError:
        raise AnswerError(f"수가 너무 큽니다 ({len(str(value))}자리). 계산을 확인하세요.") from None
    if not finite:
        raise AnswerError(
            f"답이 {value}입니다 (NaN이나 무한대). 0으로 나누거나 빈 배열의 평균을 구하지 "
            "않았는지 계산을 확인하세요."
        )
    if integer and float(value) != round(float(value)):
        raise AnswerError(f"정수로 넣으세요. 받은 값: {value} (번호와 개수에는 소수점이 없습니다).")
    return int(value) if integer else float(value)


def numbers(answer: Any, count: int | None = 1, what: str = "답", *, integer: bool = False) -> list:
    """답에서 수 ``count``개(``None``이면 몇 개든)를 꺼냅니다. 형태가 틀리면 :class:`AnswerError`.

    ``int()``처럼 자르지 않습니다: 정수 자리(``integer=True``)에 14.9가 오면 맞다고 하지 않고
    정수로 넣으라고 알려 줍니다.
    """
    array = isinstance(answer, np.ndarray)  # 배열은 그대로 (큰 배열도 파이썬 객체로 풀지 않음)
    values = answer.ravel() if array else np.asarray(answer, dtype=object).ravel()
    if count is not None and values.size != count:
        example = "(" + ", ".join("abc"[:count] if count <= 3 else "ab…") + ")"
        amount = "수 하나를" if count == 1 else f"수 {count}개를 {example}처럼 괄호로 묶어"
        raise AnswerError(f"{what}: {amount} 넣으세요 (받은 수 {values.size}개).")
    return [_one(value, integer) for value in values]


def number(answer: Any, *, integer: bool = False) -> float:
    """수 하나짜리 답 (:func:`numbers`의 규칙)."""
    return numbers(answer, 1, integer=integer)[0]
