"""연습 문제 채점 (이슈 #12): 모든 채점이 풀이의 답에 통과하고, 빈 답과 흔한 오답에 실패합니다.

장별 사례(풀이의 답, 흔한 오답)는 tests/exercise_cases_*.py의 ``CASES``에 있습니다.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest

from lenetlib import exercises

ROOT = Path(__file__).resolve().parent.parent
CASES: dict[str, tuple[object, object]] = {}
for _path in sorted((ROOT / "tests").glob("exercise_cases_*.py")):
    CASES.update(importlib.import_module(f"tests.{_path.stem}").CASES)


def _check_keys(path: Path) -> list[str]:
    """노트북의 코드 셀에서 ``exercises.check("k", ...)``로 부르는 번호들."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    return re.findall(r"exercises\.check\(\s*[\"']([^\"']+)[\"']", code)


def test_every_registered_exercise_has_cases_and_every_case_is_registered():
    assert exercises.keys(), "등록된 연습 문제가 없습니다"
    assert sorted(CASES) == exercises.keys()


@pytest.mark.parametrize("key", sorted(CASES))
def test_solution_passes(key):
    ok, message = exercises.result(key, CASES[key][0])
    assert ok, message
    assert "정답" in message


@pytest.mark.parametrize("key", sorted(CASES))
def test_blank_fails_with_korean_prompt(key):
    assert exercises.result(key, ...) == (False, exercises.BLANK_MESSAGE)
    assert exercises.result(key, None)[0] is False


@pytest.mark.parametrize("key", sorted(CASES))
def test_typical_wrong_answer_fails_with_a_hint_that_does_not_give_the_answer(key):
    solution, wrong = CASES[key]
    ok, message = exercises.result(key, wrong)
    assert not ok
    assert message.startswith(f"✗ {key} 아직 아닙니다. 힌트: ") and len(message) > 25
    if isinstance(solution, int | float | str) and not isinstance(solution, bool):
        assert not re.search(rf"(?<![\d.]){re.escape(str(solution))}(?![\d.])", message)


def test_every_exercise_is_asked_in_its_chapter_and_answered_in_its_solution():
    chapters = sorted((ROOT / "notebooks").glob("*.ipynb"))
    asked = {k for p in chapters for k in _check_keys(p)}
    answered = {k for p in sorted((ROOT / "solutions").glob("*.ipynb")) for k in _check_keys(p)}
    assert asked == set(exercises.keys()), "장의 check 호출과 등록된 번호가 다릅니다"
    assert answered == set(exercises.keys()), "solutions/의 check 호출과 등록된 번호가 다릅니다"


def test_unknown_key_is_a_korean_error():
    with pytest.raises(ValueError, match="연습 문제 번호"):
        exercises.result("99-9", 1)


def test_check_prints_one_line(capsys):
    exercises.check(exercises.keys()[0], ...)
    assert capsys.readouterr().out == exercises.BLANK_MESSAGE + "\n"


@pytest.mark.parametrize("key", sorted(CASES))
def test_answer_of_the_wrong_form_gets_a_korean_hint_not_a_python_error(key):
    for odd in (object(), "문자열", [[1, 2], [3]]):
        ok, message = exercises.result(key, odd)
        assert not ok, f"{key}: {odd!r}"
        assert not re.search(r"[A-Za-z]{3,} object|not iterable|Traceback", message), message
