"""오류 메시지 조사 처리 (lenetlib._korean)."""

from __future__ import annotations

from lenetlib._korean import obj, topic


def test_particles_follow_final_consonant():
    assert topic("입력 이미지") == "입력 이미지는"
    assert topic("레이블") == "레이블은"
    assert obj("이미지") == "이미지를"
    assert obj("원-핫 레이블") == "원-핫 레이블을"


def test_non_hangul_words_keep_both_forms():
    assert topic("x") == "x은(는)"
    assert obj("confidences") == "confidences을(를)"
