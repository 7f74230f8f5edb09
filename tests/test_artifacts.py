"""lenetlib.artifacts: 한 묶음 저장·불러오기, 손상·불일치 감지, 쓰기 전 검사, get_or_train (4장),
다른 구조의 묶음·끊긴 저장·동시 실행 (이슈 #18의 1·2·3·14)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from lenetlib import artifacts, config, training
from lenetlib._internal import atomic
from lenetlib.artifacts import ArtifactError
from lenetlib.model import build_lenet5, build_lenet5_classic
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


def _bundle(folder: Path) -> Path:
    """config.json이 가리키는 세대 폴더 (묶음 파일의 진짜 자리)."""
    info = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    return folder / info.get("run_folder", "")


def _visible(folder: Path) -> list[str]:
    """세대 폴더를 뺀, 학생이 보는 파일 이름들."""
    return sorted(p.name for p in folder.iterdir() if not atomic.is_run_name(p.name))


def _leftovers(folder: Path) -> list[str]:
    """점으로 시작하는 것 중 지금 세대 폴더가 아닌 것 (임시 파일, 예전 세대)."""
    current = _bundle(folder).name if (folder / "config.json").exists() else None
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.name != current)


def _restamp(folder: Path, name: str, content: bytes) -> None:
    """파일을 바꾸고 config.json의 해시도 맞춥니다 (묶음은 맞지만 내용이 틀린 경우를 만듦)."""
    (_bundle(folder) / name).write_bytes(content)
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
    assert _visible(saved) == RUN_FILES and _leftovers(saved) == []
    loaded = artifacts.load_model(saved)
    np.testing.assert_allclose(
        loaded.predict(data.x_test, verbose=0), net.predict(data.x_test, verbose=0), atol=1e-6
    )
    assert artifacts.load_history(saved) == _history()
    assert artifacts.load_config(saved) == CFG
    info = artifacts.load_run_info(saved)
    assert info["data"] == artifacts.data_fingerprint(data)
    assert (info["data"]["n_train"], info["data"]["n_val"], info["data"]["n_test"]) == (270, 30, 50)
    assert info["model"] == artifacts.describe_model(net)
    assert (info["model"]["name"], info["model"]["params"]) == (net.name, 61_706)
    assert info["model"]["layers"][:2] == ["C1 (Conv2D)", "S2 (MaxPooling2D)"]
    assert set(info["versions"]) == {"lenetlib", "keras", "tensorflow"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", info["saved_at"])
    for name in ("lenet5.keras", "history.json"):  # 표지가 각 파일의 해시를 담음
        assert info["files"][name] == hashlib.sha256((saved / name).read_bytes()).hexdigest()
        assert os.path.samefile(saved / name, _bundle(saved) / name)  # 보이는 파일 = 지금 세대


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


def test_blank_directory_is_refused_not_the_current_folder():
    """``artifacts_dir("")``는 말없이 지금 폴더(``Path(".")``)가 되었음."""
    for blank in ("", "   "):
        with pytest.raises(ValueError) as err:
            artifacts.artifacts_dir(blank)
        assert_korean(err, "directory", "빈 문자열", "None")
    assert artifacts.artifacts_dir(".") == Path(".")


def _with(data, **arrays) -> SimpleNamespace:
    names = [f"{a}_{s}" for s in ("train", "val", "test") for a in "xy"]
    return SimpleNamespace(**{name: getattr(data, name) for name in names} | arrays)


@pytest.mark.parametrize("case", ["progress-loud", "unpadded-28x28", "integer-labels"])
def test_get_or_train_checks_progress_and_data_before_creating_the_folder(
    tmp_path, data, fake_train, case
):
    """잘못된 progress·데이터를 거절하기 전에 산출물 폴더부터 만들었음 (paper.run_row처럼)."""
    folder, progress, needle = tmp_path / "new", "none", "progress"
    if case == "progress-loud":
        progress = "loud"
    elif case == "unpadded-28x28":  # 2장의 32×32 패딩을 잊음
        x = {f"x_{s}": getattr(data, f"x_{s}")[:, 2:30, 2:30, 0] for s in ("train", "val")}
        data, needle = _with(data, **x), "32"
    else:  # prepare_mnist(..., one_hot=False)
        y = {f"y_{s}": getattr(data, f"y_{s}").argmax(1) for s in ("train", "val")}
        data, needle = _with(data, **y), "원-핫"
    with pytest.raises(ValueError) as err:
        artifacts.get_or_train(folder, data, CFG, progress=progress)
    assert_korean(err, needle)
    assert not folder.exists() and fake_train == []


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


@pytest.mark.parametrize("chapter", [4, 7])
def test_write_errors_send_the_student_to_the_chapter_that_saves(tmp_path, chapter):
    """7장의 줄을 저장하지 못하면 7장을 가리킵니다 (예전에는 언제나 4장)."""
    (blocked := tmp_path / "file").write_text("사용자 파일", encoding="utf-8")
    with pytest.raises(ArtifactError) as err:
        artifacts.check_writable(blocked / "run", chapter=chapter)
    assert err.value.chapter.startswith(f"{chapter}장"), err.value.chapter
    assert f"{chapter}장" in str(err.value)
    assert blocked.read_text(encoding="utf-8") == "사용자 파일"


@pytest.mark.parametrize("how", ["truncate", "garbage", "empty"])
@pytest.mark.parametrize("restamp", [False, True], ids=["hash-mismatch", "hash-matches"])
def test_corrupt_keras_file(saved, how, restamp):
    raw = (saved / "lenet5.keras").read_bytes()
    bad = {"truncate": raw[: len(raw) // 2], "garbage": b"not a keras archive" * 9, "empty": b""}
    if restamp:
        _restamp(saved, "lenet5.keras", bad[how])
    else:
        (_bundle(saved) / "lenet5.keras").write_bytes(bad[how])
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
    [
        {"data": "x"},
        {"model": "x"},
        {"data": [1, 2]},
        {"train_config": "x"},
        {"files": None},
        {"run_folder": "../../elsewhere"},
    ],
    ids=["data-str", "model-str", "data-list", "train_config-str", "files-null", "run-outside"],
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
# 이슈 #10-6, #18-3: 저장 도중 멈춤 → 새 묶음 한 벌이 자리 잡기 전까지 예전 묶음이 온전함
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


#: 저장의 단계마다: (바꿔 치울 곳, 함수 이름, 몇 번째 호출, config.json이 이미 새 묶음을 가리키는지)
SAVE_STEPS = {
    "model-staged": (atomic, "_stage", 1, False),
    "history-staged": (atomic, "_stage", 2, False),
    "before-config": (atomic, "write_json", 1, False),
    "config-replace": (atomic.os, "replace", 1, False),
    "model-replace": (atomic.os, "replace", 2, True),
    "model-exposed": (atomic, "_expose", 1, True),
    "history-exposed": (atomic, "_expose", 2, True),
    "old-run-removed": (atomic, "_remove_run", 1, True),
}


@pytest.mark.parametrize("step", SAVE_STEPS)
def test_interrupted_save_keeps_a_complete_run(saved, net, data, monkeypatch, step):
    """이슈 #18-3: 모델·기록을 바꿔 넣은 뒤 config.json 전에 멈추면 예전 실행까지 못 쓰게 되었음."""
    artifacts.save_metrics(saved, {"test_accuracy": 0.5})
    other = TrainConfig(epochs=1, batch_size=32, seed=5)
    target, name, n, switched = SAVE_STEPS[step]
    _crash_on_call(monkeypatch, target, name, n)
    with pytest.raises(KeyboardInterrupt):
        artifacts.save_run(saved, net, _history(9.0), other, data)
    monkeypatch.undo()

    found, reason = artifacts.find_run(saved, data, other if switched else CFG)
    assert found is not None, reason  # 늘 한 벌은 온전: 전환 전이면 예전, 뒤면 새 실행
    assert found.history.seconds == (9.0 if switched else 1.0)
    assert artifacts.load_model(saved).count_params() == 61_706
    if switched:  # 예전 지표를 새 모델의 것으로 알려 주지 않음
        with pytest.raises(ArtifactError) as err:
            artifacts.load_metrics(saved)
        assert_korean(err, "05_evaluation.ipynb", "지금 저장된 모델의 것이 아닙니다")
    else:
        assert artifacts.load_metrics(saved)["test_accuracy"] == 0.5
    artifacts.save_run(saved, net, _history(3.0), CFG, data)  # 다음 저장이 남은 것을 치움
    assert artifacts.find_run(saved, data, CFG)[0].history.seconds == 3.0
    assert _visible(saved) == [*RUN_FILES, "metrics.json"] and _leftovers(saved) == []


_PIPE_READERS = """
import sys
from types import SimpleNamespace
import numpy as np
from lenetlib import artifacts, training
pipe, bundle = sys.argv[1:]
x, y = np.zeros((2, 32, 32, 1), np.float32), np.eye(10, dtype=np.float32)[[0, 1]]
splits = ("train", "val", "test")
data = SimpleNamespace(**{f"{a}_{s}": v for s in splits for a, v in zip("xy", (x, y))})
for call in (lambda: artifacts.load_model(pipe), lambda: artifacts.load_run_info(pipe),
             lambda: print(artifacts.find_run(pipe, data, training.TrainConfig())[1]),
             lambda: artifacts.load_history(bundle), lambda: artifacts.load_model(bundle)):
    try:
        call()
    except artifacts.ArtifactError as exc:
        print(exc)
"""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="이름 있는 파이프가 없는 OS")
def test_bundle_file_that_is_a_pipe_fails_at_once(saved, tmp_path_factory):
    """config.json(이나 묶음의 다른 파일)이 이름 있는 파이프면 열다가 영원히 기다렸음."""
    os.mkfifo(config_pipe := tmp_path_factory.mktemp("pipe") / "config.json")
    (history := _bundle(saved) / "history.json").unlink()
    os.mkfifo(history)
    root = Path(__file__).resolve().parent.parent
    args = [sys.executable, "-c", _PIPE_READERS, str(config_pipe.parent), str(saved)]
    done = subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=120)
    lines = done.stdout.splitlines()
    assert len(lines) == 5 and all("보통 파일이 아닙니다" in line for line in lines), done
    for line in lines:
        assert_korean(line, "옮기거나 지우세요")
    assert os.path.isfile(saved / "config.json")  # 사용자가 만든 파이프·묶음은 그대로
    assert all(stat.S_ISFIFO(p.lstat().st_mode) for p in (config_pipe, history))


# ---------------------------------------------------------------------------
# 남은 임시 파일, umask, 동시 저장 (이슈 #18-1, #18-14)
# ---------------------------------------------------------------------------


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_orphan_temp_files_are_cleaned_by_the_next_save(tmp_path, net, data):
    dead = _dead_pid()  # 저장 도중 죽은 프로세스가 남긴 임시 파일과 세대 폴더
    (tmp_path / f".lenet5.{dead}.x1y2z3ab.{atomic.MARKER}.keras").write_bytes(b"PK half")
    (run := tmp_path / f"{atomic.RUN_PREFIX}{dead}.abcdefgh").mkdir()
    (run / "lenet5.keras").write_bytes(b"PK half written")
    artifacts.save_run(tmp_path, net, _history(), CFG, data)
    assert _visible(tmp_path) == RUN_FILES and _leftovers(tmp_path) == []


def test_saves_never_delete_user_files_next_to_the_bundle(saved, net, data):
    """이슈 #18-1: save_metrics가 같은 폴더의 .notes.tmp.md를 지웠음 (lenetlib 표지 없는 이름)."""
    names = [".notes.tmp.md", ".draft.tmp.txt", ".bash_history.tmp", ".ssh.tmp",
             ".lenet5.999999999.x1y2z3.tmp.keras", ".metrics.12345.tmp.json"]  # fmt: skip
    two_days_ago = time.time() - 48 * 3600
    for name in names:
        (saved / name).write_text(f"사용자 메모 {name}", encoding="utf-8")
        os.utime(saved / name, (two_days_ago, two_days_ago))
    artifacts.save_metrics(saved, {"test_accuracy": 0.9})
    artifacts.save_run(saved, net, _history(2.0), CFG, data)
    artifacts.check_writable(saved)
    for name in names:
        assert (saved / name).read_text(encoding="utf-8") == f"사용자 메모 {name}", name


def test_saved_files_follow_the_umask(tmp_path, net, data):
    old = os.umask(0o022)
    try:
        artifacts.save_run(tmp_path, net, _history(), CFG, data)
        artifacts.save_metrics(tmp_path, {"test_accuracy": 0.9})
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()}
    modes.update({f"run/{p.name}": p.stat().st_mode & 0o777 for p in _bundle(tmp_path).iterdir()})
    assert modes == {**dict.fromkeys([*RUN_FILES, "metrics.json"], 0o644), _bundle(tmp_path).name:
                     0o755, "run/lenet5.keras": 0o644, "run/history.json": 0o644}  # fmt: skip


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
    assert first.trained_now and _visible(tmp_path) == RUN_FILES
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


# ---------------------------------------------------------------------------
# 이슈 #18-2: 다른 구조의 묶음은 조용히 불러오지 않음 (get_or_train은 다시 훈련)
# ---------------------------------------------------------------------------


def test_bundle_of_another_architecture_is_retrained_not_returned(tmp_path, data, fake_train):
    from lenetlib import paper

    artifacts.save_run(tmp_path, paper.build_row("+ ReLU", seed=CFG.seed), _history(), CFG, data)
    found, reason = artifacts.find_run(tmp_path, data, CFG)
    assert found is None
    assert_korean(reason, "구조가 요청한 모델과 다릅니다", "LeNet5_relu_aug", "C1 (Conv2D)")
    outcome = artifacts.get_or_train(tmp_path, data, CFG, progress="none")
    assert outcome.trained_now and outcome.model.name == "LeNet5" and len(fake_train) == 1
    assert_korean(outcome.reason, "구조가 요청한 모델과 다릅니다", "새로 훈련해 저장했습니다")
    found, reason = artifacts.find_run(tmp_path, data, CFG)
    assert found is not None and found.model.name == "LeNet5", reason


def test_model_swapped_with_rewritten_hashes_is_refused(saved, data, fake_train, tmp_path_factory):
    classic = build_lenet5_classic()  # 해시까지 고쳐 넣은 다른 모델 (config.json은 61,706개)
    classic.save(path := tmp_path_factory.mktemp("classic") / "lenet5.keras")
    _restamp(saved, "lenet5.keras", path.read_bytes())
    with pytest.raises(ArtifactError) as err:
        artifacts.load_model(saved)
    assert_korean(
        err, "config.json에 기록된 모델과 다릅니다", "params 61706 → 60850", "04_training"
    )
    found, reason = artifacts.find_run(saved, data, CFG)
    assert found is None and "기록된 모델과 다릅니다" in reason
    outcome = artifacts.get_or_train(saved, data, CFG, progress="none")
    assert outcome.trained_now and artifacts.load_model(saved).count_params() == 61_706


def test_old_flat_layout_and_copied_visible_files_still_load(saved, net, data, tmp_path_factory):
    """세대 폴더가 없는 예전 형식의 묶음, 보이는 세 파일만 복사한 폴더도 해시가 맞으면 씀."""
    copy = tmp_path_factory.mktemp("copy")
    for name in RUN_FILES:
        (copy / name).write_bytes((saved / name).read_bytes())
    assert artifacts.find_run(copy, data, CFG)[0] is not None
    info = json.loads((saved / "config.json").read_text(encoding="utf-8"))
    run = saved / info.pop("run_folder")
    (saved / "config.json").write_text(json.dumps(info), encoding="utf-8")
    for name in ("lenet5.keras", "history.json"):
        (run / name).unlink()
    run.rmdir()
    found, reason = artifacts.find_run(saved, data, CFG)
    assert found is not None and found.history == _history(), reason
    artifacts.save_run(saved, net, _history(2.0), CFG, data)  # 예전 형식 위에 새 형식으로
    assert artifacts.find_run(saved, data, CFG)[0].history.seconds == 2.0
    assert _leftovers(saved) == []


# ---------------------------------------------------------------------------
# 이슈 #18-14: 한 프로세스가 저장하는 동안 get_or_train은 잠금을 기다림 (한도가 있음)
# ---------------------------------------------------------------------------


class _SlowSave:
    """저장이 모델 파일을 쓰는 도중에 멈춰 있는 모델 (그동안 다른 스레드가 읽으려 함)."""

    def __init__(self, model) -> None:
        self._model, self.started, self.go = model, threading.Event(), threading.Event()

    def __getattr__(self, name: str):
        return getattr(self._model, name)

    def save(self, path) -> None:
        self.started.set()
        assert self.go.wait(timeout=600)
        self._model.save(path)


def test_get_or_train_waits_for_a_save_in_progress(saved, net, data, fake_train, capsys,
                                                   monkeypatch):  # fmt: skip
    monkeypatch.setattr(atomic, "LOCK_WAIT_SECONDS", 900.0)  # 아주 바쁜 컴퓨터에서도 기다리게
    slow, got = _SlowSave(net), []
    saver = threading.Thread(target=artifacts.save_run,
                             args=(saved, slow, _history(7.0), CFG, data))  # fmt: skip
    saver.start()
    assert slow.started.wait(timeout=600)
    reader = threading.Thread(target=lambda: got.append(artifacts.get_or_train(saved, data, CFG)))
    reader.start()
    reader.join(timeout=1)
    waiting = reader.is_alive()  # 저장이 끝나지 않았으니 아직 기다려야 함
    slow.go.set()
    saver.join()
    reader.join()
    assert waiting, "저장이 끝나기 전에 묶음을 읽었습니다"
    (outcome,) = got
    assert not outcome.trained_now and outcome.history.seconds == 7.0 and fake_train == []
    assert "끝나기를 기다립니다" in capsys.readouterr().err


def test_waiting_for_the_lock_is_bounded_and_korean(saved, net, data, fake_train, monkeypatch):
    fcntl = pytest.importorskip("fcntl")
    monkeypatch.setattr(atomic, "LOCK_WAIT_SECONDS", 0.2)
    fd = os.open(saved, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # 다른 프로세스가 오래 저장하는 것처럼
    try:
        with pytest.raises(ArtifactError) as err:
            artifacts.get_or_train(saved, data, CFG, progress="none")
        assert_korean(err, "다른 프로세스가", "04_training.ipynb", "끝난 뒤 다시 실행하세요")
        with pytest.raises(ArtifactError) as err:
            artifacts.save_run(saved, net, _history(), CFG, data)
        assert_korean(err, "다른 프로세스가", "끝난 뒤 다시 실행하세요")
    finally:
        os.close(fd)
    assert fake_train == [] and artifacts.find_run(saved, data, CFG)[0] is not None
