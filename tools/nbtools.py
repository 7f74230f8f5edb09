"""노트북 도구: 정규형 저장, 테스트 준비(papermill), 헤드리스 실행(make run).

사용법 (저장소 루트에서)::

    python -m tools.nbtools normalize notebooks/*.ipynb        # 정규형으로 다시 저장
    python -m tools.nbtools check-canonical notebooks/*.ipynb  # 정규형이 아니면 실패
    python -m tools.nbtools prepare notebooks/*.ipynb --out build/nbtest   # make test
    python -m tools.nbtools run notebooks/*.ipynb --out build              # make run

정규형: 한글은 이스케이프하지 않고(ensure_ascii=False), 키 정렬, 실행 번호 없음,
kernelspec ``python3``, 출력은 ``# NBVAL_CHECK_OUTPUT`` 셀의 텍스트 출력만 보관.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import nbformat

CHECK_MARKER = "# NBVAL_CHECK_OUTPUT"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
TEXT_MIME = ("text/plain",)
PROBLEM_PATTERNS = {
    "traceback": re.compile(r"Traceback \(most recent call last\)|\x1b\[0;31m-{10,}"),
    "glyph": re.compile(r"Glyph \d+ .*missing from", re.S),
    # 셀 출력에 찍힌 파이썬 경고 (RuntimeWarning, UserWarning ...): 학생은 영어 경고를 고칠 수 없음
    "warning": re.compile(r"^.*\b[A-Z]\w*Warning: .*$", re.M),
}
#: 학생이 어찌할 수 없는 제3자 경고 (있는 그대로의 정규식, 이유와 함께)
ALLOWED_WARNINGS = [
    # lenetlib 자신의 한국어 경고(speed.enable을 늦게 부름 등)는 학생이 읽고 따를 수 있음
    re.compile(r"[가-힣]"),
]

#: make test에서 쓰는 빠른 매개변수 (노트북에 있는 이름만 전달)
FAST_PARAMETERS: dict[str, Any] = {
    "TRAIN_LIMIT": 3000,
    "EPOCHS": 2,
    "FORCE_RETRAIN": False,
}


# ---------------------------------------------------------------------------
# Colab: 저장소 주소 한 곳(pyproject.toml [project.urls] Repository)에서 배지·첫 셀·README를 만듦
# ---------------------------------------------------------------------------
ROOT = Path(__file__).resolve().parent.parent
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
SETUP_TEMPLATE = """\
# 준비 블록 (모든 장 공통): lenetlib이 없으면(Colab 등) 먼저 설치하고, 도우미 패키지와 버전 확인
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("lenetlib") is None:  # 저장소 밖에서 처음 열었을 때만
    LENETLIB_SOURCE = os.environ.get("LENETLIB_SOURCE", "{source}").strip()
    print(f"lenetlib을 설치합니다: {{LENETLIB_SOURCE!r}} (TensorFlow가 이미 있으면 1분, 없으면 3~5분)")
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", LENETLIB_SOURCE],
                         capture_output=True, text=True) if LENETLIB_SOURCE else None
    importlib.invalidate_caches()
    if importlib.util.find_spec("lenetlib") is None:
        why = "pip이 실패했습니다: " + pip.stderr.strip()[-300:] if pip else "LENETLIB_SOURCE가 비어 있습니다"
        raise RuntimeError(
            f"lenetlib을 설치하지 못했습니다 ({{why}}).\\n① 설치 위치 LENETLIB_SOURCE={{LENETLIB_SOURCE!r}}가 "
            "git 주소, 폴더, 휠(.whl) 파일인지 확인하세요 (지우면 기본 주소).\\n② 인터넷 연결을 확인하세요.\\n"
            "③ 고친 뒤 런타임(커널)을 다시 시작하고 이 셀부터 다시 실행하세요."
        )

import numpy as np
import pandas as pd

import lenetlib
from lenetlib import (
    artifacts, config, data, error_analysis, evaluation, exercises, layers, model, plotting, preprocessing, speed, training,
)
import keras  # lenetlib이 TensorFlow를 조용히 불러온 뒤라 시작 로그가 셀에 찍히지 않습니다

print(f"lenetlib {{lenetlib.__version__}}, Keras {{keras.__version__}}")"""
README_START, README_END = "<!-- colab:start -->", "<!-- colab:end -->"


def repository() -> str:
    """pyproject.toml의 ``[project.urls] Repository`` (끝의 / 없이)."""
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return data["project"]["urls"]["Repository"].rstrip("/")


def pip_source(repo: str) -> str:
    return f"lenetlib @ git+{repo}.git"


def badge(repo: str, notebook: str) -> str:
    """``notebook``: 저장소 안 경로 (예: ``notebooks/01_data.ipynb``, ``solutions/03_model.ipynb``)."""
    owner_name = repo.removeprefix("https://github.com/")
    url = f"https://colab.research.google.com/github/{owner_name}/blob/main/{notebook}"
    return f"[![Colab에서 열기]({BADGE_IMAGE})]({url})"


def readme_block(repo: str) -> str:
    return f"""{README_START}
- **Colab**: 각 장 맨 위의 "Colab에서 열기" 배지를 누르면 그 장이 Colab에서 열립니다. 첫 셀(준비 블록)이
  `lenetlib`이 없음을 알아채고 `pip install "{pip_source(repo)}"`로 설치한 뒤 그대로 이어서
  실행합니다 (런타임 재시작 필요 없음). 설치에 실패하면 무엇이 잘못됐는지와 할 일(설치 위치, 인터넷,
  런타임 재시작)을 한국어로 알려 주고 멈춥니다. 데이터와 훈련 결과는 사용자 캐시 폴더(`~/.cache/lenetlib`)에 둡니다.
  다른 곳에서 설치하려면 환경 변수 `LENETLIB_SOURCE`에 pip 요구 사항(git 주소, 폴더, 휠 파일)을 넣으세요.
  저장소 주소: {repo}. 한글 글꼴은 `koreanize-matplotlib` 패키지에 든 나눔고딕을 `lenetlib`이 직접 등록하므로
  `apt` 설치나 런타임 재시작이 필요 없습니다.
{README_END}"""


def colab_sync(paths: list[Path]) -> list[Path]:
    """배지(첫 마크다운 셀의 둘째 줄)와 준비 블록(첫 코드 셀), README 블록을 주소에 맞춥니다."""
    repo = repository()
    changed = []
    for path in paths:
        nb = json.loads(path.read_text(encoding="utf-8"))
        first_md = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
        lines = "".join(first_md["source"]).split("\n")
        body = [ln for ln in lines[1:] if not ln.startswith("[![Colab에서 열기]")]
        first_md["source"] = "\n".join(
            [lines[0], "", badge(repo, path.resolve().relative_to(ROOT).as_posix()), *body]
        ).replace("\n\n\n", "\n\n")
        first_code = next(c for c in nb["cells"] if c["cell_type"] == "code")
        first_code["source"] = SETUP_TEMPLATE.format(source=pip_source(repo))
        text = dumps(canonical(nb))
        if text != path.read_text(encoding="utf-8"):
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    readme = ROOT / "README.md"
    old = readme.read_text(encoding="utf-8")
    start, end = old.index(README_START), old.index(README_END) + len(README_END)
    new = old[:start] + readme_block(repo) + old[end:]
    if new != old:
        readme.write_text(new, encoding="utf-8")
        changed.append(readme)
    return changed


def fast_parameters(out_dir: Path) -> dict[str, Any]:
    """빠른 매개변수. 산출물은 ``out_dir/artifacts``에 두어 학생의 것을 건드리지 않음."""
    return {**FAST_PARAMETERS, "ARTIFACTS_DIR": str((out_dir / "artifacts").resolve())}


# ---------------------------------------------------------------------------
# 정규형
# ---------------------------------------------------------------------------


def _keeps_output(cell: dict) -> bool:
    return cell.get("cell_type") == "code" and CHECK_MARKER in "".join(cell.get("source", ""))


def _text_outputs(outputs: list[dict]) -> list[dict]:
    kept = []
    for out in outputs:
        kind = out.get("output_type")
        if kind == "stream":
            kept.append({"name": out["name"], "output_type": "stream", "text": out["text"]})
        elif kind in ("execute_result", "display_data"):
            data = {k: v for k, v in out.get("data", {}).items() if k in TEXT_MIME}
            if data:
                kept.append(
                    {
                        "data": data,
                        "metadata": {},
                        "output_type": "execute_result",
                        "execution_count": None,
                    }
                )
    return kept


def canonical(nb: dict) -> dict:
    """노트북 사전을 정규형으로 바꾼 새 사전."""
    nb = json.loads(json.dumps(nb))
    nb["metadata"] = {
        "kernelspec": dict(KERNELSPEC),
        "language_info": {"name": "python"},
    }
    nb["nbformat"], nb["nbformat_minor"] = 4, max(5, nb.get("nbformat_minor", 5))
    for cell in nb["cells"]:
        cell.setdefault("id", uuid.uuid4().hex[:8])  # make record가 셀을 id로 짝짓습니다
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        cell["source"] = source
        tags = cell.get("metadata", {}).get("tags")
        cell["metadata"] = {"tags": tags} if tags else {}
        if cell["cell_type"] == "code":
            cell["execution_count"] = None
            cell["outputs"] = _text_outputs(cell.get("outputs", [])) if _keeps_output(cell) else []
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    return nb


def dumps(nb: dict) -> str:
    return json.dumps(nb, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def normalize(paths: list[Path]) -> list[Path]:
    changed = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        new = dumps(canonical(json.loads(text)))
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed


def non_canonical(paths: list[Path]) -> list[Path]:
    bad = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if dumps(canonical(json.loads(text))) != text:
            bad.append(path)
    return bad


# ---------------------------------------------------------------------------
# 실행 결과 검사
# ---------------------------------------------------------------------------


def output_text(out: dict) -> str:
    if out.get("output_type") == "stream":
        return "".join(out.get("text", ""))
    if out.get("output_type") == "error":
        return "Traceback (most recent call last)\n" + "\n".join(out.get("traceback", []))
    data = out.get("data", {})
    return "".join(data.get("text/plain", ""))


def exit_code(failures: list[str]) -> int:
    """실행기(browser, outside)의 끝: 실패를 표준 오류에 한 줄씩 찍고 종료 코드 (없으면 0)."""
    for failure in failures:
        print("실패:", failure, file=sys.stderr)
    return 1 if failures else 0


def problems(outputs: list[dict]) -> dict[str, int]:
    """출력 목록에서 Traceback과 'Glyph ... missing' 경고 수를 셉니다."""
    counts = dict.fromkeys(PROBLEM_PATTERNS, 0)
    for out in outputs:
        text = output_text(out)
        for name, pattern in PROBLEM_PATTERNS.items():
            found = pattern.findall(text)
            if name == "warning":
                found = [w for w in found if not any(a.search(w) for a in ALLOWED_WARNINGS)]
            counts[name] += len(found)
    return counts


def notebook_problems(path: Path) -> dict[str, int]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    total = dict.fromkeys(PROBLEM_PATTERNS, 0)
    for cell in nb["cells"]:
        for name, count in problems(cell.get("outputs", [])).items():
            total[name] += count
    return total


# ---------------------------------------------------------------------------
# papermill 준비와 실행
# ---------------------------------------------------------------------------


def parameters_for(path: Path, wanted: dict[str, Any]) -> dict[str, Any]:
    """``wanted`` 가운데 그 노트북의 parameters 셀에 있는 이름만 (papermill이 모르는 이름은 뺌)."""
    import papermill

    names = set(papermill.inspect_notebook(str(path)))
    return {k: v for k, v in wanted.items() if k in names}


def prepare(paths: list[Path], out_dir: Path, parameters: dict[str, Any]) -> list[Path]:
    """papermill로 빠른 매개변수를 주입한 사본을 만들고, 검사할 셀에 실행 번호를 붙입니다.

    nbval은 실행 번호가 없는 셀의 저장된 출력을 비교하지 않으므로(정규형에는 번호가 없음)
    ``# NBVAL_CHECK_OUTPUT`` 셀에만 번호를 붙여 비교 대상으로 만듭니다.
    """
    import papermill

    out_dir.mkdir(parents=True, exist_ok=True)
    prepared = []
    for path in paths:
        target = out_dir / path.name
        papermill.execute_notebook(
            str(path),
            str(target),
            parameters=parameters_for(path, parameters),
            prepare_only=True,
            kernel_name="python3",
            progress_bar=False,
        )
        nb = nbformat.read(target, as_version=4)
        count = 0
        for cell in nb.cells:
            if cell.cell_type == "code":
                count += 1
                cell.execution_count = count if cell.outputs else None
        nbformat.write(nb, target)
        prepared.append(target)
    return prepared


def run(
    paths: list[Path], out_dir: Path, parameters: dict[str, Any], *, fresh: bool = False
) -> tuple[int, dict[str, float]]:
    """노트북을 차례로 실행하고 HTML을 만든 뒤, 문제(Traceback, 글꼴 경고)와 걸린 초를 셉니다."""
    import papermill
    from nbconvert import HTMLExporter

    out_dir.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter()
    failures, timings = 0, {}
    total_start = time.perf_counter()
    for path in paths:
        key = timing_key(path)
        target = out_dir / key
        target.parent.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        print(f"== 실행: {key}", flush=True)
        try:
            papermill.execute_notebook(
                str(path),
                str(target),
                parameters=parameters_for(
                    path, {**parameters, **(RETRAIN if fresh and key in TRAINS else {})}
                ),
                kernel_name="python3",
                cwd=str(path.parent),
                progress_bar=False,
            )
        except papermill.PapermillExecutionError as exc:
            print(f"   실패: {exc.ename}: {exc.evalue}", flush=True)
            failures += 1
        html, _ = exporter.from_filename(str(target))
        target.with_suffix(".html").write_text(html, encoding="utf-8")
        found = notebook_problems(target)
        failures += sum(found.values()) > 0
        timings[key] = round(time.perf_counter() - start, 1)
        print(
            f"   {timings[key]:.0f}초, Traceback {found['traceback']}개, "
            f"글꼴 경고 {found['glyph']}개, 영어 경고 {found['warning']}개 -> {target} (+ .html)",
            flush=True,
        )
    print(f"== 전체 {time.perf_counter() - total_start:.0f}초, 실패 {failures}개")
    return failures, timings


# ---------------------------------------------------------------------------
# 장 머리말의 실행 시간: make timings가 CPU 종류(AVX-512, AVX2)마다 재고(docs/timings.json) 쓰며,
# make run은 재어 둔 값과 이번 값을 나란히 보여 줄 뿐 시간 때문에 실패하지 않습니다.
# ---------------------------------------------------------------------------
TIMINGS = ROOT / "docs" / "timings.json"
TIME_MARK = "⏱"
#: make run과 make timings에서 저장된 모델을 쓰지 않고 새로 훈련하는 장 (처음 실행하는 학생과 같게)
TRAINS = ("04_training.ipynb", "07_paper.ipynb")
RETRAIN = {"FORCE_RETRAIN": True}


def timing_key(path: Path) -> str:
    """docs/timings.json의 이름: 장은 파일 이름, 풀이는 ``solutions/파일 이름`` (장과 이름이 같음)."""
    return f"solutions/{path.name}" if path.parent.name == "solutions" else path.name


def _duration(seconds: float) -> str:
    if seconds < 57.5:
        return f"{max(5, int(seconds / 5 + 0.5) * 5)}초"
    minutes, rest = divmod(int(seconds / 10 + 0.5) * 10, 60)
    return f"{minutes:.0f}분" + (f" {rest:.0f}초" if rest else "")


#: 머리말에 시간을 적는 CPU 종류 (lenetlib._internal.cpu.cpu_kind의 첫 낱말)
CPU_KINDS = ("AVX-512", "AVX2")


def this_cpu_kind() -> str:
    from lenetlib._internal.cpu import cpu_kind

    return cpu_kind().split()[0]


def time_line(per_kind: dict[str, tuple[float, float]]) -> str:
    """CPU 종류마다 (기본, 빠른 매개변수) 초 → 머리말 한 줄. 재지 않은 종류는 그렇다고 적습니다."""
    parts = [
        f"{kind} CPU에서 기본 매개변수 약 {_duration(full)}, 빠른 매개변수(자동 테스트) 약 "
        f"{_duration(fast)}"
        for kind, (full, fast) in per_kind.items()
    ]
    missing = [kind for kind in CPU_KINDS if kind not in per_kind]
    note = f" ({', '.join(missing)} CPU에서는 아직 재지 않았습니다)" if missing else ""
    head = (
        f"{TIME_MARK} 실행 시간 (이 강의를 만든 컴퓨터가 한가할 때 잰 값: 2코어, GPU 없음, 처음부터 끝까지; "
        "CPU 종류는 부록 A 0절)"
    )
    return f"{head}: {'; '.join(parts)}{note}"


def measured_times(name: str, measured: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """docs/timings.json에서 한 장의 (기본, 빠른) 초를 CPU 종류마다."""
    return {
        kind: (rec["full"][name], rec["fast"][name])
        for kind, rec in measured["kinds"].items()
        if name in rec.get("full", {}) and name in rec.get("fast", {})
    }


def timings_sync(paths: list[Path]) -> list[Path]:
    """docs/timings.json의 재어 둔 시간을 각 장 첫 마크다운 셀(배지 다음 줄)에 씁니다."""
    measured = json.loads(TIMINGS.read_text(encoding="utf-8"))
    changed = []
    for path in paths:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
        lines = [ln for ln in "".join(cell["source"]).split("\n") if not ln.startswith(TIME_MARK)]
        at = next((i + 1 for i, ln in enumerate(lines) if ln.startswith("[![")), 1)
        line = time_line(measured_times(timing_key(path), measured))
        cell["source"] = "\n".join([*lines[:at], "", line, *lines[at:]]).replace("\n\n\n", "\n\n")
        text = dumps(canonical(nb))
        if text != path.read_text(encoding="utf-8"):
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def measure_timings(paths: list[Path], out_dir: Path) -> int:
    """기본·빠른 매개변수로 각각 실행해 걸린 초를 docs/timings.json에 쓰고 머리말을 맞춥니다."""
    failures, full = run(paths, out_dir / "full", {}, fresh=True)
    fast_failures, fast = run(paths, out_dir / "fast", fast_parameters(out_dir / "fast"))
    import platform

    from lenetlib._internal.cpu import cpu_info

    everything = json.loads(TIMINGS.read_text(encoding="utf-8")) if TIMINGS.is_file() else {}
    kinds = everything.setdefault("kinds", {})
    old = kinds.get(this_cpu_kind(), {})
    kinds[this_cpu_kind()] = {
        "measured_on": f"{cpu_info()['model']}, {os.cpu_count()}코어 {platform.machine()}, GPU 없음",
        "date": time.strftime("%Y-%m-%d"),
        "full": {**old.get("full", {}), **full},
        "fast": {**old.get("fast", {}), **fast},
    }  # fmt: skip  (일부 장만 다시 재도 됨)
    TIMINGS.write_text(
        json.dumps(everything, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    for path in timings_sync(paths):
        print(f"실행 시간 갱신: {path}")
    return failures + fast_failures


def timing_report(measured: dict[str, float], kind: str | None = None) -> list[str]:
    """make run이 잰 시간과 머리말(같은 CPU 종류)의 시간을 장마다 한 줄로. 2배 넘게 다르면 '참고'.

    알려 주기만 합니다: 컴퓨터가 느리다고 make run이 실패하지는 않습니다."""
    kind = kind or this_cpu_kind()
    kinds = (
        json.loads(TIMINGS.read_text(encoding="utf-8")).get("kinds", {})
        if TIMINGS.is_file()
        else {}
    )
    claimed = kinds.get(kind, {}).get("full", {})
    lines = []
    for name, seconds in measured.items():
        stated = claimed.get(name)
        if stated is None:
            lines.append(f"{name}: 이번 {seconds:.0f}초 (머리말에 {kind} CPU의 시간이 없음)")
            continue
        line = f"{name}: 이번 {seconds:.0f}초, 머리말({kind}) {stated:.0f}초"
        if not stated / 2 <= seconds <= stated * 2:
            line += " — 참고: 2배 넘게 다름 (다른 작업이 있었거나 CPU가 다름; make timings로 다시 잴 수 있음)"
        lines.append(line)
    return lines


def record(paths: list[Path], parameters: dict[str, Any], scratch: Path) -> None:
    """노트북을 빠른 매개변수로 실행하고, 검사할 셀의 출력만 남겨 원본에 다시 저장합니다.

    ``# NBVAL_CHECK_OUTPUT`` 셀의 기대 출력을 새로 기록할 때 씁니다 (make record).
    """
    import papermill

    for path in paths:
        path.write_text(dumps(canonical(json.loads(path.read_text(encoding="utf-8")))), "utf-8")
        executed = scratch / path.parent.name / path.name  # notebooks/와 solutions/의 같은 이름
        executed.parent.mkdir(parents=True, exist_ok=True)
        papermill.execute_notebook(
            str(path),
            str(executed),
            parameters=parameters_for(path, parameters),
            kernel_name="python3",
            cwd=str(path.parent),
            progress_bar=False,
        )
        result = json.loads(executed.read_text(encoding="utf-8"))
        source = json.loads(path.read_text(encoding="utf-8"))
        outputs = {c.get("id"): c.get("outputs", []) for c in result["cells"]}
        for cell in source["cells"]:
            if _keeps_output(cell):
                cell["outputs"] = outputs.get(cell.get("id"), [])
        path.write_text(dumps(canonical(source)), encoding="utf-8")
        print(f"기록됨: {path}")


def final_accuracy() -> str:
    from lenetlib.config import default_artifacts_dir

    path = default_artifacts_dir() / "metrics.json"
    try:
        metrics = json.loads(path.read_text(encoding="utf-8"))
        return f"{float(metrics['test_accuracy']) * 100:.2f}% ({path})"
    except (OSError, ValueError, KeyError, TypeError):
        return f"알 수 없음 ({path}을(를) 읽지 못함)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.nbtools")
    parser.add_argument(
        "command",
        choices=["normalize", "check-canonical", "prepare", "record", "run", "colab", "timings"],
    )
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=Path("build"))
    args = parser.parse_args(argv)
    paths = sorted(args.notebooks)
    if args.command == "normalize":
        for path in normalize(paths):
            print(f"정규형으로 저장: {path}")
        return 0
    if args.command == "colab":
        for path in colab_sync(paths):
            print(f"저장소 주소({repository()})에 맞춤: {path}")
        return 0
    if args.command == "check-canonical":
        bad = non_canonical(paths)
        for path in bad:
            print(f"정규형이 아님: {path} (make format으로 고치세요)", file=sys.stderr)
        return 1 if bad else 0
    if args.command == "prepare":
        for path in prepare(paths, args.out, fast_parameters(args.out)):
            print(f"준비됨: {path}")
        return 0
    if args.command == "record":
        record(paths, fast_parameters(args.out), args.out)
        return 0
    if args.command == "timings":
        return 1 if measure_timings(paths, args.out) else 0
    failures, timings = run(paths, args.out, {}, fresh=True)
    print(f"최종 테스트 정확도: {final_accuracy()}")
    print(f"== 실행 시간 (이 컴퓨터: {this_cpu_kind()} CPU)")
    for line in timing_report(timings):
        print(f"   {line}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
