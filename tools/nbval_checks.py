"""nbval 플러그인: 셀 출력에 Traceback, "Glyph ... missing", 영어 파이썬 경고가 있으면 실패.

``pytest -p tools.nbval_checks --nbval-lax build/nbtest``로 불러옵니다. nbval은 예외가 난
셀만 실패시키므로, 경고로만 찍히는 한글 글꼴 문제(네모 상자)를 여기서 잡습니다.
"""

from __future__ import annotations

import pytest

from tools.nbtools import problems


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    outcome = yield
    outputs = getattr(item, "test_outputs", None)
    if outcome.excinfo is not None or not outputs:
        return
    found = problems(outputs)
    if any(found.values()):
        text = "\n".join(str(o.get("text", o.get("data", ""))) for o in outputs)[:3000]
        pytest.fail(
            f"셀 출력에 문제가 있습니다 (Traceback {found['traceback']}개, "
            f"글꼴 경고 {found['glyph']}개, 영어 경고 {found['warning']}개):\n{text}",
            pytrace=False,
        )
