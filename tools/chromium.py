"""헤드리스 Chromium 도우미: make test-browser(tools/browser.py)와 make test-book이 함께 씁니다.

데비안의 ``chromium``을 Playwright로 띄우고, 어떤 요소의 글자를 Chromium이 실제로 어떤 글꼴로
그렸는지 CDP(``CSS.getPlatformFontsForNode``)로 물어봅니다.
"""

from __future__ import annotations

import re
import shutil

#: 한글을 그릴 수 있는 글꼴 이름 (Noto CJK, 나눔, 맑은 고딕, Apple SD Gothic, 은, 백묵)
KOREAN_FONT = re.compile(r"CJK|Noto Sans KR|Nanum|Gothic|Malgun|Un |Baekmuk", re.I)


def launch(playwright):
    """시스템의 chromium(데비안 패키지)으로 헤드리스 브라우저를 띄웁니다."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        raise SystemExit("chromium이 없습니다: apt-get install chromium (make test-browser가 설치)")
    return playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])


def platform_fonts(page, selector: str) -> list[str]:
    """``selector``에 맞는 첫 요소의 글자를 Chromium이 실제로 그린 글꼴 이름들 (없으면 빈 목록)."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        if not node:
            return []
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        return [f["familyName"] for f in fonts]
    finally:
        cdp.detach()


def draws_korean(fonts: list[str]) -> bool:
    """글꼴 이름 목록에 한글 글꼴이 있는지."""
    return any(KOREAN_FONT.search(f) for f in fonts)
