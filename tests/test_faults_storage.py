"""이슈 #18-2: 7장의 줄 폴더에 다른 줄의 묶음이 있으면 불러오지 않고 그 줄을 다시 훈련합니다.
구조 확인이 지나치게 엄해 맞는 저장본까지 다시 훈련하지 않는지도 모든 줄에서 봅니다."""

from __future__ import annotations

import shutil

import pytest

from lenetlib import artifacts, paper, training
from lenetlib.training import History
from tests.conftest import prepare_small

COURSE, RELU = "이 강의의 LeNet-5", "+ ReLU"


def _history() -> History:
    hist = {"loss": [0.9], "accuracy": [0.7], "val_loss": [0.8], "val_accuracy": [0.75],
            "learning_rate": [0.001]}  # fmt: skip
    return History(history=hist, epochs_run=1, best_epoch=1, stopped_early=False, seconds=1.0)


@pytest.fixture(scope="module")
def data(mnist_small):
    return prepare_small(mnist_small, train_limit=300)


def _fake_train(trained: list):
    """training.train 대신: 훈련하지 않고 가짜 기록 (받은 모델의 이름을 ``trained``에 적음)."""

    def train(model, data, cfg, *, callbacks=(), progress="auto"):
        trained.append(model.name)
        return _history()

    return train


def _name(row: str) -> str:
    return paper.build_row(row, seed=42).name


def _run(row: str, data, directory, seed: int = 42):
    return paper.run_row(row, data, seed=seed, epochs=1, directory=directory, progress="none")


def test_copied_row_folder_of_another_row_is_retrained(tmp_path, data, monkeypatch):
    """paper/relu-seed42를 paper/course-seed42 위에 복사하면 run_row가 ReLU 모델을 불러왔음."""
    monkeypatch.setattr(training, "train", _fake_train(trained := []))
    assert _run(RELU, data, tmp_path).trained_now and trained == [_name(RELU)]
    course = paper.row_folder(COURSE, 42, tmp_path)
    shutil.copytree(paper.row_folder(RELU, 42, tmp_path), course)
    run = _run(COURSE, data, tmp_path)
    assert run.trained_now and trained == [_name(RELU), "LeNet5"] and run.model.name == "LeNet5"
    assert artifacts.load_model(course).name == "LeNet5"  # 맞는 구조로 다시 저장됨
    assert not _run(COURSE, data, tmp_path).trained_now and len(trained) == 2


def test_every_row_reloads_its_own_saved_bundle(tmp_path, data, monkeypatch):
    """구조 확인이 지나치게 엄해 맞는 저장본까지 다시 훈련하면 안 됨 (모든 줄)."""
    monkeypatch.setattr(training, "train", _fake_train(trained := []))
    for row in paper.ROWS:
        assert _run(row, data, tmp_path, seed=7).trained_now
        again = _run(row, data, tmp_path, seed=7)
        assert not again.trained_now and again.model.name == paper.build_row(row, seed=7).name
    assert trained == [_name(row) for row in paper.ROWS]
