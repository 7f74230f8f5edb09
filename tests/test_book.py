"""make book의 설정 만들기 (tools/book): 차례, 쪽, Sphinx 설정, 한국어 검색 낱말, 링크 검사.

Sphinx 없이 도는 부분만 봅니다 (Sphinx는 make book이 book 묶음으로 설치). 만든 책 전체는
make test-book(헤드리스 Chromium)이 검사합니다.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from tools.book import builder, check, korean_search

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
SOLUTIONS = sorted(p.name for p in (ROOT / "solutions").glob("*.ipynb"))


def _shuffled(names: list[str]) -> list[str]:
    names = list(names)
    random.Random(0).shuffle(names)
    return names


def test_toc_parts_in_chapter_order():
    parts = builder.toc(_shuffled(CHAPTERS), _shuffled(SOLUTIONS))
    assert [p.caption for p in parts] == ["본문", "부록", "연습 문제 풀이", "참고 자료"]
    main, appendix, solutions, reference = (p.pages for p in parts)
    numbers = [int(re.match(r"notebooks/(\d\d)_", page).group(1)) for page in main]
    assert numbers == list(range(1, 9))
    assert appendix == ("notebooks/A1_speed",)
    assert solutions == tuple(f"solutions/{Path(s).stem}" for s in SOLUTIONS)
    assert all(page.startswith("solutions/") for page in solutions)
    assert reference == ("docs/glossary", "docs/api", "paper")


def test_toc_appendix_after_every_chapter_even_with_more_appendices():
    parts = builder.toc(["A2_more.ipynb", "10_next.ipynb", "A1_speed.ipynb", "09_x.ipynb"], [])
    assert parts[0].pages == ("notebooks/09_x", "notebooks/10_next")
    assert parts[1].pages == ("notebooks/A1_speed", "notebooks/A2_more")
    assert "연습 문제 풀이" not in [p.caption for p in parts]  # 빈 부분은 차례에 넣지 않음


def test_index_page_lists_every_part_as_a_toctree_in_order():
    parts = builder.toc(CHAPTERS, SOLUTIONS)
    text = builder.index_page(parts, "기본 매개변수로 실행한 결과입니다.")
    assert text.startswith(f"# {builder.TITLE}\n")
    blocks = re.findall(
        r"```\{toctree\}\n:caption: ([^\n]+)\n:maxdepth: 1\n\n(.*?)\n```", text, re.S
    )
    assert [caption for caption, _ in blocks] == [p.caption for p in parts]
    for (_, body), part in zip(blocks, parts, strict=True):
        assert tuple(body.split("\n")) == part.pages
    for page in ("docs/glossary", "docs/api", "paper"):
        assert page in text


def test_paper_page_is_the_packaged_reference_table():
    from lenetlib import paper

    text = builder.paper_page()
    assert text.startswith("# 논문 재현 표\n")
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    header, body = rows[0], rows[1:]
    assert "모델" in header and "기준 평균(%)" in header and "이번 실행" not in header
    labels = [row.split("|")[1].strip() for row in body]
    assert labels == [*paper.PAPER_ROWS, *paper.ROWS]
    first_course_row = body[len(paper.PAPER_ROWS)]
    ref = paper.reference()["rows"][0]
    assert f"{ref['summary']['mean']:.2f}" in first_course_row
    assert f"{ref['params']:,}" in first_course_row
    assert "(notebooks/07_paper.ipynb)" in text  # 7장으로 가는 링크 (책 안의 쪽)


def test_sphinx_config_needs_no_network_and_does_not_execute():
    config = builder.sphinx_config({})
    assert config["language"] == "ko"
    assert config["nb_execution_mode"] == "off"
    assert config["html_math_renderer"] == "mathml"  # MathJax(인터넷) 대신 MathML
    assert config["nb_ipywidgets_js"] == {}  # 위젯 스크립트를 CDN에서 부르지 않음
    assert config["html_search_language"] == "ko"
    assert {"tools.book.korean_search", "tools.book.mathml"} <= set(config["extensions"])
    for static in config["html_static_path"]:
        assert (Path(static) / "book.css").is_file()
    assert "announcement" not in config["html_theme_options"]
    css = (Path(config["html_static_path"][0]) / "book.css").read_text(encoding="utf-8")
    assert "http" not in css  # 글꼴도 책 안의 파일
    for source in builder.FONTS:
        assert source.endswith(".ttf")


def test_fast_book_says_so_on_every_page():
    fast = builder.fast_values([{}, {"TRAIN_LIMIT": 3000, "EPOCHS": 2, "FORCE_RETRAIN": False}])
    assert fast == {"TRAIN_LIMIT": 3000, "EPOCHS": 2}
    note = builder.sphinx_config(fast)["html_theme_options"]["announcement"]
    assert "빠른 매개변수" in note and "TRAIN_LIMIT = 3000" in note
    assert builder.fast_values([{}, {"FORCE_RETRAIN": True}]) == {}  # make run (4장·7장 새로 훈련)


def test_for_book_turns_the_colab_badge_into_a_local_link_and_hides_injected_cell():
    nb = json.loads((ROOT / "notebooks" / CHAPTERS[0]).read_text(encoding="utf-8"))
    url = re.search(
        r"\]\((https://colab\.research\.google\.com/github/\S+)\)", nb["cells"][0]["source"]
    )
    nb["cells"].insert(1, {"cell_type": "code", "metadata": {"tags": ["injected-parameters"]},
                           "source": "EPOCHS = 2", "outputs": []})  # fmt: skip
    book = builder.for_book(nb)
    first = book["cells"][0]["source"]
    assert (
        "colab-badge.svg" not in first
        and f"[Colab에서 열기]({url.group(1)}){{.colab-link}}" in first
    )
    assert book["cells"][1]["metadata"]["tags"] == ["injected-parameters", "remove-cell"]
    assert "remove-cell" not in json.dumps(nb)  # 원래 노트북은 그대로


def test_missing_executed_chapter_is_a_korean_error_naming_the_fix(tmp_path):
    with pytest.raises(SystemExit, match=r"실행된 장이 없습니다: .*01_data\.ipynb.*make run"):
        builder.executed_chapters([ROOT / "notebooks" / CHAPTERS[0]], tmp_path)


def test_unexecuted_notebook_is_refused(tmp_path):
    source = ROOT / "notebooks" / CHAPTERS[0]
    (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(SystemExit, match="실행된 노트북이 아닙니다"):
        builder.executed_chapters([source], tmp_path)


def test_edited_chapter_after_run_is_reported(tmp_path):
    source = ROOT / "notebooks" / CHAPTERS[0]
    nb = json.loads(source.read_text(encoding="utf-8"))
    nb["metadata"]["papermill"] = {"parameters": {}}
    (tmp_path / source.name).write_text(json.dumps(nb), encoding="utf-8")
    found, warnings = builder.executed_chapters([source], tmp_path)
    assert list(found) == [source.name] and warnings == []
    nb["cells"][-1]["source"] += "\n고친 줄"
    (tmp_path / source.name).write_text(json.dumps(nb), encoding="utf-8")
    _, warnings = builder.executed_chapters([source], tmp_path)
    assert len(warnings) == 1 and "make run" in warnings[0]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("과대적합을", "과대적합"),
        ("과대적합이", "과대적합"),
        ("과대적합입니다", "과대적합"),
        ("정확도가", "정확도"),
        ("정규화된", "정규화"),
        ("Keras의", "Keras"),
        ("에포크에서는", "에포크"),
    ],
)
def test_search_index_has_the_word_without_its_particle(word, expected):
    forms = korean_search.variants(word)
    assert forms[0] == word and expected in forms


def test_search_split_keeps_plain_words_and_numbers():
    assert korean_search.split("LeNet-5 모델 32") == ["LeNet", "5", "모델", "32"]
    assert "과대적합" in korean_search.split("검증 손실이 오르면 과대적합을 의심합니다.")


def test_mentions_matches_the_search_rule():
    assert check.mentions("훈련 세트에 과대적합이 일어나면", "과대적합")
    assert not check.mentions("과대적합과소적합", "과대")  # 어절의 앞부분만으로는 아님


def test_broken_links_finds_missing_pages_and_anchors(tmp_path):
    (tmp_path / "a.html").write_text("<h1 id='top'>가</h1>", encoding="utf-8")
    base = "http://127.0.0.1:9"
    links = {
        "index.html": [f"{base}/a.html#top", f"{base}/a.html", "https://github.com/x",
                       f"{base}/b.html", f"{base}/a.html#gone", f"{base}/"],
    }  # fmt: skip
    ids = {"a.html": {"top"}}
    broken = check.broken_links(tmp_path, base, links, ids)
    assert sorted(href for _, href in broken) == [
        f"{base}/",
        f"{base}/a.html#gone",
        f"{base}/b.html",
    ]
