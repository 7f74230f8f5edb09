"""docs/api.md가 코드와 맞는지: 모든 공개 이름이 문서에 있고, 문서의 이름이 모두 코드에 있습니다."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
API = ROOT / "docs" / "api.md"
#: 공개 모듈 = lenetlib/ 아래 밑줄로 시작하지 않는 모듈·꾸러미 (새 모듈은 문서 절이 있어야 통과)
MODULES = sorted(
    p.stem if p.is_file() else p.name
    for p in (ROOT / "lenetlib").iterdir()
    if not p.name.startswith("_") and (p.suffix == ".py" or (p / "__init__.py").exists())
)


def _sections() -> dict[str, str]:
    """'## `lenetlib.data` — …' 제목마다 그 절의 본문."""
    text = API.read_text(encoding="utf-8")
    parts = re.split(r"^## `lenetlib\.(\w+)`.*$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_module_has_a_section():
    assert sorted(_sections()) == sorted(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_every_public_name_is_documented(name):
    section = _sections()[name]
    module = importlib.import_module(f"lenetlib.{name}")
    missing = [attr for attr in module.__all__ if not re.search(rf"`{attr}\b", section)]
    assert not missing, f"docs/api.md의 lenetlib.{name} 절에 없는 공개 이름: {missing}"


@pytest.mark.parametrize("name", MODULES)
def test_every_documented_name_exists(name):
    """절 안의 목록 항목 '- `이름(...)`' / '- `이름`'이 모두 모듈에 있습니다."""
    module = importlib.import_module(f"lenetlib.{name}")
    documented = re.findall(r"^- `(\w+)", _sections()[name], flags=re.M)
    assert documented, f"lenetlib.{name} 절에 항목이 없습니다"
    unknown = [attr for attr in documented if not hasattr(module, attr)]
    assert not unknown, f"docs/api.md에는 있지만 lenetlib.{name}에 없는 이름: {unknown}"


@pytest.mark.parametrize("name", MODULES)
def test_documented_signatures_match(name):
    """'- `f(a, b=1)`'처럼 적은 함수 시그니처가 실제 시그니처와 같습니다."""
    import inspect

    module = importlib.import_module(f"lenetlib.{name}")
    wrong = []
    for attr, params in re.findall(r"^- `(\w+)\((.*?)\)`", _sections()[name], flags=re.M):
        obj = getattr(module, attr, None)
        if obj is None or not callable(obj):
            continue
        if inspect.isclass(obj):
            continue
        sig = inspect.signature(obj)
        bare = sig.replace(
            parameters=[p.replace(annotation=p.empty) for p in sig.parameters.values()],
            return_annotation=sig.empty,
        )
        real = str(bare)[1:-1]
        if " ".join(real.split()) != " ".join(params.split()):
            wrong.append(f"{attr}: 문서 ({params}) != 코드 ({real})")
    assert not wrong, "\n".join(wrong)
