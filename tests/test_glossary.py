"""용어집 (docs/glossary.md, 이슈 #12): 용어의 첫 등장에 영어 원어, 쓰지 않는 표기는 어디에도 없음.

- 장(notebooks/*.ipynb)마다 마크다운 셀을 순서대로 이어 읽고, 용어집의 각 용어가 본문(제목 줄,
  코드, 링크 주소 제외)에 처음 나오는 곳 바로 뒤(몇 글자 안)에 괄호로 영어 원어가 있어야
  합니다. 예: "에포크(epoch)", "**에포크**(epoch, …)". "손실 함수(loss function)"는 "손실"의
  첫 등장으로도 셉니다.
- 더 긴 용어 안의 짧은 용어("미니배치" 안의 "배치")는 짧은 용어의 등장으로 세지 않습니다.
- 쓰지 않는 표기(예: 과적합)는 노트북(마크다운, 코드, 저장된 출력), solutions/, lenetlib/의
  파이썬 파일, README.md와 docs/(용어집 제외) 어디에도 없어야 합니다.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: 용어 끝과 여는 괄호 사이에 올 수 있는 글자 수 ("**", " 함수", " 레이블" 등)
MAX_GAP = 4


def _rows(text: str, header: str) -> list[list[str]]:
    """첫 칸이 ``header``인 마크다운 표의 본문 행들 (칸은 앞뒤 공백을 뗀 문자열)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {header} |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def _load() -> tuple[list[dict[str, object]], list[tuple[str, str]]]:
    text = GLOSSARY.read_text(encoding="utf-8")
    terms = [
        {
            "ko": ko,
            "en": [e.strip() for e in en.split(" / ")],
            "meaning": meaning,
            "chapter": chapter,
        }
        for ko, en, meaning, chapter in _rows(text, "한국어 용어")
    ]
    variants = [(bad, good) for bad, good in _rows(text, "쓰지 않는 표기")]
    return terms, variants


TERMS, VARIANTS = _load()


def _chapter_label(path: Path) -> str:
    """01_data.ipynb → '1장', A1_speed.ipynb → '부록 A'."""
    prefix = path.stem.split("_")[0]
    return f"부록 {prefix[0]}" if prefix[0].isalpha() else f"{int(prefix)}장"


def _chapter_order(label: str) -> tuple[int, int]:
    return (1, 0) if label.startswith("부록") else (0, int(label.removesuffix("장")))


def _cells(path: Path) -> list[dict[str, object]]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _prose(path: Path) -> str:
    """장의 마크다운 셀을 이은 본문. 코드 블록, 제목 줄, 머리말의 실행 시간 줄(⏱, make timings가
    씀), 인라인 코드, 링크 주소는 뺍니다."""
    text = "\n\n".join("".join(c["source"]) for c in _cells(path) if c["cell_type"] == "markdown")
    text = re.sub(r"^```.*?^```", " ", text, flags=re.M | re.S)
    text = re.sub(r"^(#|⏱).*$", "", text, flags=re.M)
    text = re.sub(r"`[^`\n]*`", " ", text)
    return re.sub(r"\]\([^)]*\)", "]", text)


def _masked(text: str, term: str) -> str:
    """``term``을 품은 더 긴 용어("배치" → "미니배치")를 같은 길이의 빈칸으로 가립니다."""
    for other in TERMS:
        longer = str(other["ko"])
        if longer != term and term in longer:
            text = text.replace(longer, "□" * len(longer))
    return text


def _normalized(text: str) -> str:
    """대소문자, 공백, 하이픈, 밑줄을 무시하고 비교 ('EarlyStopping' == 'early stopping')."""
    return re.sub(r"[\s\-_]", "", text).lower()


def _first_use_problem(prose: str, term: dict[str, object]) -> str | None:
    """첫 등장에 영어 원어가 없으면 그 자리의 문맥을 담은 설명, 괜찮거나 안 나오면 None."""
    text = _masked(prose, str(term["ko"]))
    at = text.find(str(term["ko"]))
    if at < 0:
        return None
    end = at + len(str(term["ko"]))
    match = re.match(rf"[^(\n]{{0,{MAX_GAP}}}\(([^)]*)\)", text[end:])
    if match and any(_normalized(en) in _normalized(match.group(1)) for en in term["en"]):
        return None
    context = text[max(0, at - 20) : end + 25].replace("\n", " ")
    wanted = " 또는 ".join(f"({en})" for en in term["en"])
    return f"'{term['ko']}' 첫 등장에 {wanted}가 없습니다: …{context}…"


def test_glossary_is_well_formed():
    assert len(TERMS) >= 40, "용어집의 용어가 너무 적습니다"
    names = [t["ko"] for t in TERMS]
    assert len(names) == len(set(names)), "같은 한국어 용어가 두 번 있습니다"
    for term in TERMS:
        assert term["meaning"], f"{term['ko']}: 한 줄 뜻이 비어 있습니다"
        assert all(re.search(r"[A-Za-z]", en) for en in term["en"]), f"{term['ko']}: 영어 원어"
        assert re.fullmatch(r"\d+장|부록 [A-Z]", str(term["chapter"])), f"{term['ko']}: 장 표기"
    assert len(VARIANTS) >= 20, "쓰지 않는 표기 표가 너무 짧습니다"
    for bad, good in VARIANTS:
        assert bad != good and bad and good
        # 쓰지 않는 표기가 허용된 표기 안에 들어 있으면 그 표기를 쓸 수 없게 됩니다
        allowed = [str(t["ko"]) for t in TERMS] + [g for _, g in VARIANTS]
        inside = [word for word in allowed if bad in word]
        assert not inside, f"쓰지 않는 표기 '{bad}'가 허용된 표기 {inside} 안에 있습니다"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_first_use_in_each_chapter_gives_the_english_original(path):
    prose = _prose(path)
    problems = [p for t in TERMS if (p := _first_use_problem(prose, t))]
    assert not problems, f"{path.name} ({_chapter_label(path)}):\n" + "\n".join(problems)


def test_first_use_problem_detects_a_missing_original():
    """검사 자체가 실패할 수 있는지: 괄호가 없거나, 멀거나, 다른 말이면 문제로 봅니다."""
    epoch = next(t for t in TERMS if t["ko"] == "에포크")
    assert _first_use_problem("에포크(epoch)마다", epoch) is None
    assert _first_use_problem("**에포크**(epoch, 한 바퀴)", epoch) is None
    assert _first_use_problem("에포크를 돌고 나서(epoch)", epoch) is not None
    assert _first_use_problem("에포크(에폭)", epoch) is not None
    assert _first_use_problem("처음 에포크. 나중 에포크(epoch)", epoch) is not None
    batch = next(t for t in TERMS if t["ko"] == "배치")
    assert _first_use_problem("미니배치(mini-batch) 다음 배치(batch)", batch) is None
    assert _first_use_problem("미니배치(mini-batch) 다음 배치", batch) is not None


def test_listed_first_chapter_is_where_the_term_first_appears():
    """'처음 나오는 장'이 실제로 그 용어가 본문에 처음 나오는 장입니다 (아직 없는 장은 예정)."""
    labels = {_chapter_label(p): p for p in NOTEBOOKS}
    order = sorted(labels, key=_chapter_order)
    wrong = []
    for term in TERMS:
        used = [c for c in order if _masked(_prose(labels[c]), str(term["ko"])).count(term["ko"])]
        listed = str(term["chapter"])
        if used and used[0] != listed:
            wrong.append(f"{term['ko']}: 용어집 {listed}, 실제 {used[0]}")
        if not used and listed in labels:
            wrong.append(f"{term['ko']}: 용어집 {listed}, 그 장에 나오지 않음")
    assert not wrong, "docs/glossary.md의 '처음 나오는 장'을 고치세요:\n" + "\n".join(wrong)


def _variant_sources() -> list[Path]:
    files = [*NOTEBOOKS, *sorted((ROOT / "solutions").glob("*.ipynb"))]
    files += [*sorted((ROOT / "lenetlib").rglob("*.py")), ROOT / "README.md"]
    files += [p for p in sorted((ROOT / "docs").glob("*.md")) if p != GLOSSARY]
    return files


def _variants_in(text: str) -> list[str]:
    """``text``에 있는 쓰지 않는 표기마다 '표기 → 대신 쓸 표기 (줄 번호)'."""
    return [
        f"'{bad}' → '{good}' (줄 {text[: text.find(bad)].count(chr(10)) + 1})"
        for bad, good in VARIANTS
        if bad in text
    ]


@pytest.mark.parametrize(
    "path", _variant_sources(), ids=[str(p.relative_to(ROOT)) for p in _variant_sources()]
)
def test_no_forbidden_variant_spelling(path):
    found = _variants_in(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)}에 쓰지 않는 표기: " + ", ".join(found)


def test_variant_check_finds_variants_and_passes_the_right_spelling():
    assert _variants_in("첫 줄\n모델이 과적합되었고 에폭마다") == [
        "'과적합' → '과대적합' (줄 2)",
        "'에폭' → '에포크' (줄 2)",
    ]
    assert _variants_in("모델이 과대적합되었고 에포크마다 특성 맵을 봅니다") == []
