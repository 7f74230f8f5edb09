"""lenetlib.artifacts 테스트: 저장/불러오기 왕복, 원자적 쓰기, 손상 감지, get_or_train."""

from __future__ import annotations

import json
import os
from pathlib import Path

import keras
import numpy as np
import pytest

from lenetlib import artifacts, training
from lenetlib.artifacts import ArtifactError, RunStatus
from lenetlib.model import build_lenet5
from lenetlib.preprocessing import prepare_mnist
from lenetlib.training import History, TrainConfig

HANGUL = "[가-힣]"
CONFIG = TrainConfig(epochs=1, seed=5, batch_size=64, jit_compile=False)


@pytest.fixture(scope="module")
def data(mnist_small):
    """실제 MNIST 400장 (훈련 360 / 검증 40), 테스트 100장."""
    return prepare_mnist(
        (mnist_small["x_train"], mnist_small["y_train"]),
        (mnist_small["x_test"][:100], mnist_small["y_test"][:100]),
        train_limit=400,
    )


@pytest.fixture(scope="module")
def run(data):
    training.set_seed(CONFIG.seed)
    model = build_lenet5()
    history = training.train(
        model, data.x_train, data.y_train, CONFIG,
        validation_data=(data.x_val, data.y_val), progress="none",
    )  # fmt: skip
    return model, history


@pytest.fixture()
def saved(tmp_path, run, data):
    model, history = run
    artifacts.save_run(tmp_path, model, history, config=CONFIG, data=data)
    return tmp_path


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)


# ---------------------------------------------------------------------------
# 왕복
# ---------------------------------------------------------------------------


def test_save_run_roundtrip(saved, run, data):
    model, history = run
    names = sorted(p.name for p in saved.iterdir())
    assert names == ["config.json", "history.json", "lenet5.keras"]

    loaded = artifacts.load_model(saved)
    np.testing.assert_allclose(
        loaded.predict(data.x_test, verbose=0), model.predict(data.x_test, verbose=0), atol=1e-6
    )
    assert loaded.count_params() == model.count_params() == 61_706

    h = artifacts.load_history(saved)
    assert h.history == history.history
    assert (h.epochs_run, h.best_epoch, h.stopped_early) == (
        history.epochs_run,
        history.best_epoch,
        history.stopped_early,
    )
    assert "learning_rate" in h.history

    assert artifacts.load_config(saved) == CONFIG
    info = artifacts.load_run_info(saved)
    assert info["data"]["n_train"] == 360 and info["data"]["n_val"] == 40
    assert info["model"] == {"name": model.name, "params": 61_706}
    assert info["run_id"] == h.extra["run_id"]
    # 한글은 그대로(ensure_ascii=False), UTF-8
    json.loads((saved / "config.json").read_text(encoding="utf-8"))


def test_metrics_merge_run_id_and_stale_detection(saved, run, data):
    artifacts.save_metrics(saved, {"test_accuracy": np.float32(0.5), "n_test": np.int64(100)})
    artifacts.save_metrics(saved, {"test_loss": 1.25, "test_accuracy": 0.75})
    m = artifacts.load_metrics(saved)
    assert m["test_accuracy"] == 0.75 and m["test_loss"] == 1.25 and m["n_test"] == 100
    assert m["run_id"] == artifacts.load_run_info(saved)["run_id"]
    # 새로 훈련해 저장하면 예전 지표는 다른 모델의 것 → 5장을 다시 실행하라는 오류
    model, history = run
    artifacts.save_run(saved, model, history, config=CONFIG, data=data)
    with pytest.raises(ArtifactError, match=r"05_evaluation\.ipynb"):
        artifacts.load_metrics(saved)
    assert artifacts.load_metrics(saved, check_run=False)["test_loss"] == 1.25
    # save_run(metrics=...)은 새 run_id로 기록
    artifacts.save_run(saved, model, history, config=CONFIG, metrics={"test_loss": 2.0})
    assert artifacts.load_metrics(saved)["test_loss"] == 2.0


def test_default_directory_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("LENETLIB_ARTIFACTS", str(tmp_path / "arts"))
    assert artifacts.artifacts_dir() == tmp_path / "arts"
    assert artifacts.artifacts_dir("somewhere") == Path("somewhere")
    with pytest.raises(ValueError, match=HANGUL):
        artifacts.artifacts_dir(3)


# ---------------------------------------------------------------------------
# 없는 파일, 손상된 파일
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "loader, chapter",
    [
        (artifacts.load_model, "04_training.ipynb"),
        (artifacts.load_history, "04_training.ipynb"),
        (artifacts.load_config, "04_training.ipynb"),
        (artifacts.load_metrics, "05_evaluation.ipynb"),
    ],
)
def test_missing_artifact_names_the_chapter(tmp_path, loader, chapter):
    with pytest.raises(ArtifactError, match=chapter) as info:
        loader(tmp_path)
    assert "없습니다" in str(info.value)
    assert isinstance(info.value, RuntimeError)
    assert info.value.chapter.endswith(f"`{chapter}`")
    assert info.value.path.parent == tmp_path


@pytest.mark.parametrize("how", ["truncate", "garbage", "empty"])
def test_corrupt_keras_file(saved, how):
    path = saved / "lenet5.keras"
    raw = path.read_bytes()
    if how == "truncate":
        path.write_bytes(raw[: len(raw) // 2])
    elif how == "garbage":
        path.write_bytes(b"this is not a keras archive" * 10)
    else:
        path.write_bytes(b"")
    with pytest.raises(ArtifactError, match="손상") as info:
        artifacts.load_model(saved)
    assert "04_training.ipynb" in str(info.value)


@pytest.mark.parametrize(
    "name, loader, content",
    [
        ("history.json", artifacts.load_history, '{"history": {"loss": [0.5,'),
        ("history.json", artifacts.load_history, '{"history": {"loss": [1], "accuracy": []}}'),
        ("history.json", artifacts.load_history, "[1, 2, 3]"),
        ("config.json", artifacts.load_config, '{"train_config": {"epochs": -3}}'),
        ("config.json", artifacts.load_config, "{}"),
        ("config.json", artifacts.load_config, "\udcff"),
        ("metrics.json", artifacts.load_metrics, '{"test_accuracy": 0.9'),
        ("metrics.json", artifacts.load_metrics, "[0.9]"),
    ],
)
def test_corrupt_json(tmp_path, name, loader, content):
    (tmp_path / name).write_bytes(content.encode("utf-8", "surrogateescape"))
    with pytest.raises(ArtifactError, match=HANGUL) as info:
        loader(tmp_path)
    assert "ipynb" in str(info.value)
    assert "다시 실행" in str(info.value)


# ---------------------------------------------------------------------------
# 원자적 쓰기
# ---------------------------------------------------------------------------


def test_atomic_json_failure_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / "history.json"
    artifacts.atomic_write_json(target, {"good": 1})
    before = target.read_bytes()

    def broken_fsync(fd):
        raise OSError("디스크 오류 흉내")

    monkeypatch.setattr(artifacts.os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        artifacts.atomic_write_json(target, {"good": 2, "big": list(range(10000))})
    assert target.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_atomic_replace_failure_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / "metrics.json"
    artifacts.save_metrics(tmp_path, {"test_accuracy": 0.9})
    before = target.read_bytes()

    def broken_replace(src, dst):
        raise KeyboardInterrupt  # 사용자가 저장 도중 중단

    monkeypatch.setattr(artifacts.os, "replace", broken_replace)
    with pytest.raises(KeyboardInterrupt):
        artifacts.save_metrics(tmp_path, {"test_accuracy": 0.1})
    assert target.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_model_save_interrupted_keeps_old_model(saved, run, monkeypatch, data):
    model, _ = run
    before = (saved / "lenet5.keras").read_bytes()

    def half_save(self, filepath, *args, **kwargs):
        Path(filepath).write_bytes(b"PK\x03\x04 half written")  # 반쯤 쓴 zip
        raise OSError("저장 도중 멈춤")

    monkeypatch.setattr(keras.Model, "save", half_save)
    with pytest.raises(OSError):
        artifacts.save_model(saved, model)
    monkeypatch.undo()
    assert (saved / "lenet5.keras").read_bytes() == before
    assert _leftovers(saved) == []
    assert artifacts.load_model(saved).count_params() == 61_706


def test_save_run_rejects_bad_arguments(tmp_path, run):
    model, history = run
    with pytest.raises(ValueError, match=HANGUL):
        artifacts.save_run(tmp_path, model, history, config={"epochs": 1})
    with pytest.raises(ValueError, match=HANGUL):
        artifacts.save_run(tmp_path, model, history.history, config=CONFIG)
    with pytest.raises(ValueError, match=HANGUL):
        artifacts.save_metrics(tmp_path, [0.9])
    with pytest.raises(ValueError, match=HANGUL):
        artifacts.save_metrics(tmp_path, {"bad": object()})
    assert _leftovers(tmp_path) == []


# ---------------------------------------------------------------------------
# get_or_train
# ---------------------------------------------------------------------------


def test_get_or_train_lifecycle(tmp_path, data, capsys):
    folder = tmp_path / "run"
    first = artifacts.get_or_train(folder, data, CONFIG, progress="none")
    assert first.trained_now and first.status is RunStatus.MISSING
    assert "새로 훈련" in first.reason
    assert (folder / "lenet5.keras").is_file()

    # 같은 설정 → 불러오기 (속도 설정은 비교하지 않음)
    faster = TrainConfig(**{**CONFIG.to_dict(), "steps_per_execution": 4})
    model, history, trained_now = second = artifacts.get_or_train(folder, data, faster)
    assert not trained_now and second.status is RunStatus.LOADED
    assert "불러왔습니다" in second.reason
    assert isinstance(history, History)
    assert history.history == first.history.history
    np.testing.assert_allclose(
        model.predict(data.x_test[:8], verbose=0),
        first.model.predict(data.x_test[:8], verbose=0),
        atol=1e-6,
    )

    # 다른 설정 → 이유와 함께 다시 훈련
    changed = TrainConfig(**{**CONFIG.to_dict(), "batch_size": 32})
    third = artifacts.get_or_train(folder, data, changed, progress="none")
    assert third.trained_now and third.status is RunStatus.CONFIG_CHANGED
    assert "batch_size" in third.reason and "64" in third.reason and "32" in third.reason
    assert artifacts.load_config(folder) == changed

    # 손상된 모델 → 다시 훈련
    (folder / "lenet5.keras").write_bytes(b"broken")
    fourth = artifacts.get_or_train(folder, data, changed, progress="none")
    assert fourth.trained_now and fourth.status is RunStatus.CORRUPT
    assert artifacts.load_model(folder).count_params() == 61_706

    # 같은 시드 → 같은 기록 (재현성)
    assert fourth.history.history == third.history.history
    # helper는 아무것도 출력하지 않음
    assert capsys.readouterr().out == ""


def test_get_or_train_data_change_and_force(tmp_path, run, data, mnist_small):
    model, history = run
    artifacts.save_run(tmp_path, model, history, config=CONFIG, data=data)
    assert artifacts.get_or_train(tmp_path, data, CONFIG).status is RunStatus.LOADED
    other = prepare_mnist(
        (mnist_small["x_train"], mnist_small["y_train"]),
        (mnist_small["x_test"][:10], mnist_small["y_test"][:10]),
        train_limit=300,
    )
    # 데이터가 달라짐 → 다시 훈련 (훈련 개수 360 → 270)
    second = artifacts.get_or_train(tmp_path, other, CONFIG, progress="none")
    assert second.status is RunStatus.CONFIG_CHANGED and "data.n_train" in second.reason
    forced = artifacts.get_or_train(tmp_path, other, CONFIG, progress="none", force=True)
    assert forced.status is RunStatus.FORCED and forced.trained_now
    with pytest.raises(ValueError, match=HANGUL):
        artifacts.get_or_train(tmp_path, {"x_train": 1}, CONFIG)
    with pytest.raises(ValueError, match=HANGUL):
        artifacts.get_or_train(tmp_path, other, CONFIG, model_builder="LeNet")
    # 디렉터리에 임시 파일이 남지 않음
    assert _leftovers(tmp_path) == []
    assert not any(name.startswith(".") for name in os.listdir(tmp_path))
