"""tools/probe.py (make probe): 이슈 #18의 탐침 모음이 충분하고, 나쁜 것을 나쁘다고 셉니다.

전체(약 500개, TensorFlow와 작은 훈련 포함)는 ``make probe``가 돌리고, 여기서는 탐침 표와 판정
기계, 그리고 TensorFlow 없이 빠른 손글씨 탐침 전부를 실행합니다.
"""

from __future__ import annotations

import time
import warnings

import matplotlib.pyplot as plt
import pytest

from tools import probe


def test_the_table_has_at_least_150_probes_with_unique_names_in_every_area():
    names = [p.name for p in probe.PROBES]
    assert len(names) >= 150, len(names)
    assert len(set(names)) == len(names), sorted(n for n in names if names.count(n) > 1)
    assert {p.area for p in probe.PROBES} == set(probe.AREAS)
    assert all(p.name.startswith(f"{p.area}.") and p.timeout > 0 for p in probe.PROBES)


def _korean_error():
    raise ValueError("이미지는 (높이, 너비)여야 합니다. 받은 모양: (3,).")


def _lose_a_user_file():
    folder = probe.scratch("meta-decoys")
    with probe.decoys(folder):
        (folder / probe.DECOYS[0]).unlink()


def _leave_a_figure():
    with probe.no_new_figures():
        plt.figure()


def _leave_a_temp_file():
    folder = probe.scratch("meta-leftover")
    (folder / ".lenet5.1.ab.lenetlib-tmp.keras").write_bytes(b"half")
    probe.no_leftovers(folder)


@pytest.mark.parametrize(
    ("run", "timeout", "reason"),
    [
        (lambda: probe.raises(int, "seven"), 5, "영어 ValueError 메시지"),
        (lambda: probe.raises(lambda: [][1]), 5, "프로젝트의 오류가 아님: IndexError"),
        (lambda: probe.raises(lambda: 7), 5, "오류 없이 끝남"),
        (lambda: probe.raises(_korean_error, match="0~255"), 5, "메시지에 '0~255'"),
        (lambda: time.sleep(5), 0.2, "멈춤"),
        (lambda: warnings.warn("English only", UserWarning, stacklevel=1), 5, "영어 경고"),
        (lambda: probe.korean("숫자 \x1b[31m빨강\x1b[0m"), 5, "ANSI"),
        (lambda: probe.korean("이미지: 'list' object has no attribute 'shape'"), 5, "내부 문구"),
        (_lose_a_user_file, 5, "사용자 파일이 지워지거나 바뀜"),
        (_leave_a_figure, 5, "열린 채 남음"),
        (_leave_a_temp_file, 5, "반쯤 쓴"),
        (lambda: probe.same(probe.np.zeros(3, "uint8"), probe.np.ones(3, "uint8")), 5, "다름"),
    ],
    ids=["english", "other-error", "silent", "wrong-message", "hang", "warning", "ansi",
         "python-text", "user-file", "figure", "leftover", "wrong-result"],
)  # fmt: skip
def test_the_judge_counts_each_kind_of_failure_as_bad(run, timeout, reason):
    try:
        outcome = probe.run_probe(probe.Probe("handwriting", "handwriting.meta", run, timeout))
    finally:
        probe.cleanup()
    assert not outcome.good and reason in outcome.reason, outcome.reason


def test_the_judge_counts_a_korean_error_as_good():
    good = probe.run_probe(probe.Probe("handwriting", "handwriting.meta", lambda: probe.raises(
        _korean_error, match="받은 모양")))  # fmt: skip
    assert good.good, good.reason


def test_every_handwriting_probe_is_good():
    """TensorFlow 없는 영역 하나를 통째로 (나머지 영역은 make probe)."""
    outcomes = probe.run_all(probe.select("handwriting."))
    assert len(outcomes) >= 100
    bad = [f"{o.probe.name}: {o.reason}" for o in outcomes if not o.good]
    assert not bad, "\n".join(bad)
    assert not probe._ROOT_DIR  # 임시 폴더는 지움
