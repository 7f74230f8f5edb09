"""책의 수식: LaTeX를 빌드할 때 MathML로 바꾸는 Sphinx 수식 렌더러 (``"mathml"``).

MathJax 같은 스크립트도, 인터넷의 글꼴도 없이 브라우저가 수식을 직접 그립니다(MathML Core:
Chromium 109+, Firefox, Safari). 변환은 docutils의 ``latex2mathml``이 합니다. 바꾸지 못하는 수식은
원래 LaTeX를 코드로 보여 주고 경고를 남깁니다 (make book이 경고 수를 알려 줌).
"""

from __future__ import annotations

from docutils import nodes
from docutils.utils.math import MathError
from docutils.utils.math.latex2mathml import tex2mathml
from sphinx.util import logging

logger = logging.getLogger(__name__)


def to_mathml(latex: str, *, block: bool = False) -> str:
    """LaTeX 수식 하나를 MathML 문자열로. 바꾸지 못하면 ``MathError``."""
    return tex2mathml(latex.strip(), as_block=block)


def _render(translator, node, latex: str, block: bool) -> None:
    try:
        html = to_mathml(latex, block=block)
    except MathError as error:
        logger.warning("수식을 MathML로 바꾸지 못했습니다: %s (%s)", latex, error, location=node)
        html = f"<code class='math-fallback'>{translator.encode(latex)}</code>"
    if block:
        html = f"<div class='math-block'>{html}</div>"
    translator.body.append(html)
    raise nodes.SkipNode


def visit_math(translator, node) -> None:
    _render(translator, node, node.astext(), block=False)


def visit_math_block(translator, node) -> None:
    _render(translator, node, node.astext(), block=True)


def setup(app):
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_math_block, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
