"""프로젝트의 JupyterLab을 `make lab`과 똑같이 띄우고 멈춥니다 (test_lab.py, browser.py)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(
    base: str,
    token: str,
    path: str,
    method: str = "GET",
    body: dict | None = None,
    timeout: float = 30,
):
    """JupyterLab 서버 REST API 한 번 (토큰 인증). 느린 요청(커널 끄기)은 ``timeout``을 늘림."""
    request = urllib.request.Request(
        f"{base}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read()
        return json.loads(raw) if raw else None


def stop(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def running_lab(token: str, notebook_dir: str | None = None, timeout: float = 90):
    """`make lab`(자기 포트, 토큰)으로 JupyterLab을 띄우고 주소를 줍니다. 끝나면 멈춥니다."""
    port = free_port()
    args = f"--no-browser --IdentityProvider.token={token} --ServerApp.open_browser=False"
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args += " --allow-root"
    make = ["make", "-s", "lab", f"LAB_PORT={port}", f"LAB_ARGS={args}"]
    make += [f"BIN={Path(sys.executable).parent}"]
    if notebook_dir is not None:
        make.append(f"LAB_DIR={notebook_dir}")
    proc = subprocess.Popen(
        make,
        cwd=ROOT,
        env={**os.environ, "JUPYTER_PLATFORM_DIRS": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                api(base, token, "/api/status")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    stop(proc)
                    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                    raise RuntimeError(
                        f"JupyterLab이 시작되지 않았습니다:\n{out[-3000:]}"
                    ) from None
                time.sleep(0.5)
        yield base
    finally:
        stop(proc)
