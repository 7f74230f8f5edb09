"""이슈 #18 (13): 첫 셀(준비 블록)이 lenetlib 설치에 실패하면 무엇이 잘못됐고 할 일을 한국어로.

lenetlib이 없는 Colab처럼 ``sys.modules["lenetlib"] = None``으로 가린 IPython에서 ``make colab``이
넣는 준비 블록을 그대로 실행합니다. ``PIP_NO_INDEX``로 네트워크를 쓰지 않고, 설치가 성공할 수 없는
설치 위치만 쓰므로 가상환경은 바뀌지 않습니다.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tools import nbtools

DRIVER = """
import sys
sys.modules["lenetlib"] = None  # 설치되지 않은 것처럼 (find_spec은 None, import는 실패)
from IPython.core.interactiveshell import InteractiveShell
result = InteractiveShell.instance().run_cell({cell!r})
print("셀의 오류:", type(result.error_in_exec).__name__)
"""


def _run_setup_cell(source: str | None, tmp_path) -> str:
    cell = nbtools.SETUP_TEMPLATE.format(source=nbtools.pip_source(nbtools.repository()))
    env = {k: v for k, v in os.environ.items() if k != "LENETLIB_SOURCE"}
    env.update(PIP_NO_INDEX="1", PIP_NO_INPUT="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    if source is not None:
        env["LENETLIB_SOURCE"] = source
    done = subprocess.run([sys.executable, "-c", DRIVER.format(cell=cell)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    return done.stdout + done.stderr


@pytest.mark.parametrize(
    "source",
    ["garbage!! @@", "/없는/폴더/lenetlib-9.9.9-py3-none-any.whl", "", "   "],
    ids=["garbage", "missing-wheel", "empty", "blank"],
)
def test_failed_install_says_in_korean_what_failed_and_what_to_do(source, tmp_path):
    out = _run_setup_cell(source, tmp_path)
    assert "셀의 오류: RuntimeError" in out, out
    assert "lenetlib을 설치하지 못했습니다" in out, out
    assert "ModuleNotFoundError" not in out and "No module named" not in out, out
    for step in ("LENETLIB_SOURCE=", "인터넷 연결", "다시 시작"):  # 설치 위치, 네트워크, 재시작
        assert step in out, (step, out)
    if not source.strip():
        assert "비어 있습니다" in out, out
    else:
        assert "pip이 실패했습니다" in out, out


def test_setup_cell_runs_as_plain_python_and_only_installs_when_lenetlib_is_missing():
    cell = nbtools.SETUP_TEMPLATE.format(source="lenetlib @ git+https://example.invalid/x.git")
    compile(cell, "준비 블록", "exec")  # IPython 매직(%pip) 없이: 어느 실행기에서나 같은 동작
    assert cell.index('find_spec("lenetlib") is None') < cell.index("subprocess.run(")
