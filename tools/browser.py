"""진짜 브라우저로 각 장 실행 (이슈 #11, ``make test-browser``).

`make lab`과 같은 방법으로 프로젝트의 JupyterLab을 띄우고(자기 포트, 토큰), 헤드리스
Chromium(데비안의 ``chromium``)을 Playwright로 움직여 각 장을 열고 "Run All Cells"를 누릅니다.
모든 코드 셀에 실행 번호가 붙으면 확인합니다:

- 오류 출력도 stderr 출력도 없음,
- 저장된 노트북의 그림 출력(image/png) 수 = 화면에 실제로 그려진(불러와져 폭이 있는) 이미지 수,
- 제목의 한글이 한글 글꼴로 그려짐 (Chromium이 실제로 쓴 글꼴을 CDP로 물어봄),
- 8장: 캔버스에 마우스로 획을 그으면 예측이 나타남.

JupyterLab은 저장하면서 파일을 바꾸므로 빠른 매개변수를 넣은 사본(build/browser/lab)을 엽니다.
장마다 스크린숏 하나를 build/browser/NN_이름.png에 저장합니다.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import time
import uuid
from contextlib import suppress
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

from tools.chromium import draws_korean, launch, platform_fonts
from tools.labserver import ROOT, api, running_lab
from tools.nbtools import exit_code, fast_parameters, prepare

OUT = ROOT / "build" / "browser"
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
STDERR = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"


def _run_all(page, name: str, timeout_s: float) -> None:
    """장을 열고 Run → Run All Cells, 모든 코드 셀에 [n]이 붙을 때까지 기다립니다."""
    page.goto(page.url.split("/lab")[0] + f"/lab/tree/{name}")
    page.wait_for_selector(f"{PANEL} .jp-Notebook", timeout=60_000)
    with suppress(PlaywrightTimeout):  # 커널을 묻는 창이 뜨면 기본값(프로젝트의 python3)을 고름
        page.click(".jp-Dialog .jp-mod-accept", timeout=10_000)
    page.wait_for_selector(f"{PANEL} .jp-Notebook-ExecutionIndicator[data-status='idle']",
                           timeout=120_000)  # fmt: skip
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        prompts = page.eval_on_selector_all(
            f"{PANEL} .jp-CodeCell .jp-InputPrompt", "els => els.map(e => e.textContent.trim())"
        )
        if prompts and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts):
            return
        if "[*]:" not in prompts and page.locator(f"{PANEL} {STDERR}").count():
            return  # 오류로 멈춤: 남은 셀은 실행되지 않으므로 기다리지 않고 오류를 보고
        time.sleep(2)
    raise TimeoutError(f"{name}: {timeout_s:.0f}초 안에 모든 셀이 끝나지 않았습니다")


def _saved_image_count(page, base: str, token: str, name: str) -> int:
    page.keyboard.press("Control+s")
    time.sleep(2)
    nb = api(base, token, f"/api/contents/{name}")["content"]
    return sum(
        "image/png" in output.get("data", {})
        for cell in nb["cells"]
        for output in cell.get("outputs", [])
    )


def _draw_digit(page) -> str:
    """8장 캔버스에 '1'과 비슷한 획을 마우스로 긋고, 나타난 예측 문장을 돌려줍니다."""
    canvas = page.locator(f"{PANEL} canvas.lenet-canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, top, bottom = (
        box["x"] + box["width"] * 0.5,
        box["y"] + box["height"] * 0.2,
        box["y"] + box["height"] * 0.8,
    )
    page.mouse.move(x, top)
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(x, top + (bottom - top) * step / 20)
    page.mouse.up()
    prediction = page.locator(f"{PANEL} .lenet-prediction").first
    prediction.wait_for(timeout=60_000)
    page.wait_for_function(
        "el => /예측/.test(el.textContent)", arg=prediction.element_handle(), timeout=60_000
    )
    text = prediction.text_content().strip()
    if not re.fullmatch(r"예측: \d \((>99\.9|\d{1,2}\.\d)%\)", text):
        raise AssertionError(f"캔버스 예측 문장의 모양이 다릅니다: {text!r}")
    page.screenshot(path=str(OUT / "08_handwriting_canvas.png"))  # 그린 획과 예측
    page.locator(f"{PANEL} .lenet-clear").first.click()
    page.wait_for_function("el => el.textContent.trim() === ''", arg=prediction.element_handle())
    return text


def check_chapter(page, base: str, token: str, name: str, timeout_s: float) -> list[str]:
    """장 하나를 브라우저로 실행하고 문제 목록을 돌려줍니다 (비었으면 통과)."""
    _run_all(page, name, timeout_s)
    problems = []
    errors = page.locator(
        f"{PANEL} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
    )
    if errors.count():
        problems.append(
            f"오류·stderr 출력 {errors.count()}개: {errors.first.text_content()[:300]!r}"
        )
    shown = page.eval_on_selector_all(
        f"{PANEL} .jp-OutputArea-output img",
        "els => els.filter(e => e.complete && e.naturalWidth > 0).length",
    )
    saved = _saved_image_count(page, base, token, name)
    if shown != saved:
        problems.append(f"그림 출력 {saved}개 중 화면에 그려진 이미지 {shown}개")
    fonts = platform_fonts(page, f"{PANEL} .jp-RenderedMarkdown h1")
    if not draws_korean(fonts):
        problems.append(f"제목의 한글이 한글 글꼴로 그려지지 않았습니다 (쓴 글꼴: {fonts})")
    if name.startswith("08_"):
        text = _draw_digit(page)
        print(f"   캔버스 예측: {text}")
    first_image = page.locator(f"{PANEL} .jp-OutputArea-output img").first
    if first_image.count():
        first_image.scroll_into_view_if_needed()
    page.screenshot(path=str(OUT / f"{Path(name).stem}.png"))
    _close_sessions(base, token)
    return problems


def _close_sessions(base: str, token: str) -> None:
    """다음 장 전에 커널을 끕니다. 검사 대상이 아닌 정리라, 서버가 늦게 답하면 알리고 넘어갑니다
    (바쁜 CI에서 커널 종료 요청이 시간을 넘긴 적이 있음; 서버는 끝에 통째로 멈춤)."""
    try:
        for session in api(base, token, "/api/sessions"):
            api(base, token, f"/api/sessions/{session['id']}", "DELETE", timeout=60)
    except OSError as exc:  # TimeoutError, URLError
        print(f"   참고: 커널 종료 요청이 끝나지 않아({exc}) 그대로 두고 넘어갑니다")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.browser")
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=float, default=900, help="장 하나의 최대 실행 시간(초)")
    args = parser.parse_args(argv)

    lab_dir = OUT / "lab"
    shutil.rmtree(OUT, ignore_errors=True)
    prepare(sorted(args.notebooks), lab_dir, fast_parameters(lab_dir))
    token = uuid.uuid4().hex
    failures, timings = [], {}
    with running_lab(token, str(lab_dir)) as base, sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page.goto(f"{base}/lab?token={token}")
        page.wait_for_selector(".jp-LabShell", timeout=120_000)
        for notebook in sorted(args.notebooks):
            start = time.perf_counter()
            try:
                problems = check_chapter(page, base, token, notebook.name, args.timeout)
            except Exception as error:  # 한 장이 멈춰도 나머지 장은 계속 확인
                problems = [f"{type(error).__name__}: {error}"]
                page.screenshot(path=str(OUT / f"{notebook.stem}_실패.png"))
            timings[notebook.name] = round(time.perf_counter() - start)
            verdict = "통과" if not problems else "실패: " + "; ".join(problems)
            print(f"   {notebook.name}: {timings[notebook.name]}초, {verdict}", flush=True)
            failures += [f"{notebook.name}: {p}" for p in problems]
        browser.close()
    (OUT / "timings.json").write_text(json.dumps(timings, ensure_ascii=False, indent=1))
    print(f"스크린숏: {sorted(p.name for p in OUT.glob('*.png'))}")
    return exit_code(failures)


if __name__ == "__main__":
    raise SystemExit(main())
