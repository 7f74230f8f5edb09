"""한국어 메시지의 조사를 앞말에 맞춥니다. (내부용, 모든 메시지가 씀)"""

from __future__ import annotations

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3


def _particle(word: str, after_consonant: str, after_vowel: str) -> str:
    last = word.rstrip().rstrip("`'\")]")[-1:] or " "
    code = ord(last)
    if not _HANGUL_FIRST <= code <= _HANGUL_LAST:
        return f"{word}{after_consonant}({after_vowel})"  # 영문 이름 등: x은(는)
    has_final = (code - _HANGUL_FIRST) % 28 != 0
    return word + (after_consonant if has_final else after_vowel)


def topic(word: str) -> str:
    """'이미지' → '이미지는', '레이블' → '레이블은', 'x' → 'x은(는)'."""
    return _particle(word, "은", "는")


def subj(word: str) -> str:
    """'이미지' → '이미지가', '레이블' → '레이블이', 'x' → 'x이(가)'."""
    return _particle(word, "이", "가")


def obj(word: str) -> str:
    """'이미지' → '이미지를', '레이블' → '레이블을', 'x' → 'x을(를)'."""
    return _particle(word, "을", "를")
