"""본문에 실행마다 달라지는 숫자가 없는지 (이슈 #20): 모든 장과 풀이의 마크다운 셀.

정확도, 틀린 개수("87장"), 손실 값, 조기 종료가 멈춘 에포크, 훈련 시간은 CPU 종류와 시드에 따라
달라집니다. 그런 숫자는 코드가 이번 실행의 값으로 찍어야 하며(판정 문장), 정적인 마크다운은 개념만
설명합니다. 이 강의를 만든 컴퓨터의 값을 꼭 인용해야 하면 같은 문단(빈 줄로 나뉜 덩어리)에
``LABELS``의 표시("이 강의를 만든 컴퓨터(AVX-512 CPU)에서는 …")를 붙이고, 그 값은 기록된
JSON(``REFERENCE_FILES``: 기준 실행 ``docs/reference_run.json``, 7장 기준표, 시드 흔들림)에 있어야
합니다.

검사하는 숫자: 단위가 붙은 수(%, %p, 장, 개, 에포크, 초, 분, 배, ms)와 소수 셋째 자리 이상의
수(0.9910 같은 정확도·손실). 다음은 실행과 상관없으므로 통과합니다.

- ``FACTS``: 데이터 크기, 논문 값, 설정 상수처럼 바뀌지 않는 사실.
- 같은 장의 ``# NBVAL_CHECK_OUTPUT`` 셀의 기록된 출력에 (단위까지) 그대로 나오는 수: 자동 테스트가
  실행마다 같은지 봅니다.
- 8 이하의 수 + "장": 장 번호("5장에서").
- "⏱"로 시작하는 줄: ``make timings``가 CPU 종류별로 적는 실행 시간.

1~3장(과 그 풀이)은 훈련하지 않으므로 실행 시간(초, 분, ms)만 봅니다.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from tests.test_notebooks import CHAPTERS as CHAPTER_FILES

ROOT = Path(__file__).resolve().parent.parent
#: 훈련하지 않는 장: 숫자는 데이터·구조의 사실이고, 실행마다 달라지는 것은 시간뿐
NO_TRAINING = {"01_data.ipynb", "02_preprocessing.ipynb", "03_model.ipynb"}
TIME_UNITS = {"초", "분", "ms"}
CHAPTERS = [
    f"{folder}/{name}"
    for folder in ("notebooks", "solutions")
    for name in CHAPTER_FILES
    if folder == "notebooks" or (ROOT / folder / name).exists()
]
#: 기준 실행의 값을 인용한다는 표시: 같은 문단에 있어야 함
LABELS = ("이 강의를 만든 컴퓨터", "기준 실행", "기준 결과")
#: 인용해도 되는 기록값이 든 JSON (값은 수 그대로, 또는 ×100(비율 → %)으로 소수 0~4자리까지 맞춰 봄)
REFERENCE_FILES = (
    "docs/reference_run.json",
    "lenetlib/_data/paper_reference.json",
    "lenetlib/_data/seed_spread.json",
)
#: 실행과 상관없는 사실 (수와 단위를 붙여 쓴 꼴)
FACTS = {
    # 데이터 크기 (60,000 = 54,000 + 6,000, 테스트 10,000; 자동 테스트 3,000 = 2,700 + 300)
    "70,000장", "60,000장", "54,000장", "6,000장", "10,000장", "3,000장", "2,700장", "300장",
    "10%",  # 검증 세트 비율
    "128장",  # 배치 크기
    "0.95%", "0.8%", "0.7%",  # 논문 값 (LeNet-5, 증강, 부스팅)
    "20에포크", "5에포크", "3에포크", "2에포크", "1에포크",  # 최대 에포크, patience, 자동 테스트
    "10개",  # 클래스 수
    "61,706개",  # LeNet-5의 파라미터 수
    "32개",  # 장난감 미니배치, 속도 설정이 한 번에 계산하는 배치 수
    "16장",  # 5·6장이 그리는 이미지 수
    "50장", "2%p",  # 8장의 손글씨 견본 수, 견본 한 장의 몫
    "1.7%", "1.1%",  # 논문 값 (LeNet-1, LeNet-4)
    "0.1%p", "10장",  # 테스트 10,000장에서 0.1%p = 10장
    "99.99%", "100.00%",  # 확신도를 적는 규칙
    "5분", "10분",  # 연습 문제를 푸는 사람의 시간
    "10배",  # 로그 눈금 한 칸
    "30배",  # 미니배치 32장 대 1,000장의 계산량 (4장)
    "8개", "16개",  # AVX2·AVX-512가 한 번에 계산하는 32비트 실수 (부록 A)
    "64장",  # 배치 128장을 두 조각으로 나눈 한 조각 (부록 A)
    "62,000개", "15에포크",  # 7장: 줄마다 파라미터 상한(paper.MAX_PARAMS), 최대 에포크(ROW_EPOCHS)
    "540,000장",  # 7장: 논문이 왜곡으로 만든 훈련 이미지 수
}  # fmt: skip
UNIT = re.compile(r"(?<![\w.,])(\d[\d,]*(?:\.\d+)?)\s?(%p|%|장|개|에포크|초|분|배|ms)(?![a-zA-Z])")
DECIMAL = re.compile(r"(?<![\w.,])-?\d+\.\d{3,}")
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def _text(source: str | list[str]) -> str:
    return source if isinstance(source, str) else "".join(source)


def _checked_output(cells: list[dict]) -> str:
    """``# NBVAL_CHECK_OUTPUT`` 셀의 기록된 출력 (자동 테스트가 실행마다 같은지 보는 글)."""
    texts = []
    for cell in cells:
        if cell["cell_type"] == "code" and "# NBVAL_CHECK_OUTPUT" in _text(cell["source"]):
            for out in cell.get("outputs", []):
                texts.append(_text(out.get("text", "")))
                texts.append(_text(out.get("data", {}).get("text/plain", "")))
    return "\n".join(texts)


def _line_hits(line: str, checked_text: str, units: set[str] | None = None) -> list[str]:
    """마크다운 한 줄에서 실행마다 달라질 수 있는 숫자들 (``units``: 이 단위만 봄)."""
    line = re.sub(r"`[^`]*`|\$[^$]*\$|\]\([^)]*\)", " ", line)  # 코드, 수식, 링크 주소
    checked = set(NUMBER.findall(checked_text))
    hits = []
    if units is None:
        hits = [m.group(0) for m in DECIMAL.finditer(line) if m.group(0) not in checked]
    for m in UNIT.finditer(line):
        number, unit = m.group(1), m.group(2)
        if units is not None and unit not in units:
            continue
        if number + unit in FACTS or re.search(re.escape(number) + r"\s?" + unit, checked_text):
            continue
        if unit == "장" and number.isdigit() and int(number) <= 8:
            continue  # 장 번호
        hits.append(m.group(0))
    return hits


def _numbers_in(value: object) -> list[float]:
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers_in(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers_in(v)]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [float(value)]
    return []


@cache
def reference_numbers() -> frozenset[str]:
    """기록된 JSON의 모든 수를 글에 쓰일 꼴로: 그대로와 ×100, 소수 0~4자리, 쉼표 있고 없고."""
    out = set()
    for name in REFERENCE_FILES:
        for value in _numbers_in(json.loads((ROOT / name).read_text(encoding="utf-8"))):
            for v in (value, 100 * value):
                for digits in range(5):
                    out.update({f"{v:,.{digits}f}", f"{v:.{digits}f}"})
    return frozenset(out)


def _unrecorded(hits: list[str]) -> list[str]:
    """라벨 붙은 문단의 숫자 중 기록된 JSON에 없는 것."""
    known = reference_numbers()
    return [hit for hit in hits if NUMBER.search(hit).group(0).lstrip("-") not in known]


def run_dependent_numbers(nb: dict, *, static: bool = False) -> list[str]:
    """라벨 없는 문단의 달라질 수 있는 숫자와, 라벨 붙은 문단의 기록에 없는 숫자 목록.

    ``static``: 훈련하지 않는 장 (시간 단위만 봄).
    """
    checked_text = _checked_output(nb["cells"])
    units = TIME_UNITS if static else None
    problems = []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        for paragraph in re.split(r"\n\s*\n", _text(cell["source"])):
            labelled = any(label in paragraph for label in LABELS)
            for line in paragraph.splitlines():
                if line.lstrip().startswith("⏱"):
                    continue
                hits = _line_hits(line, checked_text, units)
                if labelled:
                    hits = [f"{hit} (기록에 없는 기준 값)" for hit in _unrecorded(hits)]
                problems += [f"셀 {index}: {hit!r} … {line.strip()[:90]}" for hit in hits]
    return problems


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_run_dependent_number_in_markdown(chapter: str) -> None:
    nb = json.loads((ROOT / chapter).read_text(encoding="utf-8"))
    problems = run_dependent_numbers(nb, static=Path(chapter).name in NO_TRAINING)
    assert not problems, (
        f"{chapter}의 마크다운이 실행마다 달라지는 숫자를 적었습니다. 코드 셀이 이번 실행의 "
        f"값으로 찍게 하거나, 기준 실행의 값이면 같은 문단에 {LABELS} 중 하나를 붙이고 그 값을 "
        f"{REFERENCE_FILES[0]}에 기록하세요:\n" + "\n".join(problems)
    )


def test_planted_number_is_caught() -> None:
    """검사가 실제로 실패할 수 있는지: 심은 문장은 잡고, 라벨을 붙이면 통과."""
    nb = {"cells": [{"cell_type": "markdown", "source": "정확도는 99.13%였고 87장을 틀렸습니다."}]}
    assert len(run_dependent_numbers(nb)) == 2
    nb["cells"][0]["source"] = "이 강의를 만든 컴퓨터에서는 정확도가 99.13%였습니다."
    assert run_dependent_numbers(nb) == []  # 99.13은 docs/reference_run.json에 기록됨
    nb["cells"][0]["source"] = "이 강의를 만든 컴퓨터에서는 정확도가 99.17%였습니다."
    assert "기록에 없는 기준 값" in run_dependent_numbers(nb)[0]
    nb["cells"][0]["source"] = "2코어 CPU에서 30초 걸리고 필터는 16개입니다."
    assert [p.split("'")[1] for p in run_dependent_numbers(nb, static=True)] == ["30초"]


def test_reference_seed_spread_matches_the_packaged_runs() -> None:
    """docs/reference_run.json의 시드 흔들림 요약은 패키지의 seed_spread.json에서 나온 값."""
    from lenetlib import paper

    quoted = json.loads((ROOT / REFERENCE_FILES[0]).read_text(encoding="utf-8"))
    quoted = quoted["chapters"]["seed_spread"]
    summary = paper.seed_spread()["summary"]
    assert quoted["n"] == summary["n"]
    for key in ("mean", "std", "min", "max"):
        assert quoted[key] == round(summary[key], 2), key
    assert quoted["range"] == round(summary["max"] - summary["min"], 2)
    assert quoted["range_images"] == round(100 * quoted["range"])  # 0.01%p = 테스트 이미지 1장
