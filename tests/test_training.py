"""lenetlib.training: 설정 검사, 기록, 콜백, 진행 표시, 입력 검사, 훈련 (4장)."""

from __future__ import annotations

import json
import math
import types

import numpy as np
import pytest

from lenetlib import config, speed, training
from lenetlib._internal.backend import keras
from lenetlib.model import build_lenet5
from lenetlib.training import History, TrainConfig, make_callbacks

HANGUL = "[가-힣]"
#: 이름 뒤 조사가 틀린 꼴 (받침 있는 말 + 는/가/를, 받침 없는 말 + 은/이/을)
WRONG_PARTICLES = ("레이블가", "레이블는", "레이블를", "이미지이 ", "이미지은", "이미지을",
                   "설정는", "설정가", "설정를", "기록는", "기록가", "기록를")  # fmt: skip


def assert_korean(error: pytest.ExceptionInfo, *needles: str) -> str:
    """한국어 메시지이고, 조사가 맞고, ``needles``를 모두 담는지 확인합니다."""
    text = str(error.value)
    assert any("가" <= ch <= "힣" for ch in text), text
    assert not [w for w in WRONG_PARTICLES if w in text], text
    for needle in needles:
        assert needle in text, (needle, text)
    return text


def _prepared(mnist_small: dict, n_train: int, n_val: int) -> types.SimpleNamespace:
    """앞 ``n_train + n_val``장을 2장의 방식(0~1, 32×32 패딩, 채널, 원-핫)으로 준비합니다."""
    n = n_train + n_val
    x = np.zeros((n, 32, 32, 1), np.float32)
    x[:, 2:30, 2:30, 0] = mnist_small["x_train"][:n] / 255.0
    y = np.eye(10, dtype=np.float32)[mnist_small["y_train"][:n]]
    return types.SimpleNamespace(
        x_train=x[:n_train], y_train=y[:n_train], x_val=x[n_train:], y_val=y[n_train:]
    )


@pytest.fixture(scope="module")
def small(mnist_small):
    """훈련 300장, 검증 100장."""
    return _prepared(mnist_small, 300, 100)


@pytest.fixture(scope="module")
def trained(small):
    """2 에포크 훈련한 모델, 기록, 설정, 에포크 모드 출력 (seed는 NumPy 정수로)."""
    import contextlib
    import io

    speed.disable()
    cfg = TrainConfig(epochs=2, batch_size=64, seed=np.int64(7))
    config.set_seed(cfg.seed)
    model = build_lenet5()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        history = training.train(model, small, cfg, progress="epoch")
    return model, history, cfg, out.getvalue()


# ---------------------------------------------------------------------------
# TrainConfig
# ---------------------------------------------------------------------------


def test_defaults_match_original_notebook():
    c = TrainConfig()
    assert (c.epochs, c.batch_size, c.learning_rate, c.lr_schedule) == (20, 128, 1e-3, "plateau")
    assert (c.early_stopping_patience, c.reduce_lr_factor, c.reduce_lr_patience) == (5, 0.5, 3)
    assert (c.min_lr, c.seed, c.shuffle) == (1e-7, 42, True)
    speed_fields = {
        "jit_compile",
        "steps_per_execution",
        "validation_batch_size",
        "parallel_splits",
    }
    assert len(c.to_dict()) == 10 and not speed_fields & set(c.to_dict())  # 속도 설정은 speed에


BAD_VALUES = [
    ("epochs", 0),
    ("epochs", 2.5),
    ("epochs", True),
    ("batch_size", -1),
    ("batch_size", "128"),
    ("lr_schedule", "step"),
    ("lr_schedule", None),
    ("learning_rate", 0.0),
    ("learning_rate", float("nan")),
    ("early_stopping_patience", -1),
    ("reduce_lr_factor", 1.0),
    ("reduce_lr_factor", 0.0),
    ("reduce_lr_patience", -2),
    ("min_lr", 1.0),  # learning_rate보다 큼
    ("min_lr", -1e-9),
    ("seed", -1),
    ("seed", 2**32),  # 이슈 #10-7: 예전에는 받아들이고 훈련에서 영어 오류
    ("seed", 4.0),
    ("shuffle", "yes"),
]


@pytest.mark.parametrize("field, value", BAD_VALUES)
def test_config_rejects_bad_values_in_korean(field, value):
    with pytest.raises(ValueError, match=HANGUL) as info:
        TrainConfig(**{field: value})
    assert_korean(info, field, repr(value))
    assert f"{field}은(는)" in str(info.value)  # 영어 이름 뒤 조사


def test_every_field_is_checked():
    assert {f for f, _ in BAD_VALUES} == set(TrainConfig().to_dict())


def test_seed_accepts_numpy_integer_and_stores_plain_int():
    """이슈 #10-7: np.int64(7)은 받아서 int 7로 저장 (JSON으로 저장 가능)."""
    c = TrainConfig(seed=np.int64(7), epochs=np.int32(3))
    assert c.seed == 7 and type(c.seed) is int and type(c.epochs) is int
    assert json.loads(json.dumps(c.to_dict()))["seed"] == 7
    assert TrainConfig(seed=2**32 - 1).seed == 2**32 - 1


def test_config_roundtrip_unknown_keys_and_differences():
    c = TrainConfig(epochs=3, learning_rate=5e-4)
    assert TrainConfig.from_dict(c.to_dict()) == c
    assert TrainConfig.from_dict({**c.to_dict(), "parallel_splits": 2}) == c  # 옛 속도 필드 무시
    assert TrainConfig.from_dict({"epochs": 3}) == TrainConfig(epochs=3)
    assert c.differences(TrainConfig(epochs=3, learning_rate=5e-4)) == {}
    assert c.differences(TrainConfig(epochs=5)) == {"epochs": (3, 5), "learning_rate": (5e-4, 1e-3)}
    with pytest.raises(ValueError) as info:
        TrainConfig.from_dict([("epochs", 3)])
    assert_korean(info, "list", "to_dict")
    with pytest.raises(ValueError) as info:
        TrainConfig.from_dict({"epochs": "3"})
    assert_korean(info, "epochs", "'3'")
    with pytest.raises(ValueError) as info:
        c.differences({"epochs": 3})
    assert_korean(info, "TrainConfig")


# ---------------------------------------------------------------------------
# History
# ---------------------------------------------------------------------------


def _keras_history(history: dict, epochs: int, stop: bool = False) -> types.SimpleNamespace:
    model = types.SimpleNamespace(stop_training=stop)
    return types.SimpleNamespace(history=history, params={"epochs": epochs}, model=model)


def test_history_from_keras_best_epoch_and_stopped_early():
    raw = {
        "loss": [np.float32(1.0), 0.5, 0.6],
        "accuracy": [0.5, 0.8, 0.7],
        "val_loss": [0.9, 0.4, 0.5],
        "val_accuracy": [0.6, 0.9, 0.85],
        "learning_rate": [1e-3, 1e-3, 5e-4],
    }
    h = History.from_keras(_keras_history(raw, epochs=5), seconds=2.5)
    assert (h.epochs_run, h.best_epoch, h.stopped_early, h.seconds) == (3, 2, True, 2.5)
    assert h.history["loss"] == [1.0, 0.5, 0.6] and type(h.history["loss"][0]) is float
    full = History.from_keras(_keras_history(raw, epochs=3), seconds=1.0)
    assert not full.stopped_early
    last = History.from_keras(_keras_history(raw, epochs=3, stop=True), seconds=1.0)
    assert last.stopped_early  # 마지막 에포크에서 조기 종료 조건이 채워짐


def test_history_roundtrip_through_json(trained):
    _, history, _, _ = trained
    again = History.from_dict(json.loads(json.dumps(history.to_dict())))
    assert again == history
    nan_loss = {**history.to_dict(), "history": {"loss": [float("nan")]}}
    assert math.isnan(History.from_dict(nan_loss).history["loss"][0])  # 발산한 기록도 읽음


@pytest.mark.parametrize(
    "change, needle",
    [
        ({"history": {"loss": 1.0}}, "history"),  # 목록이 아님
        ({"history": {"loss": (1.0, 0.5)}}, "history"),
        ({"history": [1.0]}, "history"),
        ({"history": {"loss": ["a"]}}, "history['loss']"),
        ({"epochs_run": -1}, "epochs_run"),
        ({"best_epoch": 1.5}, "best_epoch"),
        ({"stopped_early": "no"}, "stopped_early"),
        ({"seconds": -1.0}, "seconds"),
    ],
)
def test_history_from_dict_rejects_bad_values(trained, change, needle):
    _, history, _, _ = trained
    with pytest.raises(ValueError) as info:
        History.from_dict({**history.to_dict(), **change})
    assert_korean(info, needle)


def test_history_from_dict_rejects_missing_keys_and_non_mapping(trained):
    _, history, _, _ = trained
    values = history.to_dict()
    del values["best_epoch"]
    with pytest.raises(ValueError) as info:
        History.from_dict(values)
    assert_korean(info, "best_epoch")
    with pytest.raises(ValueError) as info:
        History.from_dict([1, 2])
    assert_korean(info, "to_dict")


def test_best_metrics_matches_hand_computation(trained):
    _, history, _, _ = trained
    h = history.history
    expected = {
        "train_accuracy": max(h["accuracy"]),
        "val_accuracy": max(h["val_accuracy"]),
        "train_loss": min(h["loss"]),
        "val_loss": min(h["val_loss"]),
    }
    assert training.best_metrics(history) == expected
    assert training.best_metrics(h) == expected
    assert training.best_metrics({"accuracy": [0.5], "loss": [1.0]}) == {
        "train_accuracy": 0.5,
        "train_loss": 1.0,
    }
    with pytest.raises(ValueError) as info:
        training.best_metrics({"foo": [1.0]})
    assert_korean(info, "accuracy", "foo")


# ---------------------------------------------------------------------------
# 콜백과 진행 표시
# ---------------------------------------------------------------------------


def test_make_callbacks_match_original_notebook():
    cfg = TrainConfig(early_stopping_patience=4, reduce_lr_factor=0.25, reduce_lr_patience=2)
    early, reduce_lr = training.make_callbacks(cfg, progress="bar")
    assert isinstance(early, keras.callbacks.EarlyStopping)
    assert (early.monitor, early.patience, early.restore_best_weights) == ("val_accuracy", 4, True)
    assert isinstance(reduce_lr, keras.callbacks.ReduceLROnPlateau)
    assert (reduce_lr.monitor, reduce_lr.factor, reduce_lr.patience) == ("val_loss", 0.25, 2)
    assert reduce_lr.min_lr == cfg.min_lr
    assert len(training.make_callbacks(cfg, progress="none")) == 2
    with_logger = training.make_callbacks(cfg, progress="epoch")
    assert len(with_logger) == 3 and isinstance(with_logger[2], keras.callbacks.Callback)
    with pytest.raises(ValueError) as info:
        training.make_callbacks({"epochs": 2})
    assert_korean(info, "cfg", "dict")


class _FakeTTY:
    def isatty(self):
        return True

    def write(self, text):
        return len(text)


def test_resolve_progress_and_fit_verbose(monkeypatch):
    monkeypatch.delenv("LENETLIB_PROGRESS", raising=False)
    assert training.resolve_progress("bar") == "bar" and training.fit_verbose("bar") == 1
    assert training.resolve_progress("none") == "none" and training.fit_verbose("none") == 0
    assert training.resolve_progress() == "epoch"  # pytest가 출력을 가로챔: 터미널 아님
    assert training.fit_verbose() == 0
    monkeypatch.setattr("sys.stdout", _FakeTTY())
    assert training.resolve_progress() == "bar"
    monkeypatch.setenv("LENETLIB_PROGRESS", " NONE ")  # 환경 변수가 auto를 정함
    assert training.resolve_progress() == "none"
    assert training.resolve_progress("epoch") == "epoch"  # 직접 준 값이 우선
    monkeypatch.setenv("LENETLIB_PROGRESS", "verbose")
    with pytest.raises(ValueError) as info:
        training.resolve_progress()
    assert_korean(info, "LENETLIB_PROGRESS", "'verbose'")
    with pytest.raises(ValueError) as info:
        training.resolve_progress("loud")
    assert_korean(info, "progress", "'loud'")


# ---------------------------------------------------------------------------
# 입력 검사 (이슈 #10-8: 예전에는 훈련을 시작해 손실 2.55 등으로 끝남)
# ---------------------------------------------------------------------------


def test_check_fit_data_accepts_prepared_data(small):
    x, y = training.check_fit_data(small.x_train, small.y_train)
    assert x.dtype == np.float32 and y.dtype == np.float32 and y.shape == (300, 10)


def _bad_inputs(small):
    x, y = small.x_train[:20], small.y_train[:20]
    nan_x = x.copy()
    nan_x[0, 5, 5, 0] = np.nan
    nan_y = y.copy()
    nan_y[3, 0] = np.nan
    return {
        "NaN 이미지": (nan_x, y, "NaN"),
        "모두 0인 원-핫": (x, np.zeros_like(y), "합이 1"),
        "레이블 ×5": (x, y * 5, "0~1"),
        "NaN 레이블": (x, nan_y, "NaN"),
        "정수 레이블": (x, y.argmax(1), "encode_labels"),
        "길이 다름": (x, y[:10], "길이"),
        "채널 축 없음": (x[..., 0], y, "(N, 32, 32, 1)"),
        "패딩 안 함": (np.zeros((20, 28, 28, 1), np.float32), y, "preprocess_images"),
        "0~255 픽셀": (x * 255, y, "0~1"),
        "원-핫 너비 5": (x, y[:, :5], "(N, 10)"),
    }


@pytest.mark.parametrize(
    "case",
    ["NaN 이미지", "모두 0인 원-핫", "레이블 ×5", "NaN 레이블", "정수 레이블", "길이 다름",
     "채널 축 없음", "패딩 안 함", "0~255 픽셀", "원-핫 너비 5"],
)  # fmt: skip
def test_check_fit_data_rejects_bad_input_in_korean(small, case):
    x, y, needle = _bad_inputs(small)[case]
    with pytest.raises(ValueError) as info:
        training.check_fit_data(x, y, "훈련")
    assert_korean(info, needle)


def test_train_rejects_bad_input_before_training(small):
    """NaN 이미지·잘못된 레이블·설정은 컴파일도 하기 전에 한국어 오류로 멈춥니다."""
    model = build_lenet5()
    bad_val = types.SimpleNamespace(**{**vars(small), "y_val": small.y_val * 5})
    nan_train = types.SimpleNamespace(**{**vars(small), "x_train": small.x_train * np.nan})
    cfg = TrainConfig(epochs=1)
    cases = [
        (nan_train, cfg, {}, "훈련 이미지"),
        (bad_val, cfg, {}, "검증 레이블"),
        ((small.x_train, small.y_train), cfg, {}, "prepare_mnist"),
        (small, {"epochs": 1}, {}, "TrainConfig"),
        (small, cfg, {"callbacks": [print]}, "콜백"),
        (small, cfg, {"progress": "loud"}, "progress"),
    ]
    for data, c, kwargs, needle in cases:
        with pytest.raises(ValueError) as info:
            training.train(model, data, c, **kwargs)
        assert_korean(info, needle)
    assert getattr(model, "optimizer", None) is None  # 훈련(컴파일)을 시작하지 않음
    with pytest.raises(ValueError) as info:
        training.train("lenet", small, cfg)
    assert_korean(info, "model")


# ---------------------------------------------------------------------------
# 훈련
# ---------------------------------------------------------------------------


def test_train_returns_history_and_compiles_callers_model(trained, small):
    model, history, cfg, _ = trained
    assert isinstance(history, History)
    h = history.history
    assert set(h) == {"loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"}
    assert all(len(v) == history.epochs_run == cfg.epochs for v in h.values())
    assert h["learning_rate"] == pytest.approx([cfg.learning_rate] * 2, rel=1e-6)
    assert history.best_epoch == int(np.argmax(h["val_accuracy"])) + 1
    assert not history.stopped_early and history.seconds > 0
    assert model.loss == "categorical_crossentropy"
    assert float(model.optimizer.learning_rate) == pytest.approx(cfg.learning_rate)
    assert int(model.optimizer.iterations) == 2 * math.ceil(300 / 64)
    loss, _ = model.evaluate(small.x_val, small.y_val, verbose=0)
    assert loss == pytest.approx(h["val_loss"][-1], rel=1e-4)  # 마지막 = 최고 에포크
    assert h["val_accuracy"][-1] > 0.3 and h["loss"][-1] < h["loss"][0]  # 실제로 배움


def test_epoch_mode_prints_one_korean_line_per_epoch(trained):
    _, history, cfg, text = trained
    lines = text.strip().splitlines()
    assert len(lines) == cfg.epochs
    for i, line in enumerate(lines, start=1):
        assert line.startswith(f"에포크 {i}/{cfg.epochs} - 손실 ")
        assert "검증 정확도" in line and "학습률 1.0e-03" in line and line.endswith("초")
    assert f"검증 정확도 {history.history['val_accuracy'][-1]:.4f}" in lines[-1]


def test_same_seed_same_history_and_extra_callbacks(small, capsys):
    speed.disable()

    class CountEpochs(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.epochs: list[int] = []

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            self.epochs.append(epoch)

    def run(seed: int, counter: CountEpochs | None = None) -> dict:
        cfg = TrainConfig(epochs=2, batch_size=64, seed=seed)
        config.set_seed(seed)
        extra = [counter] if counter else []
        return training.train(build_lenet5(), small, cfg, callbacks=extra, progress="none").history

    counter = CountEpochs()
    first, second, other = run(3, counter), run(3), run(4)
    assert first == second and first != other
    assert counter.epochs == [0, 1]
    assert capsys.readouterr().out == ""  # progress="none"은 아무것도 출력하지 않음


def test_reduce_lr_and_early_stopping_restore_best_weights(mnist_small, capsys):
    """검증 레이블을 섞으면 검증 지표가 나빠져 학습률이 줄고, 조기 종료가 최고 가중치를 되살림."""
    speed.disable()
    data = _prepared(mnist_small, 600, 200)
    rng = np.random.default_rng(1)
    data.y_val = data.y_val[rng.permutation(len(data.y_val))]
    cfg = TrainConfig(
        epochs=8, batch_size=64, seed=0, learning_rate=5e-3,
        early_stopping_patience=2, reduce_lr_patience=0,
    )  # fmt: skip
    config.set_seed(cfg.seed)
    model = build_lenet5()
    history = training.train(model, data, cfg, progress="epoch")
    lrs = np.array(history.history["learning_rate"])
    assert lrs[0] == pytest.approx(cfg.learning_rate, rel=1e-6)
    assert np.all(np.diff(lrs) <= 0) and lrs[-1] < lrs[0]
    for r in lrs[1:] / lrs[:-1]:
        assert r == pytest.approx(1.0, rel=1e-5) or r == pytest.approx(0.5, rel=1e-5)
    assert history.stopped_early and history.epochs_run < cfg.epochs
    _, val_acc = model.evaluate(data.x_val, data.y_val, verbose=0)
    best = history.history["val_accuracy"][history.best_epoch - 1]
    assert best == max(history.history["val_accuracy"])
    assert val_acc == pytest.approx(best, abs=1e-6)
    assert len(capsys.readouterr().out.strip().splitlines()) == history.epochs_run


def test_seed_range_error_comes_before_training():
    """이슈 #10-7: 2**32는 TrainConfig를 만들 때 한국어 오류 (예전: 훈련 중 영어 오류)."""
    with pytest.raises(ValueError) as info:
        TrainConfig(seed=2**32)
    assert_korean(info, "seed", "4294967296", "0~4294967295")


def test_cosine_schedule_replaces_reduce_lr_and_lowers_the_rate_each_epoch():
    """7장의 학습률 스케줄 줄: cfg.lr_schedule="cosine"이면 ReduceLROnPlateau 자리에 코사인 감소."""
    plateau = make_callbacks(TrainConfig(), progress="none")
    cosine = make_callbacks(TrainConfig(epochs=10, lr_schedule="cosine"), progress="none")
    assert [type(c).__name__ for c in plateau] == ["EarlyStopping", "ReduceLROnPlateau"]
    assert [type(c).__name__ for c in cosine] == ["EarlyStopping", "LearningRateScheduler"]
    rates = [cosine[1].schedule(epoch) for epoch in range(10)]
    assert rates[0] == pytest.approx(1e-3) and all(np.diff(rates) < 0)
    assert rates[5] == pytest.approx(0.5e-3)
