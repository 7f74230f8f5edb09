"""프로젝트 구성 검사: 의존성 목록의 일치, 제약 파일, 필수 파일, 정규형 노트북."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from tools import nbtools

ROOT = Path(__file__).resolve().parent.parent
CONDA_ONLY = {"python", "pip", "graphviz"}  # conda 쪽에만 있는 항목 (graphviz는 plot_model용)
BOOK_ONLY = ("book",)  # make book(유지보수자)만 쓰는 묶음: 학생의 conda 환경에는 넣지 않음


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ ;\[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _pyproject_requirements(skip: tuple[str, ...] = ()) -> dict[str, str]:
    project = _pyproject()["project"]
    reqs = list(project["dependencies"])
    for group, extra in project["optional-dependencies"].items():
        if group not in skip:
            reqs += extra
    return {_name(r): r.replace(" ", "") for r in reqs}


def _environment_requirements() -> dict[str, str]:
    import yaml

    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    items: list[str] = []
    for dep in env["dependencies"]:
        items += dep["pip"] if isinstance(dep, dict) else [dep]
    return {_name(i): i.replace(" ", "") for i in items if not i.startswith("-e")}


def test_environment_yml_matches_pyproject():
    py = _pyproject_requirements(skip=BOOK_ONLY)
    conda = {k: v for k, v in _environment_requirements().items() if k not in CONDA_ONLY}
    assert sorted(conda) == sorted(py), "environment.yml과 pyproject.toml의 패키지가 다릅니다"
    for name, spec in py.items():
        assert conda[name] == spec, f"{name}: pyproject {spec} != environment.yml {conda[name]}"
    assert "graphviz" in _environment_requirements()


def test_no_hard_pins_in_pyproject():
    for spec in _pyproject_requirements().values():
        assert "==" not in spec, f"pyproject.toml에는 범위만 적습니다: {spec}"


def test_constraints_pin_every_dependency():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[_name(name)] = version.strip()
    missing = set(_pyproject_requirements()) - set(pins)
    assert not missing, f"constraints.txt에 버전이 고정되지 않은 패키지: {sorted(missing)}"


def test_required_layout():
    for name in ["notebooks", "lenetlib", "tests", "environment.yml", "README.md", "Makefile",
                 "pyproject.toml", ".ci/run"]:  # fmt: skip
        assert (ROOT / name).exists(), name
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ["install", "data", "run", "lab", "test", "lint", "bench", "clean"]:
        assert re.search(rf"^{target}:", makefile, re.M), f"Makefile에 {target} 대상이 없습니다"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


#: tests/에 테스트가 아니어도 되는 파일: pytest가 정해 둔 이름들
TEST_SUPPORT = {"__init__.py", "conftest.py"}


def _tests_folder_problems(folder: Path) -> list[str]:
    """tests/ 안에서 테스트(test_*.py)도 pytest 지원 파일도 아닌 .py 파일."""
    return sorted(
        p.name for p in folder.glob("*.py") if not p.name.startswith("test_")
        and p.name not in TEST_SUPPORT
    )  # fmt: skip


def test_tests_folder_holds_only_tests(tmp_path):
    """실행기·하네스는 tools/, 예제는 examples/에 둡니다 (이슈 #19)."""
    assert _tests_folder_problems(ROOT / "tests") == []
    (tmp_path / "test_a.py").touch()
    (tmp_path / "runner.py").touch()
    assert _tests_folder_problems(tmp_path) == ["runner.py"]  # 검사가 실패할 수 있음


def _private_reaches(path: Path) -> list[str]:
    """스크립트가 부르는 lenetlib 내부(_internal)나 bench/ 모듈."""
    text = path.read_text(encoding="utf-8")
    return re.findall(r"^\s*(?:from|import) (lenetlib\._internal\S*|lenetlib\.\w+\._\w+|bench\S*)",
                      text, flags=re.M)  # fmt: skip


def test_scripts_use_only_the_public_library(tmp_path):
    bad = {p.name: r for p in (ROOT / "scripts").glob("*.py") if (r := _private_reaches(p))}
    assert bad == {}
    planted = tmp_path / "s.py"
    planted.write_text("def f():\n    from lenetlib._internal import atomic\n", encoding="utf-8")
    assert _private_reaches(planted) == ["lenetlib._internal"]


def test_import_lenetlib_does_not_load_tensorflow():
    import subprocess
    import sys

    code = (
        "import sys, lenetlib, lenetlib.config, lenetlib.data; print('tensorflow' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- 노트북 정규형 --------------------------------------------------------------


NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_canonical(path):
    assert not nbtools.non_canonical([path]), f"{path.name}: make format으로 정규형으로 저장하세요"
    text = path.read_text(encoding="utf-8")
    assert "\\uac" not in text.lower(), "한글이 이스케이프되어 있습니다"
    assert '"image/png"' not in text


def test_canonical_form_rules():
    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "other"}, "widgets": {}},
        "cells": [
            {"cell_type": "markdown", "id": "a", "metadata": {"x": 1}, "source": ["# 제목"]},
            {"cell_type": "code", "id": "b", "metadata": {"tags": ["parameters"]},
             "execution_count": 3, "source": "x = 1",
             "outputs": [{"output_type": "stream", "name": "stdout", "text": "1\n"}]},
            {"cell_type": "code", "id": "c", "metadata": {}, "execution_count": 4,
             "source": "# NBVAL_CHECK_OUTPUT\nprint(x)",
             "outputs": [{"output_type": "display_data", "metadata": {},
                          "data": {"image/png": "AAAA", "text/plain": "<Figure>"}},
                         {"output_type": "stream", "name": "stdout", "text": "모양\n"}]},
        ],
    }  # fmt: skip
    out = nbtools.canonical(nb)
    assert out["metadata"]["kernelspec"]["name"] == "python3"
    code_b, code_c = out["cells"][1], out["cells"][2]
    assert code_b["execution_count"] is None and code_b["outputs"] == []
    assert code_b["metadata"] == {"tags": ["parameters"]}
    assert [o["output_type"] for o in code_c["outputs"]] == ["execute_result", "stream"]
    assert "image/png" not in nbtools.dumps(out) and "모양" in nbtools.dumps(out)
    assert nbtools.dumps(nbtools.canonical(out)) == nbtools.dumps(out)


def test_problem_detection():
    outs = [
        {"output_type": "stream", "name": "stderr",
         "text": "UserWarning: Glyph 54984 (\\N{HANGUL SYLLABLE HUN}) missing from font(s) X."},
        {"output_type": "error", "ename": "ValueError", "evalue": "x", "traceback": ["..."]},
        {"output_type": "stream", "name": "stdout", "text": "정상 출력"},
    ]  # fmt: skip
    assert nbtools.problems(outs) == {"traceback": 1, "glyph": 1, "warning": 1}
    assert nbtools.problems(outs[2:]) == {"traceback": 0, "glyph": 0, "warning": 0}


def test_english_warnings_in_cell_output_are_problems():
    """이슈 #10-11: 셀 출력의 영어 RuntimeWarning은 노트북 테스트를 실패시킵니다."""
    runtime = (
        "/x/lenetlib/evaluation.py:12: RuntimeWarning: invalid value encountered in scalar divide\n"
        "  f1 = 2 * precision * recall / (precision + recall)\n"
    )
    korean = "/x/lenetlib/speed.py:40: SpeedWarning: speed.enable()은 준비 블록 뒤에 부르세요.\n"

    def stream(text):
        return [{"output_type": "stream", "name": "stderr", "text": text}]

    assert nbtools.problems(stream(runtime))["warning"] == 1
    assert nbtools.problems(stream(korean))["warning"] == 0
    assert nbtools.problems(stream("경고 없이 끝났습니다 (Warning이라는 낱말만)"))["warning"] == 0


def test_tensorflow_import_is_quiet():
    """TensorFlow의 C++ 로그가 노트북 셀 출력(표준 오류)에 섞이지 않아야 합니다."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    code = "import lenetlib.model, lenetlib.config; lenetlib.config.environment_info()"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""


MODULES = ["config", "data", "preprocessing", "layers", "model", "speed", "training", "artifacts",
           "evaluation", "error_analysis", "plotting"]  # fmt: skip


@pytest.mark.parametrize("name", MODULES)
def test_public_api_is_documented_with_its_chapter(name):
    """공개 함수와 클래스마다 한국어 docstring이 있고, 소개하는 장을 밝힙니다."""
    import importlib
    import inspect

    module = importlib.import_module(f"lenetlib.{name}")
    assert module.__all__, f"lenetlib.{name}에 __all__이 없습니다"
    undocumented = []
    for attr in module.__all__:
        obj = getattr(module, attr)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        doc = inspect.getdoc(obj) or ""
        if not re.search(r"[가-힣]", doc) or not re.search(r"\d장|모든 장|ipynb", doc):
            undocumented.append(attr)
    assert not undocumented, f"장 이름이 있는 한국어 docstring이 없는 항목: {undocumented}"
