"""lenetlib._internal.atomic: 원자적 쓰기, umask, 남은 임시 파일 정리, 묶음 저장, 동시 저장."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from lenetlib._internal import atomic

ROOT = Path(__file__).resolve().parent.parent


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def umask():
    """테스트 안에서 바꾼 umask를 끝나면 되돌립니다."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


# ---------------------------------------------------------------------------
# 파일 하나
# ---------------------------------------------------------------------------


def test_write_json_roundtrip_korean_and_numpy(tmp_path):
    target = tmp_path / "sub" / "m.json"  # 없는 폴더도 만듦
    atomic.write_json(target, {"정확도": np.float32(0.5), "n": np.int64(3), "a": np.arange(2)})
    text = target.read_text(encoding="utf-8")
    assert "정확도" in text  # 한글이 \uXXXX로 바뀌지 않음
    assert json.loads(text) == {"정확도": 0.5, "n": 3, "a": [0, 1]}
    assert _leftovers(target.parent) == []


def test_write_json_rejects_unserializable_before_touching_the_file(tmp_path):
    target = tmp_path / "m.json"
    atomic.write_json(target, {"good": 1})
    with pytest.raises(ValueError, match="JSON으로 저장할 수 없는") as info:
        atomic.write_json(target, {"bad": object()})
    assert "숫자" in str(info.value)
    assert json.loads(target.read_text(encoding="utf-8")) == {"good": 1}
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("broken", ["block", "fsync", "replace"])
def test_failure_keeps_old_file_and_removes_temp(tmp_path, monkeypatch, broken):
    target = tmp_path / "history.json"
    atomic.write_bytes(target, b"old")

    def fail(*args):
        raise KeyboardInterrupt  # 사용자가 저장 도중 중단

    if broken != "block":
        monkeypatch.setattr(atomic.os, broken, fail)
    with pytest.raises(KeyboardInterrupt), atomic.atomic_path(target) as tmp:
        tmp.write_bytes(b"new, half written")
        if broken == "block":
            fail()
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


def test_temp_name_keeps_the_suffix_for_keras(tmp_path):
    with atomic.atomic_path(tmp_path / "lenet5.keras") as tmp:
        assert tmp.parent == tmp_path and tmp.name.endswith(".keras")
        assert tmp.name.startswith(f".lenet5.{os.getpid()}.")  # 정리할 때 pid로 주인을 앎
        tmp.write_bytes(b"x")
    assert (tmp_path / "lenet5.keras").read_bytes() == b"x"


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_files_follow_the_umask(tmp_path, umask, mask, mode):
    umask(mask)
    atomic.write_bytes(tmp_path / "a.bin", b"x")
    atomic.commit_set(tmp_path, {"b.json": {"x": 1}}, "c.json", {})
    umask(0o022)
    for name in ("a.bin", "b.json", "c.json"):
        assert (tmp_path / name).stat().st_mode & 0o777 == mode, name


# ---------------------------------------------------------------------------
# 남은 임시 파일
# ---------------------------------------------------------------------------


def test_leftovers_of_dead_or_old_writers_are_cleaned(tmp_path):
    dead = tmp_path / ".lenet5.999999999.k2j_x9.tmp.keras"  # 없는 프로세스 번호
    old = tmp_path / ".history.abc123.tmp.json"  # 예전 이름 꼴, 두 시간 전
    fresh = tmp_path / ".config.q8w7e6.tmp.json"  # 주인을 모르는 새 파일: 남김
    mine = tmp_path / f".metrics.{os.getpid()}.zz.tmp.json"  # 살아 있는 이 프로세스: 남김
    other = tmp_path / ".keep"
    for path in (dead, old, fresh, mine, other):
        path.write_bytes(b"junk")
    two_hours_ago = time.time() - 2 * atomic.STALE_SECONDS
    os.utime(old, (two_hours_ago, two_hours_ago))
    atomic.write_bytes(tmp_path / "history.json", b"{}")
    assert not dead.exists() and not old.exists()
    assert fresh.exists() and mine.exists() and other.exists()


# ---------------------------------------------------------------------------
# 묶음 저장
# ---------------------------------------------------------------------------


def test_commit_set_writes_marker_last_with_hashes(tmp_path):
    order = []

    def model_writer(tmp: Path) -> None:
        tmp.write_bytes(b"weights")
        order.append(("model", (tmp_path / "c.json").exists()))

    atomic.commit_set(
        tmp_path, {"m.bin": model_writer, "h.json": {"loss": [1.0]}}, "c.json", {"r": 1}
    )
    marker = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert marker["r"] == 1
    assert marker["files"] == {n: _digest(tmp_path / n) for n in ("m.bin", "h.json")}
    assert order == [("model", False)]  # 파일을 쓰는 동안 표지는 아직 없음
    assert _leftovers(tmp_path) == []


def test_commit_set_failure_leaves_the_old_set(tmp_path):
    atomic.commit_set(tmp_path, {"m.bin": "old", "h.json": "old"}, "c.json", {"r": "old"})
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def broken(tmp: Path) -> None:
        raise OSError("디스크 가득 참 흉내")

    with pytest.raises(OSError):
        atomic.commit_set(tmp_path, {"m.bin": "new", "h.json": broken}, "c.json", {"r": "new"})
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


_RACE = """
import sys, time
from pathlib import Path
from lenetlib._internal import atomic
folder, tag, deadline = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
def slow(tmp):
    time.sleep(0.002)  # 다른 쪽이 끼어들 틈을 넓힘
    tmp.write_text(tag)
i = 0
while time.time() < deadline:  # 두 프로세스가 같은 시각까지 저장 → 마지막 저장들이 겹침
    i += 1
    run = f"{tag}-{i}"
    atomic.commit_set(folder, {"a.txt": slow, "b.json": {"run": run}}, "c.json", {"run": run})
"""


def test_a_second_writer_waits_for_the_first(tmp_path):
    fcntl = pytest.importorskip("fcntl")
    fd = os.open(tmp_path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # 다른 프로세스가 저장하는 중인 것처럼 폴더를 잠금
    code = "import sys, pathlib; from lenetlib._internal import atomic; "
    code += "atomic.commit_set(pathlib.Path(sys.argv[1]), {'a.json': 1}, 'c.json', {})"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], env=env)
    try:
        time.sleep(1)
        assert proc.poll() is None and list(tmp_path.iterdir()) == []  # 기다리는 중
    finally:
        os.close(fd)  # 잠금을 풂
    assert proc.wait(timeout=60) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "c.json"]


def _assert_consistent(folder: Path) -> None:
    marker = json.loads((folder / "c.json").read_text(encoding="utf-8"))
    assert marker["files"] == {n: _digest(folder / n) for n in ("a.txt", "b.json")}
    assert json.loads((folder / "b.json").read_text(encoding="utf-8"))["run"] == marker["run"]
    assert (folder / "a.txt").read_text() == marker["run"].split("-")[0]
    assert _leftovers(folder) == []


def test_two_processes_saving_at_once_leave_one_consistent_set(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    deadline = str(time.time() + 2)  # 파이썬이 뜨는 시간(약 0.1초)보다 넉넉히
    procs = [
        subprocess.Popen([sys.executable, "-c", _RACE, str(tmp_path), tag, deadline], env=env)
        for tag in ("p", "q")
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    _assert_consistent(tmp_path)


def test_two_threads_saving_at_once_leave_one_consistent_set(tmp_path):
    deadline = time.time() + 1

    def save(tag: str) -> None:
        i = 0
        while time.time() < deadline:
            i += 1
            slow = lambda tmp, t=tag: (time.sleep(0.001), tmp.write_text(t))  # noqa: E731
            run = {"run": f"{tag}-{i}"}
            atomic.commit_set(tmp_path, {"a.txt": slow, "b.json": run}, "c.json", run)

    threads = [threading.Thread(target=save, args=(tag,)) for tag in ("s", "t")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    _assert_consistent(tmp_path)
