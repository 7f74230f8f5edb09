"""``make test-book``: 만든 책을 헤드리스 Chromium으로 모든 쪽 열어 봅니다 (인터넷을 막은 채로).

책 폴더를 이 컴퓨터 안의 작은 HTTP 서버(127.0.0.1)로 내보내고, 브라우저가 그 밖으로 보내는 요청은
모두 막고 셉니다(글꼴, 스크립트, 수식이 모두 책 안에 있어야 함). 쪽마다 확인하는 것:

- 콘솔 오류와 페이지 스크립트 오류가 없고, 책 안의 파일 요청이 모두 성공(400 미만),
- 모든 그림(img)이 불러와짐 (naturalWidth > 0),
- 제목(h1)의 한글이 한글 글꼴로 그려짐 (Chromium이 실제로 쓴 글꼴을 CDP로 물어봄),
- 책 안을 가리키는 링크(#조각 포함)가 모두 있는 파일과 id를 가리킴.

그리고 검색 쪽에서 "과대적합"을 찾으면 4장이 나오는지 보고, 세 쪽의 스크린숏을 남깁니다:
``build/book-shots/1_home.png``(첫 쪽과 차례), ``2_chapter4.png``(4장의 첫 그림),
``3_search.png``(검색 결과).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tools.book.korean_search import split
from tools.chromium import draws_korean, launch, platform_fonts

#: 검색 검사: 이 말을 찾으면 이 쪽이 결과에 있어야 함
SEARCH_WORD, SEARCH_PAGE = "과대적합", "notebooks/04_training.html"
#: 스크린숏을 찍는 쪽 (이름, 쪽, 보여 줄 요소)
SHOTS = (
    ("1_home.png", "index.html", None),
    ("2_chapter4.png", "notebooks/04_training.html", "article img"),
)
_PAGE_FACTS = """async () => {
  for (const img of document.images) img.loading = "eager";
  await Promise.all([...document.images].map((img) => img.complete ? null :
    new Promise((done) => { img.addEventListener("load", done); img.addEventListener("error", done);
                            setTimeout(done, 10000); })));
  return {
    images: [...document.images].map((img) => ({src: img.currentSrc || img.src,
                                                width: img.naturalWidth})),
    links: [...document.querySelectorAll("a[href]")].map((a) => a.href),
    ids: [...document.querySelectorAll("[id]")].map((e) => e.id)
      .concat([...document.querySelectorAll("a[name]")].map((a) => a.name)),
    h1: (document.querySelector("article h1") || {textContent: ""}).textContent,
    text: (document.querySelector("article") || {innerText: ""}).innerText,
  };
}"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def serving(site: Path):
    """``site`` 폴더를 127.0.0.1의 빈 포트로 내보냅니다. 주소를 줍니다."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def pages(site: Path) -> list[str]:
    """책의 모든 HTML 쪽 (사이트 안 경로)."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if "_static" not in p.parts)  # fmt: skip


def mentions(text: str, word: str) -> bool:
    """본문에 ``word``가 낱말로, 또는 조사·어미가 붙은 어절로 나오는지 (예: "과대적합이")."""
    return word in split(text)


def broken_links(site: Path, base: str, links: dict[str, list[str]], ids: dict[str, set[str]]):
    """책 안을 가리키는데 파일이나 #조각이 없는 링크들: (쪽, 링크)."""
    broken = []
    for page, hrefs in links.items():
        for href in sorted(set(hrefs)):
            if not href.startswith(base + "/"):
                continue  # 책 밖 (저장소, Colab 등): 오프라인 검사에서는 확인하지 않음
            parts = urlsplit(href)
            path = unquote(parts.path).lstrip("/") or "index.html"
            if path.endswith("/"):
                path += "index.html"
            anchor = unquote(parts.fragment)
            missing_anchor = bool(anchor) and path in ids and anchor not in ids[path]
            if not (site / path).is_file() or missing_anchor:
                broken.append((page, href))
    return broken


def _search(page, base: str) -> set[str]:
    """검색 쪽에서 ``SEARCH_WORD``를 찾아 결과 쪽들 (사이트 안 경로)."""
    page.goto(f"{base}/search.html?q={SEARCH_WORD}")
    page.wait_for_function(  # searchtools.js가 끝나면 제목을 "검색 결과"로 바꿈
        "() => typeof Search !== 'undefined' && Search.title &&"
        " Search.title.textContent.startsWith(Documentation.gettext('Search Results'))",
        timeout=30_000,
    )
    hrefs = page.eval_on_selector_all(
        "#search-results ul.search li a", "els => els.map(a => a.href)"
    )
    return {href.split("#")[0].split("?")[0].removeprefix(base + "/") for href in hrefs}


def _page_problems(page, name: str, facts: dict, errors: list[str]) -> list[str]:
    """쪽 하나의 문제들: 오류, 불러오지 못한 그림, 한글 글꼴이 아닌 제목."""
    problems = [f"오류: {e[:200]}" for e in errors]
    problems += [f"그림을 불러오지 못함: {i['src']}" for i in facts["images"] if not i["width"]]
    if any("가" <= ch <= "힣" for ch in facts["h1"]):
        fonts = platform_fonts(page, "article h1")  # 인쇄용 숨은 h1 말고 본문의 것
        if not draws_korean(fonts):
            problems.append(f"제목의 한글이 한글 글꼴로 그려지지 않음 (쓴 글꼴: {fonts})")
    elif name not in ("genindex.html", "search.html"):
        problems.append(f"한글 제목(h1)이 없음: {facts['h1']!r}")
    return problems


def check(site: Path, shots: Path) -> int:
    """책 폴더 ``site``를 검사합니다. 종료 코드 (0: 통과)."""
    from playwright.sync_api import sync_playwright

    if not (site / "index.html").is_file():
        print(f"책이 없습니다: {site}/index.html. "
              "먼저 `make book`(또는 `make book-fast`)을 실행하세요.", file=sys.stderr)  # fmt: skip
        return 1
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    names = pages(site)
    failures: list[str] = []
    outside: list[str] = []  # 막은 인터넷 요청
    errors: list[str] = []  # 지금 쪽의 콘솔·스크립트 오류와 실패한 요청
    links: dict[str, list[str]] = {}
    ids: dict[str, set[str]] = {}
    expected = {SEARCH_PAGE}  # 검색 결과에 있어야 할 쪽: 4장 + 본문에 검색어가 나오는 쪽
    image_count = 0
    with serving(site) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(viewport={"width": 1280, "height": 900})

        def only_local(route) -> None:  # 인터넷 없음: 이 컴퓨터 밖으로 가는 요청은 막고 셈
            if route.request.url.startswith((base + "/", "data:")):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", only_local)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(f"스크립트 오류: {e}"))
        page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))
        for name in names:
            errors.clear()
            page.goto(f"{base}/{name}", wait_until="load")
            facts = page.evaluate(_PAGE_FACTS)
            page.wait_for_timeout(100)  # 늦게 찍히는 콘솔 오류까지
            links[name], ids[name] = facts["links"], set(facts["ids"])
            image_count += len(facts["images"])
            if name != "search.html" and mentions(facts["text"], SEARCH_WORD):
                expected.add(name)
            failures += [f"{name}: {p}" for p in _page_problems(page, name, facts, errors)]
        for page_name, href in broken_links(site, base, links, ids):
            failures.append(f"{page_name}: 깨진 링크 {href}")
        for shot, name, selector in SHOTS:
            page.goto(f"{base}/{name}")
            if selector and page.locator(selector).count():
                page.locator(selector).first.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / shot))
        errors.clear()
        found = _search(page, base)
        page.screenshot(path=str(shots / "3_search.png"))
        failures += [f"search.html: 오류: {e[:200]}" for e in errors]
        failures += [f"'{SEARCH_WORD}' 검색 결과에 {name}이(가) 없음 (결과: {sorted(found)})"
                     for name in sorted(expected - found)]  # fmt: skip
        browser.close()
    if outside:
        failures.append(f"인터넷으로 간 요청 {len(outside)}개 (막음): {sorted(set(outside))[:10]}")
    link_count = sum(map(len, links.values()))
    print(f"== 책 검사: {len(names)}쪽, 그림 {image_count}개, 링크 {link_count}개, "
          f"'{SEARCH_WORD}' 검색 결과 {len(found)}쪽(있어야 할 쪽 {len(expected)}), "
          f"인터넷 요청 {len(outside)}개")  # fmt: skip
    print(f"   스크린숏: {', '.join(sorted(p.name for p in shots.glob('*.png')))} ({shots})")
    for failure in failures:
        print("실패:", failure, file=sys.stderr)
    print("== 책 검사 통과" if not failures else f"== 책 검사 실패 {len(failures)}건")
    return 1 if failures else 0
