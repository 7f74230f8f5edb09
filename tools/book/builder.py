"""책 만들기 (``make book``): 실행된 장으로 원본 폴더를 꾸리고 Sphinx(MyST-NB)로 정적 HTML로.

Jupyter Book 1의 엔진(Sphinx + MyST-NB + sphinx-book-theme)을 직접 씁니다. 설정 파일(conf.py)
없이 :func:`sphinx_config`가 설정 전부를 만들고, :func:`toc`가 차례(장 1~8, 부록, 풀이, 참고 자료)를
정합니다. 노트북은 다시 실행하지 않습니다(``nb_execution_mode = "off"``).

원본 폴더(``build/book-src``)는 저장소와 같은 모양(notebooks/, solutions/, docs/)이라 노트북과
문서 속의 상대 링크(``../notebooks/04_training.ipynb``)가 그대로 책의 쪽 링크가 됩니다. 바뀐
파일만 다시 쓰므로 두 번째 ``make book``은 바뀐 쪽만 다시 읽습니다.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import shutil
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from tools.nbtools import FAST_PARAMETERS, dumps, repository

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
TITLE = "LeNet-5로 배우는 MNIST 손글씨 숫자 분류"
#: 책에 함께 싣는 문서 (저장소 안 경로, 차례의 "참고 자료" 순서)
DOCS = ("docs/glossary.md", "docs/api.md")
PAPER_PAGE = "paper"
BADGE = re.compile(r"\[!\[Colab에서 열기\]\([^)]*\)\]\(([^)\s]+)\)")
#: 책의 글꼴: 그림(matplotlib)과 같은 나눔고딕 (koreanize-matplotlib 패키지의 것, 쓰는 글자만 남김)
FONTS = {"NanumGothic.ttf": "NanumGothic.woff", "NanumGothicBold.ttf": "NanumGothicBold.woff"}


@dataclass(frozen=True)
class Part:
    """차례의 한 부분: 제목과 쪽들 (원본 폴더 안 경로, 확장자 없이)."""

    caption: str
    pages: tuple[str, ...]


def toc(chapters: list[str], solutions: list[str]) -> list[Part]:
    """차례: 본문(장 번호 순), 부록, 연습 문제 풀이, 참고 자료(용어집, API, 논문 재현 표).

    ``chapters``와 ``solutions``: 노트북 파일 이름 (예: ``04_training.ipynb``, 순서는 상관없음).
    """
    stems = sorted(Path(c).stem for c in chapters)
    main = [s for s in stems if s[:2].isdigit()]
    appendix = [s for s in stems if not s[:2].isdigit()]
    parts = [
        Part("본문", tuple(f"notebooks/{s}" for s in main)),
        Part("부록", tuple(f"notebooks/{s}" for s in appendix)),
        Part("연습 문제 풀이", tuple(f"solutions/{Path(s).stem}" for s in sorted(solutions))),
        Part("참고 자료", (*(d.removesuffix(".md") for d in DOCS), PAPER_PAGE)),
    ]
    return [p for p in parts if p.pages]


# ---------------------------------------------------------------------------
# 실행 정보: 책이 어떤 매개변수로 실행된 결과인지 (papermill이 노트북에 적어 둔 값)
# ---------------------------------------------------------------------------


def executed_parameters(nb: dict) -> dict[str, Any] | None:
    """papermill이 실행한 노트북이면 넣은 매개변수, 아니면 None."""
    meta = nb.get("metadata", {}).get("papermill")
    return None if meta is None else dict(meta.get("parameters") or {})


def fast_values(parameters: list[dict[str, Any]]) -> dict[str, Any]:
    """장들에 넣은 빠른 매개변수(TRAIN_LIMIT, EPOCHS)만. 비었으면 기본 매개변수로 실행한 책."""
    found: dict[str, Any] = {}
    for params in parameters:
        found |= {k: v for k, v in params.items() if k in FAST_PARAMETERS and k != "FORCE_RETRAIN"}
    return found


def run_note(fast: dict[str, Any]) -> str:
    if not fast:
        return "기본 매개변수(`make run`, 전체 60,000장, 4장은 최대 20 에포크)로 실행한 결과입니다."
    values = ", ".join(f"`{k} = {v}`" for k, v in sorted(fast.items()))
    return (
        f"**빠른 매개변수**({values}, 자동 테스트용)로 실행한 결과입니다. 정확도와 그림이 "
        "기본 설정(`make run`)과 다릅니다."
    )


# ---------------------------------------------------------------------------
# 원본 폴더 꾸리기
# ---------------------------------------------------------------------------


def _write(path: Path, text: str) -> bool:
    """내용이 바뀌었을 때만 씁니다 (Sphinx가 바뀐 쪽만 다시 읽도록)."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def for_book(nb: dict) -> dict:
    """책에 실을 노트북: Colab 배지는 (인터넷 그림 없이) 글자 링크로, 주입된 매개변수 셀은 숨김."""
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        source = "".join(cell.get("source", ""))
        if cell["cell_type"] == "markdown":
            cell["source"] = BADGE.sub(r"[Colab에서 열기](\1){.colab-link}", source)
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
    return nb


def _sources(nb: dict) -> list[str]:
    return ["".join(c.get("source", "")) for c in nb["cells"]
            if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]  # fmt: skip


def executed_chapters(notebooks: list[Path], source: Path) -> tuple[dict[str, dict], list[str]]:
    """``source``에서 실행된 장들을 읽습니다. (장 이름 → 노트북, 경고들)

    실행된 장이 없거나 실행되지 않은 파일이면 무엇을 하면 되는지 적은 ``SystemExit``.
    """
    found, missing, stale = {}, [], []
    for path in notebooks:
        executed = source / path.name
        try:
            nb = json.loads(executed.read_text(encoding="utf-8"))
        except FileNotFoundError:
            missing.append(str(executed))
            continue
        except (OSError, ValueError) as error:
            raise SystemExit(
                f"실행된 장을 읽지 못했습니다: {executed} ({error}). "
                "`make run`으로 다시 실행하세요."
            ) from None
        if executed_parameters(nb) is None:
            raise SystemExit(
                f"{executed}은(는) 실행된 노트북이 아닙니다 (papermill 기록 없음). "
                "`make run`이 만든 build/ 폴더를 쓰세요."
            )
        if _sources(nb) != _sources(json.loads(path.read_text(encoding="utf-8"))):
            stale.append(path.name)
        found[path.name] = nb
    if missing:
        raise SystemExit(
            f"실행된 장이 없습니다: {', '.join(missing)}. 책은 실행된 장으로 만듭니다: 먼저 "
            "`make run`(기본 매개변수, 약 11분)이나 `make book-fast`(빠른 매개변수, 약 3분)를 "
            "실행하세요."
        )
    warnings = [f"{name}: 실행한 뒤 notebooks/의 장이 바뀌었습니다 (책에는 실행한 때의 내용이 "
                f"실립니다. `make run`으로 다시 실행하세요)" for name in stale]  # fmt: skip
    return found, warnings


def paper_page() -> str:
    """논문 재현 표 쪽: 논문의 네 줄 + 7장의 줄마다 시드 여러 개의 기준 결과 (lenetlib.paper)."""
    import pandas as pd

    from lenetlib import paper

    ref = paper.reference()
    frame = paper.rows_table(ref=ref).drop(columns=["이번 실행(%)"])
    cells = []
    for row in frame.itertuples(index=False):
        out = []
        for column, value in zip(frame.columns, row, strict=True):
            if isinstance(value, str):
                out.append(value)
            elif pd.isna(value):
                out.append("")
            elif column == "파라미터 수":
                out.append(f"{int(value):,}")
            else:
                out.append(f"{float(value):.2f}")
        cells.append(out)
    align = "".join("---|" if c == "모델" else "---:|" for c in frame.columns)  # 수는 오른쪽
    head = "| " + " | ".join(frame.columns) + " |\n|" + align + "\n"
    body = "".join("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |\n" for row in cells)
    env = ref.get("environment", {})
    seeds = ", ".join(str(s) for s in ref.get("seeds", []))
    return f"""# 논문 재현 표

LeCun 외(1998) 논문의 테스트 오류율(위 네 줄)과,
[7장. 논문 재현과 그 너머](notebooks/07_paper.ipynb)가 만드는 줄들을
시드 {len(ref.get("seeds", []))}개({seeds})로 훈련해 잰 기준 결과입니다. 7장을 실행하면
"이번 실행" 열이 더해진 같은 표가 나옵니다. 값은 테스트 세트 10,000장 중 틀린 비율(%)이고,
표준편차는 시드 사이의 흔들림(%p)입니다.

{head}{body}
- 잰 날: {ref.get("date", "")}, 줄마다 최대 {ref.get("epochs", "")} 에포크, 전체 훈련 데이터
- 환경: {env.get("machine", "")} CPU, TensorFlow {env.get("tensorflow", "")},
  Keras {env.get("keras", "")}, Python {env.get("python", "")}
- 다시 재기: `make paper-reference` (저장소의 `scripts/paper_reference.py`, 2코어 CPU에서 약 25분).
  결과는 `lenetlib/_data/paper_reference.json`에 저장되고 `lenetlib.paper.reference()`가 읽습니다.
"""


def index_page(parts: list[Part], note: str) -> str:
    toctrees = "".join(
        f"\n```{{toctree}}\n:caption: {part.caption}\n:maxdepth: 1\n\n" + "\n".join(part.pages)
        + "\n```\n"
        for part in parts
    )  # fmt: skip
    return f"""# {TITLE}

MNIST 손글씨 숫자 원본 데이터에서 출발해 LeNet-5 합성곱 신경망(CNN)을 만들고, 훈련하고,
평가하고, 틀린 예측을 해부하고, 1998년 논문의 표를 재현하고, 내 손글씨를 읽히기까지를
여덟 개의 장과 부록 하나로 배웁니다. 이 책은 저장소의 노트북을 실행한 결과(출력과 그림
포함)를 그대로 읽을 수 있게 만든 것입니다. 직접 실행하려면 각 장 맨 위의 "Colab에서 열기"를
누르거나, 저장소를 받아 `make lab`으로 여세요.

- 각 장 끝의 연습 문제 풀이는 "연습 문제 풀이"에, 용어와 영어 원어는 [용어집](docs/glossary.md)에,
  도우미 패키지 `lenetlib`의 함수는 [API 요약](docs/api.md)에 있습니다.
- 이 책의 장은 {note}
- 저장소: <{repository()}>
{toctrees}"""


def stage(notebooks: list[Path], source: Path, src: Path) -> dict[str, Any]:
    """원본 폴더 ``src``를 꾸립니다. 실행 정보(fast, 경고, 바뀐 파일 수)를 돌려줍니다."""
    chapters, warnings = executed_chapters(notebooks, source)
    solutions = sorted((ROOT / "solutions").glob("*.ipynb"))
    parts = toc(list(chapters), [p.name for p in solutions])
    fast = fast_values([executed_parameters(nb) or {} for nb in chapters.values()])
    files = {f"notebooks/{name}": dumps(for_book(nb)) for name, nb in chapters.items()}
    for path in solutions:  # 풀이는 저장소의 것 (확인 셀의 "정답입니다" 출력이 함께 저장됨)
        nb = json.loads(path.read_text(encoding="utf-8"))
        files[f"solutions/{path.name}"] = dumps(for_book(nb))
    for doc in DOCS:
        files[doc] = (ROOT / doc).read_text(encoding="utf-8")
    files[f"{PAPER_PAGE}.md"] = paper_page()
    files["index.md"] = index_page(parts, run_note(fast))
    changed = sum(_write(src / name, text) for name, text in files.items())
    for old in src.rglob("*"):  # 이제 책에 없는 파일 (이름이 바뀐 장 등)
        name = old.relative_to(src).as_posix()
        if old.is_file() and name not in files:
            old.unlink()
    return {"fast": fast, "warnings": warnings, "changed": changed, "parts": parts}


# ---------------------------------------------------------------------------
# Sphinx 설정과 빌드
# ---------------------------------------------------------------------------


def sphinx_config(fast: dict[str, Any]) -> dict[str, Any]:
    """책의 Sphinx 설정 전부 (conf.py 대신). ``fast``: 빠른 매개변수로 실행한 책이면 그 값."""
    theme = {
        "repository_url": repository(),
        "repository_branch": "main",
        "path_to_docs": "",
        "use_repository_button": True,
        "use_download_button": True,
        "home_page_in_toc": True,
        "show_navbar_depth": 1,
        "navigation_with_keys": False,
    }
    if fast:
        theme["announcement"] = html.escape(run_note(fast).replace("**", "").replace("`", ""))
    return {
        "project": TITLE,
        "author": "lenet-mnist-ko",
        "copyright": f"{time.strftime('%Y')}, lenet-mnist-ko",
        "language": "ko",
        "root_doc": "index",
        "extensions": ["myst_nb", "tools.book.korean_search", "tools.book.mathml"],
        "html_theme": "sphinx_book_theme",
        "html_title": TITLE,
        "html_theme_options": theme,
        "html_context": {"default_mode": "light"},
        "html_static_path": [str(HERE / "static")],
        "html_css_files": ["book.css"],
        "html_favicon": str(HERE / "static" / "favicon.svg"),
        "html_math_renderer": "mathml",
        "html_search_language": "ko",
        "html_last_updated_fmt": None,
        # 노트북: 다시 실행하지 않음, 위젯 스크립트(인터넷)를 싣지 않고 위젯은 글자 표현으로
        "nb_execution_mode": "off",
        "nb_ipywidgets_js": {},
        "nb_mime_priority_overrides": [
            ("html", "application/vnd.jupyter.widget-view+json", None),
            ("html", "application/vnd.jupyter.widget-state+json", None),
        ],
        "myst_enable_extensions": ["dollarmath", "attrs_inline"],
        "myst_heading_anchors": 3,
        "exclude_patterns": ["_build", "**.ipynb_checkpoints"],
        "suppress_warnings": ["mystnb.unknown_mime_type"],
    }


def build_html(src: Path, out: Path, config: dict[str, Any], parallel: int = 1) -> int:
    """Sphinx HTML 빌드. 경고 수를 돌려줍니다 (경고는 화면에 나옴)."""
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    doctrees = out.parent / f"{out.name}-doctrees"
    # 이 도구의 코드(검색 낱말 나누기, 수식 등)가 바뀌었으면 저장된 환경을 버리고 처음부터 읽음
    code = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(HERE.rglob("*.py")))).hexdigest()
    stamp = doctrees / "tools-book.sha256"
    fresh = not stamp.is_file() or stamp.read_text() != code
    with patch_docutils(HERE), docutils_namespace():
        app = Sphinx(str(src), None, str(out), str(doctrees), "html", confoverrides=config,
                     status=None, freshenv=fresh, parallel=parallel)  # fmt: skip
        app.build(force_all=fresh)
    stamp.write_text(code)
    return app._warncount


def korean_text(site: Path) -> str:
    """사이트의 쪽과 번역 스크립트에 나오는 모든 글자 (글꼴에 남길 글자)."""
    chars = {chr(c) for c in range(0x20, 0x7F)}
    for path in [*site.rglob("*.html"), *site.glob("_static/translations.js")]:
        chars |= set(path.read_text(encoding="utf-8", errors="replace"))
    return "".join(sorted(c for c in chars if c.isprintable()))


def subset_fonts(site: Path) -> int:
    """나눔고딕에서 사이트에 나오는 글자만 남겨 ``_static/fonts/``에 WOFF로 씁니다. 바이트 수."""
    from fontTools import subset

    logging.getLogger("fontTools").setLevel(logging.ERROR)  # 글꼴 표마다 찍는 안내 줄
    text = korean_text(site)
    fonts = resources.files("koreanize_matplotlib") / "fonts"
    out_dir = site / "_static" / "fonts"
    out_dir.mkdir(parents=True, exist_ok=True)
    total = 0
    for source, target in FONTS.items():
        options = subset.Options()
        options.flavor = "woff"
        options.layout_features = ["*"]
        font = subset.load_font(str(fonts / source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        subset.save_font(font, str(out_dir / target), options)
        total += (out_dir / target).stat().st_size
    return total


def site_size(site: Path) -> tuple[int, int]:
    """(쪽 수, 바이트 수)."""
    pages = [p for p in site.rglob("*.html") if "_static" not in p.parts]
    return len(pages), sum(p.stat().st_size for p in site.rglob("*") if p.is_file())


def build(notebooks: list[Path], source: Path, out: Path, *, parallel: int = 2) -> int:
    """make book: 원본 꾸리기 → Sphinx → 글꼴. 종료 코드."""
    start = time.perf_counter()
    src = out.parent / f"{out.name}-src"
    info = stage(sorted(notebooks), source, src)
    for warning in info["warnings"]:
        print(f"주의: {warning}")
    print(f"== 책 원본: {src} (바뀐 파일 {info['changed']}개), 실행된 장: {source}", flush=True)
    warnings = build_html(src, out, sphinx_config(info["fast"]), parallel=parallel)
    font_bytes = subset_fonts(out)
    shutil.rmtree(out / ".doctrees", ignore_errors=True)
    pages, size = site_size(out)
    print(
        f"== 책: {out}/index.html, {pages}쪽, {size / 1e6:.1f} MB "
        f"(글꼴 {font_bytes / 1e3:.0f} kB), Sphinx 경고 {warnings}개, "
        f"{time.perf_counter() - start:.0f}초"
    )
    if warnings:
        print(
            f"Sphinx 경고 {warnings}개: 위의 경고(수식, 링크, 노트북 출력)를 고치세요. "
            "경고가 있으면 책에 빠지거나 깨진 곳이 있습니다."
        )
        return 1
    return 0
