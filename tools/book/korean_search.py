"""책의 한국어 검색: 어절에서 조사·어미를 뗀 낱말도 검색 색인에 넣는 Sphinx 검색 언어 (``ko``).

Sphinx의 기본 검색은 띄어쓰기로만 나누므로 "과대적합을"이 색인의 한 낱말이 되고, 다른 쪽에
"과대적합"이 따로 있으면 "과대적합"을 찾아도 "과대적합을"만 쓴 쪽은 나오지 않습니다(부분 일치는
정확히 같은 낱말이 색인에 없을 때만 함). 그래서 어절마다 원래 모양과, 끝의 조사나 자주 붙는
어미(``SUFFIXES``)를 하나 뗀 모양을 함께 색인합니다. 찾는 말은 그대로 찾으므로 브라우저 쪽
(searchtools.js)은 바꾸지 않습니다: "과대적합"도 "과대적합을"도 색인에 있습니다.
영어 낱말은 소문자로만 맞춥니다(어간을 자르지 않음: 색인과 검색창이 같은 규칙이어야 하므로
브라우저 쪽 어간 추출기가 필요 없는 쪽을 고름). "epoch"는 Sphinx의 부분 일치로 "epochs"도 찾습니다.
"""

from __future__ import annotations

import re

#: 어절 끝에서 떼어 볼 조사와 어미 (명사 뒤에 붙는 것). 긴 것도 짧은 것도 모두 떼어 봅니다.
SUFFIXES: tuple[str, ...] = (
    # 조사
    "이", "가", "은", "는", "을", "를", "의", "에", "와", "과", "도", "만", "로", "으로",
    "에서", "에게", "께", "까지", "부터", "처럼", "보다", "마다", "만큼", "대로", "밖에",
    "이나", "나", "이랑", "랑", "에는", "에도", "에서는", "에서도", "으로는", "로는",
    "와는", "과는", "으로서", "로서", "으로써", "로써", "이란", "란", "이라", "라",
    "이라는", "라는", "이라고", "라고", "이라면", "라면", "이라도", "라도", "이든", "든",
    # 서술격 조사 (이다)
    "이다", "다", "입니다", "이고", "이며", "이면", "이지만", "이므로", "였다", "이었다",
    "인", "일", "임", "인지", "일까", "일지", "이야", "이에요", "예요", "이라서", "이어서",
    # 하다·되다 (명사 + 하다: 과대적합하다, 정규화된)
    "하다", "한다", "합니다", "하는", "한", "할", "하면", "하고", "하여", "해", "해서",
    "했다", "하지", "함", "되다", "된다", "됩니다", "되는", "된", "될", "되면", "되고",
    "되어", "돼", "됐다", "되지", "됨", "시킨다", "시키는", "시키면",
)  # fmt: skip
_HANGUL = re.compile(r"[가-힣]")


def variants(word: str) -> list[str]:
    """어절 하나를 색인할 낱말들: 원래 모양 + 조사·어미를 하나 뗀 모양들 (앞이 남는 것만)."""
    found = [word]
    if _HANGUL.fullmatch(word[-1:]):
        for suffix in SUFFIXES:
            stem = word[: -len(suffix)]
            if word.endswith(suffix) and stem and stem not in found:
                found.append(stem)
    return found


def split(text: str) -> list[str]:
    """검색 색인에 넣을 낱말들: Sphinx처럼 ``\\w+``로 나눈 어절마다 :func:`variants`."""
    return [form for word in re.findall(r"\w+", text) for form in variants(word)]


def setup(app):
    """Sphinx 확장: 검색 언어 ``ko`` 등록 (``html_search_language = "ko"``)."""
    from sphinx.search import SearchLanguage  # Sphinx는 책을 만들 때만 있음 (book 묶음)

    class SearchKorean(SearchLanguage):
        """한국어 검색 언어: 어절마다 원래 모양과 조사·어미를 뗀 낱말."""

        lang = "ko"
        language_name = "Korean"

        def split(self, input: str) -> list[str]:
            return split(input)

    app.add_search_language(SearchKorean)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
