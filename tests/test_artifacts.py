"""lenetlib.artifacts: 한 묶음 저장·불러오기, 손상·불일치 감지, 쓰기 전 검사, get_or_train (4장)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from pathlib import Path

import numpy as np
import pytest

from lenetlib import artifacts, config, training
from lenetlib._internal import atomic
from lenetlib.artifacts import ArtifactError
from lenetlib.model import build_lenet5
from lenetlib.preprocessing import prepare_mnist
from lenetlib.training import History, TrainConfig

CFG = TrainConfig(epochs=1, batch_size=64, seed=5)
RUN_FILES = ["config.json", "history.json", "lenet5.keras"]
#: 영문 이름 뒤에 조사를 그대로 붙인 꼴 (korean.topic 등을 쓰면 "x은(는)"이 됨).
#: 괄호 뒤는 제외: "결과(PreparedData)를"처럼 조사가 괄호 앞 한글 낱말에 붙는 경우.
BARE_PARTICLE = re.compile(r"[A-Za-z0-9_.`'\"](?:은|는|이|가|을|를)(?=[\s.,)]|$)")


def assert_korean(error: pytest.ExceptionInfo | str, *needles: str) -> str:
    """한국어 메시지이고, 조사가 맞고, ``needles``를 모두 담는지 확인합니다."""
    text = error if isinstance(error, str) else str(error.value)
    assert re.search("[가-힣]", text), text
    assert not BARE_PARTICLE.search(text), text
    for needle in needles:
        assert needle in text, (needle, text)
    return text


def _history(seconds: float = 1.0) -> History:
    hist = {"loss": [0.9], "accuracy": [0.7], "val_loss": [0.8], "val_accuracy": [0.75],
            "learning_rate": [0.001]}  # fmt: skip
    return History(history=hist, epochs_run=1, best_epoch=1, stopped_early=False, seconds=seconds)


@pytest.fixture(scope="module")
def data(mnist_small):
    """실제 MNIST 300장 (훈련 270 / 검증 30), 테스트 50장."""
    return _prepare(mnist_small, 300)


def _prepare(mnist_small, n: int):
    test = (mnist_small["x_test"][:50], mnist_small["y_test"][:50])
    return prepare_mnist((mnist_small["x_train"], mnist_small["y_train"]), test, train_limit=n)


@pytest.fixture(scope="module")
def net():
    """훈련하지 않은 LeNet-5 (저장·불러오기에는 이것으로 충분)."""
    config.set_seed(1)
    return build_lenet5()


@pytest.fixture()
def saved(tmp_path, net, data):
    artifacts.save_run(tmp_path, net, _history(), CFG, data)
    return tmp_path


@pytest.fixture()
def fake_train(monkeypatch):
    """``training.train``을 흉내 냅니다: 부른 설정을 기록하고 가짜 기록을 돌려줍니다."""
    calls = []

    def train(model, data, cfg, *, callbacks=(), progress="auto"):
        calls.append((cfg, progress))
        return _history(seconds=float(len(calls)))

    monkeypatch.setattr(training, "train", train)
    return calls


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def _restamp(folder: Path, name: str, content: bytes) -> None:
    """파일을 바꾸고 config.json의 해시도 맞춥니다 (묶음은 맞지만 내용이 틀린 경우를 만듦)."""
    (folder / name).write_bytes(content)
    info = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    info["files"][name] = hashlib.sha256(content).hexdigest()
    (folder / "config.json").write_text(json.dumps(info), encoding="utf-8")


def _edit_info(folder: Path, **changes) -> None:
    info = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    (folder / "config.json").write_text(json.dumps({**info, **changes}), encoding="utf-8")


# ---------------------------------------------------------------------------
# 저장과 불러오기
# ---------------------------------------------------------------------------


def test_save_run_roundtrip(saved, net, data):
    assert sorted(p.name for p in saved.iterdir()) == RUN_FILES
    loaded = artifacts.load_model(saved)
    np.testing.assert_allclose(
        loaded.predict(data.x_test, verbose=0), net.predict(data.x_test, verbose=0), atol=1e-6
    )
    assert artifacts.load_history(saved) == _history()
    assert artifacts.load_config(saved) == CFG
    info = artifacts.load_run_info(saved)
    assert info["data"] == artifacts.data_fingerprint(data)
    assert (info["data"]["n_train"], info["data"]["n_val"], info["data"]["n_test"]) == (270, 30, 50)
    assert info["model"] == {"name": net.name, "params": 61_706}
    assert set(info["versions"]) == {"lenetlib", "keras", "tensorflow"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", info["saved_at"])
    for name in ("lenet5.keras", "history.json"):  # 표지가 각 파일의 해시를 담음
        assert info["files"][name] == hashlib.sha256((saved / name).read_bytes()).hexdigest()


def test_data_fingerprint_sees_labels_and_counts(data, mnist_small):
    same = artifacts.data_fingerprint(data)
    assert same == artifacts.data_fingerprint(_prepare(mnist_small, 300))
    assert same["n_train"] != artifacts.data_fingerprint(_prepare(mnist_small, 400))["n_train"]
    shuffled = prepare_mnist(
        (mnist_small["x_train"][1:301], mnist_small["y_train"][1:301]),
        (mnist_small["x_test"][:50], mnist_small["y_test"][:50]),
    )  # 개수는 같고 레이블 순서만 다름
    assert artifacts.data_fingerprint(shuffled)["labels"] != same["labels"]
    with pytest.raises(ValueError) as err:
        artifacts.data_fingerprint({"x_train": 1})
    assert_korean(err, "x_train", "prepare_mnist")


def test_metrics_belong_to_the_current_run(saved, net, data):
    artifacts.save_metrics(saved, {"test_accuracy": np.float32(0.5), "n_test": np.int64(50)})
    metrics = artifacts.load_metrics(saved)
    assert metrics["test_accuracy"] == 0.5 and metrics["n_test"] == 50
    assert metrics["run_id"] == artifacts.load_run_info(saved)["run_id"]
    artifacts.save_run(saved, net, _history(2.0), CFG, data)  # 다시 훈련해 저장
    with pytest.raises(ArtifactError) as err:
        artifacts.load_metrics(saved)
    assert_korean(err, "05_evaluation.ipynb", "지금 저장된 모델의 것이 아닙니다")
    assert err.value.chapter.startswith("5장") and err.value.path.name == "metrics.json"


def test_save_metrics_needs_a_saved_run(tmp_path):
    with pytest.raises(ArtifactError) as err:
        artifacts.save_metrics(tmp_path, {"test_accuracy": 0.9})
    assert_korean(err, "04_training.ipynb", "먼저 실행")


def test_default_directory_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("LENETLIB_ARTIFACTS", str(tmp_path / "arts"))
    assert artifacts.artifacts_dir() == tmp_path / "arts"
    assert artifacts.artifacts_dir("somewhere") == Path("somewhere")
    with pytest.raises(ValueError) as err:
        artifacts.artifacts_dir(3)
    assert_korean(err, "directory", "int")


def test_bad_arguments_fail_in_korean_before_writing(tmp_path, net, data):
    cases = [
        lambda: artifacts.save_run(tmp_path, net, _history(), {"epochs": 1}, data),
        lambda: artifacts.save_run(tmp_path, net, _history().to_dict(), CFG, data),
        lambda: artifacts.save_run(tmp_path, "LeNet", _history(), CFG, data),
        lambda: artifacts.save_run(tmp_path, net, _history(), CFG, {"x_train": 1}),
        lambda: artifacts.find_run(tmp_path, data, CFG.to_dict()),
        lambda: artifacts.get_or_train(tmp_path, data, CFG, force="yes"),
    ]
    for call in cases:
        with pytest.raises(ValueError) as err:
            call()
        assert_korean(err)
    assert list(tmp_path.iterdir()) == []
    artifacts.save_run(tmp_path, net, _history(), CFG, data)
    for bad in ([0.9], {"bad": object()}):
        with pytest.raises(ValueError) as err:
            artifacts.save_metrics(tmp_path, bad)
        assert_korean(err)
    assert not (tmp_path / "metrics.json").exists() and _leftovers(tmp_path) == []


# ---------------------------------------------------------------------------
# 없는 파일, 손상된 파일
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "loader, chapter",
    [
        (artifacts.load_model, "04_training.ipynb"),
        (artifacts.load_history, "04_training.ipynb"),
        (artifacts.load_config, "04_training.ipynb"),
        (artifacts.load_run_info, "04_training.ipynb"),
        (artifacts.load_metrics, "05_evaluation.ipynb"),
    ],
)
def test_missing_artifact_names_the_chapter(tmp_path, loader, chapter):
    with pytest.raises(ArtifactError) as err:
        loader(tmp_path)
    assert_korean(err, chapter, "없습니다", "먼저 실행")
    assert isinstance(err.value, RuntimeError)
    assert err.value.chapter.endswith(f"`{chapter}`") and err.value.path.parent == tmp_path


@pytest.mark.parametrize("how", ["truncate", "garbage", "empty"])
@pytest.mark.parametrize("restamp", [False, True], ids=["hash-mismatch", "hash-matches"])
def test_corrupt_keras_file(saved, how, restamp):
    raw = (saved / "lenet5.keras").read_bytes()
    bad = {"truncate": raw[: len(raw) // 2], "garbage": b"not a keras archive" * 9, "empty": b""}
    if restamp:
        _restamp(saved, "lenet5.keras", bad[how])
    else:
        (saved / "lenet5.keras").write_bytes(bad[how])
    with pytest.raises(ArtifactError) as err:
        artifacts.load_model(saved)
    assert_korean(err, "04_training.ipynb", "손상" if restamp else "것이 아닙니다")


@pytest.mark.parametrize(
    "content",
    ['{"history": {"loss": [0.5,', "[1, 2, 3]", '{"history": {"loss": [1]}}', b"\xff\xfe"],
)
def test_corrupt_history(saved, content):
    _restamp(saved, "history.json", content if isinstance(content, bytes) else content.encode())
    with pytest.raises(ArtifactError) as err:
        artifacts.load_history(saved)
    assert_korean(err, "04_training.ipynb", "손상", "다시 실행")


@pytest.mark.parametrize(
    "content",
    [
        '{"run_id": "x"',
        "[1, 2]",
        "{}",
        b"\xff\xfe",
        '{"run_id": 1, "saved_at": "t", "train_config": {}, "data": {}, "model": {}, '
        '"versions": {}, "files": {}}',
    ],
)
def test_corrupt_config(saved, content):
    (saved / "config.json").write_bytes(content if isinstance(content, bytes) else content.encode())
    for loader in (artifacts.load_run_info, artifacts.load_config, artifacts.load_model):
        with pytest.raises(ArtifactError) as err:
            loader(saved)
        assert_korean(err, "04_training.ipynb", "다시 실행")


def test_bad_train_config_in_config_json(saved):
    _edit_info(saved, train_config={"epochs": -3})
    with pytest.raises(ArtifactError) as err:
        artifacts.load_config(saved)
    assert_korean(err, "config.json이(가) 손상", "epochs")


@pytest.mark.parametrize("content", ['{"test_accuracy": 0.9', "[0.9]"])
def test_corrupt_metrics(saved, content):
    (saved / "metrics.json").write_text(content, encoding="utf-8")
    with pytest.raises(ArtifactError) as err:
        artifacts.load_metrics(saved)
    assert_korean(err, "05_evaluation.ipynb", "다시 실행")


# ---------------------------------------------------------------------------
# 이슈 #10-4: config.json의 "data"·"model"이 사전이 아님 → 손상으로 보고 다시 훈련
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [{"data": "x"}, {"model": "x"}, {"data": [1, 2]}, {"train_config": "x"}, {"files": None}],
    ids=["data-str", "model-str", "data-list", "train_config-str", "files-null"],
)
def test_find_run_treats_malformed_info_as_corrupt(saved, data, fake_train, changes):
    _edit_info(saved, **changes)
    found, reason = artifacts.find_run(saved, data, CFG)
    assert found is None
    assert_korean(reason, "쓸 수 없습니다", next(iter(changes)))
    outcome = artifacts.get_or_train(saved, data, CFG, progress="none")
    assert outcome.trained_now and len(fake_train) == 1
    assert artifacts.find_run(saved, data, CFG)[0] is not None  # 이제 온전한 묶음


# ---------------------------------------------------------------------------
# 이슈 #10-5: 쓸 수 없는 폴더는 훈련 전에 한국어 ArtifactError
# ---------------------------------------------------------------------------


def _blocked_folders(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "afile").write_text("폴더가 아닌 파일")
    return {"file-is-folder": tmp_path / "afile", "file-above": tmp_path / "afile" / "sub"}


@pytest.mark.parametrize("case", ["file-is-folder", "file-above"])
def test_regular_file_in_the_way(tmp_path, data, fake_train, case):
    folder = _blocked_folders(tmp_path)[case]
    with pytest.raises(ArtifactError) as err:
        artifacts.check_writable(folder)
    assert_korean(err, "04_training.ipynb", "쓸 수 없습니다", "LENETLIB_ARTIFACTS")
    with pytest.raises(ArtifactError):
        artifacts.get_or_train(folder, data, CFG, progress="none")
    assert fake_train == []  # 훈련을 시작하기 전에 멈춤


@pytest.mark.parametrize("name", ["lenet5.keras", "history.json", "config.json", "metrics.json"])
def test_directory_occupying_a_file_name(tmp_path, data, fake_train, name):
    (tmp_path / name).mkdir()
    with pytest.raises(ArtifactError) as err:
        artifacts.check_writable(tmp_path)
    assert_korean(err, name, "04_training.ipynb", "옮기거나")
    with pytest.raises(ArtifactError):
        artifacts.get_or_train(tmp_path, data, CFG, progress="none")
    assert fake_train == []


def test_metrics_json_directory_fails_in_korean_for_chapter_5(saved):
    (saved / "metrics.json").mkdir()
    with pytest.raises(ArtifactError) as err:
        artifacts.save_metrics(saved, {"test_accuracy": 0.9})
    assert_korean(err, "05_evaluation.ipynb", "쓸 수 없습니다")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root는 권한을 무시함")
def test_read_only_folder(tmp_path, data, fake_train):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(ArtifactError) as err:
            artifacts.get_or_train(folder, data, CFG, progress="none")
    finally:
        folder.chmod(0o755)
    assert_korean(err, "권한")
    assert fake_train == []


def test_permission_denied_is_reported_before_training(tmp_path, data, fake_train, monkeypatch):
    """root로 돌아도 확인할 수 있게 쓰기 거부를 흉내 냅니다 (읽기 전용 폴더·디스크)."""

    def denied(self, content):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "write_bytes", denied)
    with pytest.raises(ArtifactError) as err:
        artifacts.get_or_train(tmp_path, data, CFG, progress="none")
    assert_korean(err, "권한", "04_training.ipynb", "LENETLIB_ARTIFACTS")
    assert fake_train == [] and _leftovers(tmp_path) == []


def test_check_writable_creates_the_folder_and_leaves_nothing(tmp_path):
    folder = tmp_path / "new" / "arts"
    assert artifacts.check_writable(folder) == folder
    assert folder.is_dir() and list(folder.iterdir()) == []


# ---------------------------------------------------------------------------
# 이슈 #10-6: 저장 도중 멈춤 → 반쪽 묶음은 불러오지 않고, 예전 지표도 현재 것이 아님
# ---------------------------------------------------------------------------


def _crash_on_call(monkeypatch, target, name: str, n: int) -> None:
    """``target.name``의 ``n``번째 호출에서 KeyboardInterrupt(프로세스 중단 흉내)."""
    real, count = getattr(target, name), [0]

    def flaky(*args, **kwargs):
        count[0] += 1
        if count[0] == n:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, flaky)


@pytest.mark.parametrize("where", ["between-model-and-history", "before-config"], ids=lambda w: w)
def test_crash_between_writes_is_never_loaded_as_current(saved, net, data, fake_train,
                                                         monkeypatch, where):  # fmt: skip
    artifacts.save_metrics(saved, {"test_accuracy": 0.5})
    other = TrainConfig(epochs=1, batch_size=32, seed=5)
    if where == "before-config":  # 모델과 기록은 바꿔 넣었고 config.json만 못 씀
        _crash_on_call(monkeypatch, atomic, "write_json", 1)
    else:  # 한 파일만 바꿔 넣음
        _crash_on_call(monkeypatch, atomic.os, "replace", 2)
    with pytest.raises(KeyboardInterrupt):
        artifacts.save_run(saved, net, _history(9.0), other, data)
    monkeypatch.undo()
    monkeypatch.setattr(training, "train", lambda *a, **k: _history(3.0))

    for cfg in (other, CFG):  # 새 설정으로도, 예전 설정으로도 반쪽 묶음을 쓰지 않음
        found, reason = artifacts.find_run(saved, data, cfg)
        assert found is None, reason
    assert_korean(reason, "쓸 수 없습니다", "것이 아닙니다")  # config.json은 예전 실행 그대로
    with pytest.raises(ArtifactError) as err:
        artifacts.load_model(saved)
    with pytest.raises(ArtifactError) as err:
        artifacts.load_metrics(saved)  # 예전 지표를 현재 것으로 알려 주지 않음
    assert_korean(err, "04_training.ipynb", "것이 아닙니다")
    assert _leftovers(saved) == []

    outcome = artifacts.get_or_train(saved, data, CFG, progress="none")
    assert outcome.trained_now and outcome.history.seconds == 3.0
    assert artifacts.find_run(saved, data, CFG)[0].history.seconds == 3.0


# ---------------------------------------------------------------------------
# 남은 임시 파일, umask, 동시 저장
# ---------------------------------------------------------------------------


def test_orphan_temp_files_are_cleaned_by_the_next_save(tmp_path, net, data):
    dead = tmp_path / ".lenet5.999999999.x1y2z3.tmp.keras"  # 죽은 프로세스가 남긴 것
    old = tmp_path / ".lenet5.abcdefgh.tmp.keras"  # 예전 이름 꼴, 두 시간 전
    for path in (dead, old):
        path.write_bytes(b"PK half written")
    two_hours_ago = os.path.getmtime(old) - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    artifacts.save_run(tmp_path, net, _history(), CFG, data)
    assert sorted(p.name for p in tmp_path.iterdir()) == RUN_FILES


def test_saved_files_follow_the_umask(tmp_path, net, data):
    old = os.umask(0o022)
    try:
        artifacts.save_run(tmp_path, net, _history(), CFG, data)
        artifacts.save_metrics(tmp_path, {"test_accuracy": 0.9})
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()}
    assert modes == dict.fromkeys([*RUN_FILES, "metrics.json"], 0o644)


def test_two_threads_saving_runs_leave_a_consistent_set(tmp_path, data, net):
    def save(seed: int) -> None:
        cfg = TrainConfig(epochs=1, seed=seed)
        for i in range(3):
            artifacts.save_run(tmp_path, net, _history(seconds=seed * 10 + i), cfg, data)

    threads = [threading.Thread(target=save, args=(seed,)) for seed in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    found, reason = artifacts.find_run(tmp_path, data, artifacts.load_config(tmp_path))
    assert found is not None, reason
    assert found.history.seconds // 10 == artifacts.load_config(tmp_path).seed  # 같은 실행의 것
    assert _leftovers(tmp_path) == []


# ---------------------------------------------------------------------------
# get_or_train
# ---------------------------------------------------------------------------


def test_get_or_train_orchestration(tmp_path, data, fake_train, monkeypatch, mnist_small):
    seeds = []
    monkeypatch.setattr(config, "set_seed", lambda seed: seeds.append(seed) or seed)
    folder = tmp_path / "run"
    first = artifacts.get_or_train(folder, data, CFG, progress="none")
    assert first.trained_now and first.directory == folder and seeds == [CFG.seed]
    assert fake_train == [(CFG, "none")]
    assert_korean(first.reason, "저장된 모델이 없습니다", "새로 훈련")

    model, history, trained_now = second = artifacts.get_or_train(folder, data, CFG)
    assert not trained_now and len(fake_train) == 1 and history == first.history
    assert_korean(second.reason, "불러왔습니다", "FORCE_RETRAIN = True")
    assert model.count_params() == 61_706

    smaller = TrainConfig(epochs=1, batch_size=32, seed=5)
    third = artifacts.get_or_train(folder, data, smaller, progress="none")
    assert third.trained_now and "batch_size 64 → 32" in third.reason

    other_data = _prepare(mnist_small, 400)
    fourth = artifacts.get_or_train(folder, other_data, smaller, progress="none")
    assert fourth.trained_now and "data.n_train 270 → 360" in fourth.reason

    forced = artifacts.get_or_train(folder, other_data, smaller, force=True, progress="none")
    assert forced.trained_now and "FORCE_RETRAIN" in forced.reason and len(fake_train) == 4
    assert artifacts.load_history(folder) == forced.history


def test_get_or_train_end_to_end(tmp_path, data, capsys):
    """실제로 훈련(270장, 1 에포크)하고, 두 번째에는 같은 모델을 불러옵니다."""
    first = artifacts.get_or_train(tmp_path, data, CFG, progress="none")
    assert first.trained_now and sorted(p.name for p in tmp_path.iterdir()) == RUN_FILES
    again = artifacts.get_or_train(tmp_path, data, CFG, progress="none")
    assert not again.trained_now and again.history == first.history
    np.testing.assert_allclose(
        again.model.predict(data.x_test, verbose=0),
        first.model.predict(data.x_test, verbose=0),
        atol=1e-6,
    )
    assert capsys.readouterr().out == ""  # 도우미는 아무것도 출력하지 않음


# ---------------------------------------------------------------------------
# 속도 설정: 켜고 훈련한 모델과 끄고 훈련한 모델은 결과가 조금 달라 서로 대신 쓰지 않음
# (5·6장을 먼저 연 학생이 4장과 다른 모델을 얻지 않도록)
# ---------------------------------------------------------------------------


def test_run_saved_with_another_speed_setting_is_not_reused(tmp_path, net, data, monkeypatch):
    from lenetlib import speed

    monkeypatch.setitem(speed._state, "splits", None)
    artifacts.save_run(tmp_path, net, _history(), CFG, data)
    assert artifacts.load_run_info(tmp_path)["speed_splits"] is None
    assert artifacts.find_run(tmp_path, data, CFG)[0] is not None
    monkeypatch.setitem(speed._state, "splits", 2)
    found, reason = artifacts.find_run(tmp_path, data, CFG)
    assert found is None
    assert_korean(reason, "다릅니다", "speed_splits None → 2")
    artifacts.save_run(tmp_path, net, _history(), CFG, data)
    assert artifacts.find_run(tmp_path, data, CFG)[0] is not None
