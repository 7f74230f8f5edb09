"""lenetlib._internal.atomic: 원자적 쓰기, umask, 남은 임시 파일 정리, 묶음 저장, 동시 저장,
저장 도중 죽은 프로세스 (이슈 #18의 1·3·14)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from lenetlib._internal import atomic

ROOT = Path(__file__).resolve().parent.parent


def _current(folder: Path, marker: str = "c.json") -> str | None:
    """표지가 가리키는 세대 폴더 이름 (없으면 None)."""
    path = folder / marker
    return json.loads(path.read_text(encoding="utf-8")).get("run_folder") if path.exists() else None


def _leftovers(folder: Path) -> list[str]:
    """남은 임시 파일과, 표지가 가리키지 않는 세대 폴더."""
    return sorted(
        p.name
        for p in folder.iterdir()
        if atomic.MARKER in p.name or (atomic.is_run_name(p.name) and p.name != _current(folder))
    )


def _load_set(folder: Path, marker: str = "c.json") -> dict[str, bytes]:
    """표지가 가리키는 세대의 파일들 (해시가 맞을 때만; 예전 형식이면 폴더 바로 아래)."""
    info = json.loads((folder / marker).read_text(encoding="utf-8"))
    run = folder / info.get("run_folder", "")
    found = {name: (run / name).read_bytes() for name in info["files"]}
    assert {n: hashlib.sha256(b).hexdigest() for n, b in found.items()} == info["files"]
    return found


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


@pytest.mark.parametrize(
    "value, needles",
    [({"tags": {1, 2}}, ["set", "list(값)"]), ({"model": object()}, ["object", "float(값)"]),
     ({(1, 2): 0.5}, ["딕셔너리 키", "str(키)"])],
    ids=["set", "object", "tuple-key"],
)  # fmt: skip
def test_unserializable_value_is_named_in_korean_without_python_text(value, needles):
    """메시지에 파이썬의 영어 문구("'set' object has no attribute 'tolist'")가 섞였음."""
    with pytest.raises(ValueError, match="JSON으로 저장할 수 없는") as info:
        atomic.json_bytes(value)
    message = str(info.value)
    assert all(needle in message for needle in needles), message
    for english in ("object has no attribute", "tolist'", "keys must be", "not JSON serializable"):
        assert english not in message, message
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="순환 참조"):
        atomic.json_bytes(loop)


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
        assert f".{atomic.MARKER}." in tmp.name  # lenetlib이 만든 것임을 이름으로 증명
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


def _dead_pid() -> int:
    """방금 끝난 자식 프로세스의 번호 (살아 있지 않은 pid)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


#: 사용자의 파일: ".이름.tmp" 꼴이고, pid 자리에 숫자가 있고, 오래되었어도 lenetlib 표지가 없음
USER_FILES = [".bash_history.tmp", ".draft.tmp.txt", ".ssh.tmp", ".notes.tmp.md", ".1.2.3.tmp",
              ".mnist.123456.tmp.npz", ".lenet5.999999999.k2j_x9.tmp.keras",
              ".history.abc123.tmp.json", ".config.4242.q8w7e6ab.tmp.json"]  # fmt: skip


def _old_user_files(folder: Path) -> dict[Path, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {folder / name: f"사용자 파일 {name}".encode() for name in USER_FILES}
    two_days_ago = time.time() - 48 * 3600
    for path, content in files.items():
        path.write_bytes(content)
        os.utime(path, (two_days_ago, two_days_ago))
    return files


def test_sweep_never_touches_user_files(tmp_path):
    """이슈 #18-1: LENETLIB_DATA=~/mnist.npz로 캐시를 쓰자 홈 폴더의 .bash_history.tmp가 지워짐."""
    files = _old_user_files(tmp_path)
    target = tmp_path / "user.txt"
    target.write_text("사용자의 대상 파일")
    link = tmp_path / f".x.{_dead_pid()}.abcdefgh.{atomic.MARKER}"  # 표지 이름의 링크와 폴더
    link.symlink_to(target)
    folder = tmp_path / f".y.{_dead_pid()}.abcdefgh.{atomic.MARKER}"
    folder.mkdir()
    atomic.write_bytes(tmp_path / "mnist.npz", b"x")
    atomic.write_json(tmp_path / "metrics.json", {"a": 1})
    atomic.commit_set(tmp_path, {"m.bin": "m", "h.json": {"a": 1}}, "c.json", {})
    for path, content in files.items():
        assert path.read_bytes() == content, f"사용자 파일을 지웠습니다: {path.name}"
    assert link.is_symlink() and folder.is_dir() and target.read_text() == "사용자의 대상 파일"


def test_marked_leftovers_of_dead_writers_are_cleaned(tmp_path):
    """이슈 #18-14: 죽은 lenetlib 프로세스의 표지 임시 파일만 다음 저장이 지웁니다."""
    dead = tmp_path / f".lenet5.{_dead_pid()}.k2j_x9ab.{atomic.MARKER}.keras"
    mine = tmp_path / f".metrics.{os.getpid()}.zzzzzzzz.{atomic.MARKER}.json"  # 이 프로세스
    alive = tmp_path / f".config.1.q8w7e6ab.{atomic.MARKER}.json"  # pid 1: 늘 살아 있음
    files = _old_user_files(tmp_path)
    for path in (dead, mine, alive):
        path.write_bytes(b"junk")
    atomic.write_bytes(tmp_path / "history.json", b"{}")
    assert not dead.exists()
    assert mine.exists() and alive.exists() and all(p.exists() for p in files)
    atomic.commit_set(tmp_path, {"m.bin": "old"}, "c.json", {})
    (stale := tmp_path / f"{atomic.RUN_PREFIX}{_dead_pid()}.abcdefgh").mkdir()  # 죽은 저장의 세대
    (stale / "m.bin").write_bytes(b"half written" * 1000)

    def writer(tmp: Path) -> None:  # 새 묶음을 쓰기 전에 (디스크를 비우려) 이미 치웠어야 함
        assert not stale.exists()
        tmp.write_bytes(b"new")

    atomic.commit_set(tmp_path, {"m.bin": writer}, "c.json", {})
    assert _leftovers(tmp_path) == sorted([alive.name, mine.name])  # 살아 있는 쪽 것만 남음
    assert _load_set(tmp_path) == {"m.bin": b"new"}


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
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    loaded = _load_set(tmp_path)

    def broken(tmp: Path) -> None:
        raise OSError("디스크 가득 참 흉내")

    with pytest.raises(OSError):
        atomic.commit_set(tmp_path, {"m.bin": "new", "h.json": broken}, "c.json", {"r": "new"})
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before
    assert _load_set(tmp_path) == loaded and _leftovers(tmp_path) == []


def test_visible_files_are_the_current_run_and_old_runs_go(tmp_path, monkeypatch):
    for i in range(3):
        atomic.commit_set(tmp_path, {"m.bin": f"run {i}", "h.json": {"i": i}}, "c.json", {"i": i})
    runs = [p.name for p in tmp_path.iterdir() if atomic.is_run_name(p.name)]
    assert runs == [_current(tmp_path)]  # 예전 세대는 지워짐
    for name in ("m.bin", "h.json"):  # 폴더 바로 아래 이름은 지금 세대의 파일 (하드 링크)
        assert os.path.samefile(tmp_path / name, tmp_path / runs[0] / name)

    def no_links(*args):
        raise OSError("하드 링크를 지원하지 않는 파일 시스템 흉내")

    monkeypatch.setattr(atomic.os, "link", no_links)
    atomic.commit_set(tmp_path, {"m.bin": "copied", "h.json": {"i": 9}}, "c.json", {"i": 9})
    assert (tmp_path / "m.bin").read_bytes() == json.dumps("copied").encode() + b"\n"
    assert _load_set(tmp_path)["m.bin"] == (tmp_path / "m.bin").read_bytes()
    assert _leftovers(tmp_path) == []


def _writer(content: bytes):
    return lambda tmp: tmp.write_bytes(content)


# 저장하는 자식 프로세스가 k번째 파일 시스템 단계에서 SIGKILL로 죽음 (정리 코드도 돌지 않음)
_KILLED_SAVE = """
import os, signal, sys
from pathlib import Path
from lenetlib._internal import atomic
folder, stop, calls = Path(sys.argv[1]), int(sys.argv[2]), [0]
def step(real):
    def wrapped(*args, **kwargs):
        calls[0] += 1
        if calls[0] == stop:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    return wrapped
for name in ("replace", "rename", "fsync", "link", "unlink", "rmdir", "chmod", "mkdir", "open"):
    setattr(os, name, step(getattr(os, name)))
files = {"m.bin": lambda tmp: tmp.write_bytes(b"new" * 50_000), "h.json": {"run": "new"}}
atomic.commit_set(folder, files, "c.json", {"run": "new"})
"""


def test_a_save_killed_at_any_step_keeps_a_complete_set(tmp_path):
    """이슈 #18-3: 모델·기록을 바꿔 넣은 뒤 표지 전에 죽으면 예전 묶음까지 못 쓰게 되었음.
    단계마다 죽여 보고, 늘 예전이나 새 묶음 한 벌이 온전한지, 다음 저장이 남은 것을 치우는지."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    seen, stop = [], 0
    while True:
        stop += 1
        folder = tmp_path / f"kill{stop}"
        atomic.commit_set(
            folder, {"m.bin": _writer(b"old"), "h.json": {"run": "old"}}, "c.json", {}
        )
        user = _old_user_files(folder)
        code = subprocess.run([sys.executable, "-c", _KILLED_SAVE, str(folder), str(stop)],
                              env=env, timeout=60).returncode  # fmt: skip
        loaded = _load_set(folder)  # 어느 순간에 죽어도 해시가 맞는 한 벌
        seen.append(json.loads(loaded["h.json"])["run"])
        assert loaded["m.bin"] == (b"old" if seen[-1] == "old" else b"new" * 50_000)
        atomic.commit_set(folder, {"m.bin": _writer(b"next"), "h.json": {"run": "x"}}, "c.json", {})
        assert _leftovers(folder) == [], f"{stop}번째 단계에서 죽은 저장의 임시 파일이 남음"
        assert all(p.read_bytes() == c for p, c in user.items())
        if code == 0:  # 더 죽일 단계가 없음: 끝까지 저장됨
            break
        assert code == -signal.SIGKILL
    assert seen[-1] == "new" and "old" in seen and stop > 10, seen
    assert seen == sorted(seen, key=["old", "new"].index), "새 묶음이 보인 뒤 예전 묶음으로 돌아감"


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
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["a.json", "c.json",
                                                                 _current(tmp_path)])  # fmt: skip


def test_lock_wait_is_bounded_and_told_in_korean(tmp_path, monkeypatch, capsys):
    """이슈 #18-14: 잠금을 오래 쥔 프로세스가 있으면 한국어로 알리며 기다리다 한도에서 멈춤."""
    fcntl = pytest.importorskip("fcntl")
    monkeypatch.setattr(atomic, "LOCK_WAIT_SECONDS", 0.3)
    fd = os.open(tmp_path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        for shared in (True, False):
            with (
                pytest.raises(TimeoutError, match=r"다른 프로세스가 0\.3초 넘게"),
                atomic.locked(tmp_path, shared=shared),
            ):
                pytest.fail("잠금을 얻으면 안 됩니다")
    finally:
        os.close(fd)
    assert "끝나기를 기다립니다" in capsys.readouterr().err
    with atomic.locked(tmp_path, shared=True), atomic.locked(tmp_path, shared=True):
        pass  # 읽는 쪽끼리는 함께 잠글 수 있음


def _assert_consistent(folder: Path) -> None:
    marker = json.loads((folder / "c.json").read_text(encoding="utf-8"))
    assert _load_set(folder) == {n: (folder / n).read_bytes() for n in ("a.txt", "b.json")}
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
