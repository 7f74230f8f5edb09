"""저장소 밖에서 학생처럼: 새 Python 3.12·3.13 환경에서 각 장을 홀로 실행 (``make test-outside``).

버전마다:

1. 노트북 실행기(papermill, ipykernel)만 든 새 가상환경을 만듭니다 (lenetlib도 TensorFlow도 없음).
2. 각 장을 빈 폴더에 홀로 복사하고, 그 환경에서 lenetlib을 지운 뒤 빠른 매개변수로 실행합니다.
   첫 셀이 ``LENETLIB_SOURCE``(방금 만든 휠)에서 lenetlib을 정말로 설치해야 통과합니다.
   데이터와 산출물은 장마다 새 사용자 캐시 폴더(임시 ``HOME``)에 둡니다: Colab에서 그 장만
   연 학생과 같습니다.
3. 모든 장이 깨끗하게 끝나야 합니다 (Traceback, 글꼴 경고, 영어 경고 없음).
4. 마지막으로 저장소와 상관없는 폴더에서 강사용 예제(examples/instructor_example.py)를 실행합니다.

찾을 수 없는 Python 버전은 그렇다고 알리고 건너뜁니다 (둘 다 없으면 실패).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tools.nbtools import FAST_PARAMETERS, ROOT, exit_code, notebook_problems, parameters_for

VERSIONS = ("3.12", "3.13")
RUNNER_PACKAGES = ("papermill", "ipykernel")
INSTALL_MESSAGE = "lenetlib을 설치합니다"


def find_python(version: str) -> str | None:
    """PATH의 ``python3.12`` 또는 pyenv의 설치본에서 그 버전의 인터프리터를 찾습니다."""
    found = shutil.which(f"python{version}")
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [found] if found else []
    candidates += sorted(
        glob.glob(str(pyenv_root / "versions" / f"{version}.*" / "bin" / "python3"))
    )
    for candidate in candidates:
        out = subprocess.run(
            [candidate, "-c", "import sys, venv; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
        )
        if out.returncode == 0 and out.stdout.strip() == version:
            return candidate
    return None


def _run(cmd: list[str], **kwargs) -> None:
    print("  $", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run(cmd, check=True, **kwargs)


def build_wheel(out: Path) -> Path:
    """저장소에서 lenetlib 휠을 만듭니다 (편집 가능 설치가 아닌, 학생이 받는 것과 같은 꾸러미)."""
    shutil.rmtree(out, ignore_errors=True)
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)])
    (wheel,) = out.glob("lenetlib-*.whl")
    return wheel


def make_runner_env(python: str, where: Path) -> Path:
    """노트북 실행기만 든 새 가상환경. 커널 이름 ``python3``이 이 환경을 가리킵니다."""
    shutil.rmtree(where, ignore_errors=True)
    _run([python, "-m", "venv", str(where)])
    py = where / "bin" / "python"
    pip = [str(py), "-m", "pip", "--disable-pip-version-check"]
    _run([*pip, "install", "--quiet", "--upgrade", "pip"])
    _run([*pip, "install", "--quiet", *RUNNER_PACKAGES])
    _run([str(py), "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"])
    return py


def _student_env(home: Path, wheel: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LENETLIB_", "VIRTUAL_ENV"))}
    real_pip_cache = Path(os.environ.get("PIP_CACHE_DIR", Path.home() / ".cache" / "pip"))
    env.update(
        HOME=str(home),
        XDG_CACHE_HOME=str(home / ".cache"),
        PIP_CACHE_DIR=str(real_pip_cache),  # 내려받기만 재사용: 설치는 매번 새로
        LENETLIB_SOURCE=str(wheel),
        LENETLIB_PROGRESS="epoch",
        PYTHONNOUSERSITE="1",
    )
    return env


def run_chapter(py: Path, notebook: Path, work: Path, wheel: Path) -> list[str]:
    """장 하나를 빈 폴더에서 홀로 실행하고, 문제 목록을 돌려줍니다 (비었으면 통과)."""
    folder = work / notebook.stem
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copy2(notebook, folder / notebook.name)
    subprocess.run(
        [str(py), "-m", "pip", "uninstall", "--quiet", "--yes", "lenetlib"], capture_output=True
    )
    home = folder / "home"
    home.mkdir()
    params = parameters_for(notebook, FAST_PARAMETERS)
    param_args = [a for k, v in params.items() for a in ("-p", k, str(v))]
    out = folder / f"executed_{notebook.name}"
    cmd = [str(py), "-m", "papermill", notebook.name, out.name, "-k", "python3", "--cwd", "."]
    done = subprocess.run(
        [*cmd, *param_args],
        cwd=folder,
        env=_student_env(home, wheel),
        capture_output=True,
        text=True,
    )
    problems = []
    if done.returncode != 0:
        problems.append(f"papermill 실패 (종료 코드 {done.returncode}): {done.stderr[-1500:]}")
    if out.exists():
        problems += [f"{name} {count}개" for name, count in notebook_problems(out).items() if count]
        nb = json.loads(out.read_text(encoding="utf-8"))
        first = next(c for c in nb["cells"] if c["cell_type"] == "code")
        text = "".join("".join(o.get("text", "")) for o in first.get("outputs", []))
        if INSTALL_MESSAGE not in text:
            problems.append(f"첫 셀이 lenetlib을 설치하지 않았습니다: {text[:300]!r}")
    return problems


def run_instructor_script(py: Path, work: Path, wheel: Path) -> list[str]:
    """저장소와 무관한 폴더에서, 설치된 휠로 강사용 스크립트를 실행합니다."""
    folder = work / "instructor"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "home").mkdir(parents=True)
    subprocess.run(
        [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True,
        env=_student_env(folder / "home", wheel),
    )
    script = folder / "instructor_example.py"
    shutil.copy2(ROOT / "examples" / "instructor_example.py", script)
    done = subprocess.run(
        [str(py), script.name],
        cwd=folder,
        env=_student_env(folder / "home", wheel),
        capture_output=True,
        text=True,
    )
    print(done.stdout[-2000:])
    problems = [] if done.returncode == 0 else [f"강사용 스크립트 실패: {done.stderr[-1500:]}"]
    for name in ("instructor_figure.png", "instructor_own.svg"):
        if not (folder / name).is_file():
            problems.append(f"강사용 스크립트가 그림 파일 {name}을 만들지 않았습니다")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.outside")
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "outside")
    parser.add_argument("--versions", nargs="*", default=list(VERSIONS))
    args = parser.parse_args(argv)
    args.out = args.out.resolve()
    wheel = build_wheel(args.out / "dist")
    print(f"휠: {wheel.name}")
    failures, ran, timings = [], [], {}
    for version in args.versions:
        python = find_python(version)
        if python is None:
            print(f"== Python {version}을(를) 이 컴퓨터에서 찾지 못해 건너뜁니다.")
            continue
        start = time.perf_counter()
        print(f"== Python {version}: {python}")
        work = args.out / f"py{version}"
        py = make_runner_env(python, work / "venv")
        for notebook in args.notebooks:
            t0 = time.perf_counter()
            problems = run_chapter(py, notebook.resolve(), work, wheel)
            seconds = time.perf_counter() - t0
            verdict = "통과" if not problems else "실패: " + "; ".join(problems)
            print(f"   {notebook.name}: {seconds:.0f}초, {verdict}", flush=True)
            failures += [f"{version} {notebook.name}: {p}" for p in problems]
        problems = run_instructor_script(py, work, wheel)
        print(f"   강사용 스크립트: {problems or '통과'}")
        failures += [f"{version} 강사용 스크립트: {p}" for p in problems]
        ran.append(version)
        timings[version] = round(time.perf_counter() - start)
    if not ran:
        failures.append(f"Python {', '.join(args.versions)} 중 어느 것도 찾지 못했습니다")
    print(f"== 버전별 소요(초): {timings}")
    return exit_code(failures)


if __name__ == "__main__":
    raise SystemExit(main())
