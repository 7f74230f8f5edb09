"""7장 ``07_paper.ipynb`` 연습 문제의 채점 함수 (답은 논문의 값과 패키지의 기준 결과에서 계산)."""

from __future__ import annotations

from typing import Any

from lenetlib import paper
from lenetlib.exercises import AnswerError, exercise, number_hint, numbers

PAPER_PASSES, PASS_IMAGES = 20, 60_000  # 논문의 왜곡 훈련: 한 번(pass)에 60,000장씩 20번 (III-B절)
EPOCH_IMAGES = 54_000  # 이 장의 한 에포크: 60,000장에서 검증 세트 10%를 뺀 훈련 세트


def _row(label: str) -> dict[str, Any]:  # 기준 결과의 한 줄 (params, summary의 mean·std)
    return next(row for row in paper.reference()["rows"] if row["label"].startswith(label))


@exercise("7-1")
def images_apart(answer: Any) -> str | None:
    """(논문 LeNet-5와 + 왜곡, 기준 표 '+ 왜곡'과 '+ ReLU' 평균)이 테스트 이미지 몇 장 차이인지."""
    given = numbers(answer, 2, "(논문의 차이, 기준 표의 차이)")
    gaps = (paper.PAPER_ROWS["LeNet-5"] - paper.PAPER_ROWS["LeNet-5 + 왜곡(distortions)"],
            _row("+ 왜곡")["summary"]["mean"] - _row("+ ReLU")["summary"]["mean"])  # fmt: skip
    for scale, hint in ((100, None), (1, "%p가 아니라 몇 장인지로 넣으세요.")):  # 1%p = 100장
        if all(abs(g - e * scale) <= scale / 200 for g, e in zip(given, gaps, strict=True)):
            return hint
    return "오류율(%)의 차이에 10,000장/100을 곱하세요. 기준 표는 '기준 평균(%)' 열의 두 값입니다."


@exercise("7-4")
def three_pieces_together(answer: Any) -> str | None:
    """'+ ReLU'와 '+ 학습률 스케줄': 평균 차이 > 두 줄의 표준편차 중 큰 쪽이면 '효과가 있다'."""
    effect, unknown = "효과" in str(answer) and "있" in str(answer), "알 수 없" in str(answer)
    if not isinstance(answer, str) or effect == unknown:
        raise AnswerError("'효과가 있다'와 '알 수 없다' 중 하나를 따옴표로 묶어 넣으세요.")
    a, b = (_row(label)["summary"] for label in ("+ ReLU", "+ 학습률 스케줄"))
    if effect == (abs(a["mean"] - b["mean"]) > max(a["std"], b["std"])):
        return None
    return ("두 줄의 평균 차이를 두 줄의 표준편차 중 큰 쪽과 다시 견주세요. 이웃한 두 줄이 아니라 "
            "'+ ReLU'와 맨 아래 줄(부품 셋을 함께 더한 줄)입니다.")  # fmt: skip


@exercise("7-6")
def batch_norm_everywhere(answer: Any) -> str | None:
    """C5·F6 뒤에도 배치 정규화(유닛마다 값 4개, 앞 층의 편향은 뺌)를 둔 모델의 파라미터 수."""
    value, units = numbers(answer, 1, "파라미터 수", integer=True)[0], 120 + 84  # C5·F6 유닛 수
    expected = _row("+ 배치 정규화")["params"] + 3 * units  # 유닛마다 값 4개를 더하고 편향 1개를 뺌
    hints = {expected + units: "C5·F6의 편향은 뺍니다 (배치 정규화가 평균을 빼므로).",
             expected - 2 * units: "배우지 않는 이동 평균·분산도 파라미터로 셉니다."}  # fmt: skip
    return hints.get(value) or number_hint(value, expected, hint="배치 정규화 줄에서 출발하세요.")


@exercise("7-7")
def epochs_for_paper_images(answer: Any) -> str | None:
    """논문만큼(60,000장씩 20번) 보려면 이 장의 에포크(54,000장)가 몇 번 필요한지 (올림)."""
    value = numbers(answer, 1, "에포크 수", integer=True)[0]
    expected = -(-PAPER_PASSES * PASS_IMAGES // EPOCH_IMAGES)  # 올림 나눗셈
    hints = {PAPER_PASSES: "이 장의 한 에포크는 논문의 한 번(60,000장)보다 적습니다.",
             expected - 1: "그 에포크 수로는 논문보다 조금 모자랍니다. 올림하세요."}  # fmt: skip
    return hints.get(value) or number_hint(value, expected, hint="본 이미지 수를 비교하세요.")
