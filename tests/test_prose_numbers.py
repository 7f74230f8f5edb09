"""본문에 실행마다 달라지는 숫자가 없는지 (이슈 #20): 4·5·6·8장의 마크다운 셀.

정확도, 틀린 개수("87장"), 손실 값, 조기 종료가 멈춘 에포크, 훈련 시간은 CPU 종류와 시드에 따라
달라집니다. 그런 숫자는 코드가 이번 실행의 값으로 찍어야 하며(판정 문장), 정적인 마크다운은 개념만
설명합니다. 이 강의를 만든 컴퓨터의 값을 꼭 인용해야 하면 같은 문단(빈 줄로 나뉜 덩어리)에
``LABELS``의 표시("이 강의를 만든 컴퓨터에서 …")를 붙입니다.

검사하는 숫자: 단위가 붙은 수(%, %p, 장, 개, 에포크, 초, 분)와 소수 셋째 자리 이상의 수(0.9910 같은
정확도·손실). 다음은 실행과 상관없으므로 통과합니다.

- ``FACTS``: 데이터 크기, 논문 값, 설정 상수처럼 바뀌지 않는 사실.
- 같은 장의 ``# NBVAL_CHECK_OUTPUT`` 셀의 기록된 출력에 (단위까지) 그대로 나오는 수: 자동 테스트가
  실행마다 같은지 봅니다.
- 8 이하의 수 + "장": 장 번호("5장에서").
- "⏱"로 시작하는 줄: ``make timings``가 CPU 종류별로 적는 실행 시간.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = [
    "notebooks/04_training.ipynb",
    "notebooks/05_evaluation.ipynb",
    "notebooks/06_error_analysis.ipynb",
    "notebooks/08_handwriting.ipynb",
]
#: 기준 실행의 값을 인용한다는 표시: 같은 문단에 있어야 함
LABELS = ("이 강의를 만든 컴퓨터", "기준 실행")
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
}  # fmt: skip
UNIT = re.compile(r"(?<![\w.,])(\d[\d,]*(?:\.\d+)?)\s?(%p|%|장|개|에포크|초|분)(?![a-zA-Z])")
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


def _line_hits(line: str, checked_text: str) -> list[str]:
    """마크다운 한 줄에서 실행마다 달라질 수 있는 숫자들."""
    line = re.sub(r"`[^`]*`|\$[^$]*\$|\]\([^)]*\)", " ", line)  # 코드, 수식, 링크 주소
    checked = set(NUMBER.findall(checked_text))
    hits = [m.group(0) for m in DECIMAL.finditer(line) if m.group(0) not in checked]
    for m in UNIT.finditer(line):
        number, unit = m.group(1), m.group(2)
        if number + unit in FACTS or re.search(re.escape(number) + r"\s?" + unit, checked_text):
            continue
        if unit == "장" and number.isdigit() and int(number) <= 8:
            continue  # 장 번호
        hits.append(m.group(0))
    return hits


def run_dependent_numbers(nb: dict) -> list[str]:
    """라벨 없는 문단에서 실행마다 달라질 수 있는 숫자: ``'셀 N: 숫자 … 문장'`` 목록."""
    checked_text = _checked_output(nb["cells"])
    problems = []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        for paragraph in re.split(r"\n\s*\n", _text(cell["source"])):
            if any(label in paragraph for label in LABELS):
                continue
            for line in paragraph.splitlines():
                if not line.lstrip().startswith("⏱"):
                    hits = _line_hits(line, checked_text)
                    problems += [f"셀 {index}: {hit!r} … {line.strip()[:90]}" for hit in hits]
    return problems


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_run_dependent_number_in_markdown(chapter: str) -> None:
    nb = json.loads((ROOT / chapter).read_text(encoding="utf-8"))
    problems = run_dependent_numbers(nb)
    assert not problems, (
        f"{chapter}의 마크다운이 실행마다 달라지는 숫자를 적었습니다. 코드 셀이 이번 실행의 "
        f"값으로 찍게 하거나, 기준 실행의 값이면 같은 문단에 {LABELS} 중 하나를 붙이세요:\n"
        + "\n".join(problems)
    )


def test_planted_number_is_caught() -> None:
    """검사가 실제로 실패할 수 있는지: 심은 문장은 잡고, 라벨을 붙이면 통과."""
    nb = {"cells": [{"cell_type": "markdown", "source": "정확도는 99.13%였고 87장을 틀렸습니다."}]}
    assert len(run_dependent_numbers(nb)) == 2
    nb["cells"][0]["source"] = "이 강의를 만든 컴퓨터에서는 정확도가 99.13%였습니다."
    assert run_dependent_numbers(nb) == []
