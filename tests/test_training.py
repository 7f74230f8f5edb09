"""lenetlib.training 테스트: 설정 검증, 검증 분할, 진행 표시, 재현성, 학습률 기록, 조기 종료."""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import pytest

from lenetlib import training
from lenetlib.model import build_lenet5
from lenetlib.preprocessing import prepare_mnist
from lenetlib.training import History, Progress, TrainConfig

HANGUL = "[가-힣]"

# 테스트용 빠른 설정 (작은 배치)
FAST = {"jit_compile": False, "batch_size": 64}


@pytest.fixture(scope="module")
def small(mnist_small):
    """실제 MNIST 앞 1,000장 (훈련 900 / 검증 100), 원-핫."""
    return prepare_mnist(
        (mnist_small["x_train"], mnist_small["y_train"]),
        (mnist_small["x_test"], mnist_small["y_test"]),
        train_limit=1000,
    )


@pytest.fixture(scope="module")
def trained(small):
    """2 에포크 훈련한 모델과 기록, 에포크 모드 출력."""
    config = TrainConfig(epochs=2, seed=7, **FAST)
    training.set_seed(config.seed)
    model = build_lenet5()
    x = np.concatenate([small.x_train, small.x_val])
    y = np.concatenate([small.y_train, small.y_val])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):  # stream을 주지 않으면 sys.stdout에 씁니다
        history = training.train(model, x, y, config, progress="epoch")
    return model, history, config, out.getvalue()


# ---------------------------------------------------------------------------
# TrainConfig
# ---------------------------------------------------------------------------


def test_defaults_match_seed_notebook():
    c = TrainConfig()
    assert (c.epochs, c.batch_size, c.validation_split) == (20, 128, 0.1)
    assert c.learning_rate == 1e-3
    assert (c.early_stopping_patience, c.reduce_lr_factor, c.reduce_lr_patience) == (5, 0.5, 3)
    assert c.min_lr == 1e-7
    assert c.seed == 42


@pytest.mark.parametrize(
    "field, value",
    [
        ("epochs", 0),
        ("epochs", 2.5),
        ("epochs", True),
        ("batch_size", -1),
        ("validation_split", 1.0),
        ("validation_split", -0.1),
        ("learning_rate", 0.0),
        ("learning_rate", float("nan")),
        ("early_stopping_patience", -1),
        ("reduce_lr_factor", 1.0),
        ("reduce_lr_factor", 0.0),
        ("reduce_lr_patience", -2),
        ("min_lr", 1.0),  # learning_rate보다 큼
        ("seed", -1),
        ("shuffle", "yes"),
        ("jit_compile", "fast"),
        ("steps_per_execution", 0),
        ("parallel_splits", 0),
        ("parallel_splits", True),
        ("parallel_splits", 2.0),
    ],
)
def test_config_rejects_bad_values_in_korean(field, value):
    with pytest.raises(ValueError, match=HANGUL) as info:
        TrainConfig(**{field: value})
    assert field in str(info.value)
    assert repr(value) in str(info.value) or str(value) in str(info.value)


def test_config_roundtrip_and_differences():
    c = TrainConfig(epochs=3, jit_compile=True, steps_per_execution=4, validation_batch_size=64)
    d = c.to_dict()
    assert TrainConfig.from_dict(d) == c
    assert TrainConfig.from_dict({**d, "unknown": 1}) == c
    assert c.differences(TrainConfig(epochs=3)) == {}  # 속도 설정만 다름
    assert c.differences(TrainConfig(epochs=5)) == {"epochs": (3, 5)}
    assert "jit_compile" in c.differences(TrainConfig(epochs=3), ignore=())
    with pytest.raises(ValueError, match=HANGUL):
        TrainConfig.from_dict([("epochs", 3)])


# ---------------------------------------------------------------------------
# 검증 분할: Keras validation_split과 같은지
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("n, frac", [(1000, 0.1), (60000, 0.1), (7, 0.3), (999, 0.25), (10, 0.05)])
def test_split_validation_matches_keras(n, frac):
    from keras.src.trainers.data_adapters.array_slicing import train_validation_split

    x = np.arange(n * 2).reshape(n, 2)
    y = np.arange(n)
    (x_tr, y_tr), (x_val, y_val) = training.split_validation(x, y, frac)
    (kx_tr, _), (kx_val, ky_val) = train_validation_split((x, y), validation_split=frac)
    np.testing.assert_array_equal(x_tr, kx_tr)
    np.testing.assert_array_equal(y_val, ky_val)
    np.testing.assert_array_equal(x_val, kx_val)
    assert len(y_tr) == math.floor(n * (1 - frac))


def test_split_validation_errors():
    with pytest.raises(ValueError, match=HANGUL):
        training.split_validation(np.zeros(5), np.zeros(4), 0.1)
    with pytest.raises(ValueError, match="한쪽이 비"):
        training.split_validation(np.zeros(1), np.zeros(1), 0.5)  # 훈련 0개


# ---------------------------------------------------------------------------
# 진행 표시
# ---------------------------------------------------------------------------


class _FakeTTY(io.StringIO):
    def isatty(self):
        return True


def test_resolve_progress(monkeypatch):
    monkeypatch.delenv(training.PROGRESS_ENV, raising=False)
    assert training.resolve_progress("bar") is Progress.BAR
    assert training.resolve_progress(Progress.NONE) is Progress.NONE
    # 파이프/로그(테스트 환경): 에포크 모드
    monkeypatch.setattr("sys.stdout", io.StringIO())
    assert training.resolve_progress("auto") is Progress.EPOCH
    # 터미널: 막대
    monkeypatch.setattr("sys.stdout", _FakeTTY())
    assert training.resolve_progress() is Progress.BAR
    # 환경 변수가 auto를 덮어씀 (명시한 값은 덮지 않음)
    monkeypatch.setenv(training.PROGRESS_ENV, "epoch")
    assert training.resolve_progress() is Progress.EPOCH
    assert training.resolve_progress("none") is Progress.NONE
    monkeypatch.setenv(training.PROGRESS_ENV, "NONE ")
    assert training.resolve_progress() is Progress.NONE
    monkeypatch.setenv(training.PROGRESS_ENV, "verbose")
    with pytest.raises(ValueError, match=training.PROGRESS_ENV):
        training.resolve_progress()
    with pytest.raises(ValueError, match=HANGUL):
        training.resolve_progress("loud")


def test_epoch_mode_prints_one_korean_line_per_epoch(trained):
    _, history, config, text = trained
    lines = text.strip().splitlines()
    assert len(lines) == history.epochs_run == config.epochs
    for i, line in enumerate(lines, start=1):
        assert line.startswith(f"에포크 {i}/{config.epochs}")
        assert "검증 정확도" in line and "학습률" in line
    # 기록 값이 그대로 찍혔는지
    assert f"{history.history['val_accuracy'][-1]:.4f}" in lines[-1]


# ---------------------------------------------------------------------------
# 훈련 결과
# ---------------------------------------------------------------------------


def test_history_shape_and_learning_rate_key(trained):
    model, history, config, _ = trained
    assert isinstance(history, History)
    h = history.history
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"} <= set(h)
    assert "lr" not in h
    assert all(len(v) == history.epochs_run for v in h.values())
    assert h["learning_rate"] == pytest.approx([config.learning_rate] * 2, rel=1e-6)
    assert history.best_epoch == int(np.argmax(h["val_accuracy"])) + 1
    assert history.seconds > 0
    # 배치 64로 900장이면 마지막 배치가 4장이라 조각은 많아야 4개
    splits = min(training.parallel_splits(), 4)
    assert history.extra == {"n_train": 900, "n_val": 100, "parallel_splits": splits}
    assert model.loss == "categorical_crossentropy"
    # 2 에포크 만에도 우연(10%)보다 훨씬 나아야 함
    assert h["val_accuracy"][-1] > 0.5


def test_same_seed_same_history_different_seed_differs(small, capsys):
    x, y = small.x_train[:300], small.y_train[:300]

    def run(seed):
        config = TrainConfig(epochs=2, seed=seed, **FAST)
        training.set_seed(seed)
        model = build_lenet5()
        return training.train(model, x, y, config, progress="none").history

    first, second, other = run(3), run(3), run(4)
    assert first == second
    assert first != other
    assert capsys.readouterr().out == ""  # progress="none"은 아무것도 출력하지 않음


def test_reduce_lr_fires_and_is_recorded(small):
    """검증 레이블을 섞으면 검증 손실이 나빠지므로 ReduceLROnPlateau가 학습률을 줄입니다."""
    rng = np.random.default_rng(0)
    y_val_shuffled = small.y_val[rng.permutation(len(small.y_val))]
    config = TrainConfig(
        epochs=4,
        seed=0,
        learning_rate=5e-3,
        reduce_lr_patience=0,
        early_stopping_patience=10,
        **FAST,
    )
    training.set_seed(0)
    out = io.StringIO()
    history = training.train(
        build_lenet5(),
        small.x_train,
        small.y_train,
        config,
        validation_data=(small.x_val, y_val_shuffled),
        progress="epoch",
        stream=out,
    )
    lrs = np.array(history.history["learning_rate"])
    assert lrs[0] == pytest.approx(config.learning_rate, rel=1e-6)
    assert np.all(np.diff(lrs) <= 0)
    assert lrs[-1] < lrs[0]
    # 줄어든 비율은 factor의 거듭제곱
    ratios = lrs[1:] / lrs[:-1]
    for r in ratios:
        assert r == pytest.approx(1.0, rel=1e-5) or r == pytest.approx(0.5, rel=1e-5)
    assert "학습률을" in out.getvalue()


def test_early_stopping_restores_best_weights(small):
    rng = np.random.default_rng(1)
    y_val_shuffled = small.y_val[rng.permutation(len(small.y_val))]
    config = TrainConfig(epochs=6, seed=0, early_stopping_patience=1, reduce_lr_patience=10, **FAST)
    training.set_seed(0)
    model = build_lenet5()
    out = io.StringIO()
    history = training.train(
        model,
        small.x_train,
        small.y_train,
        config,
        validation_data=(small.x_val, y_val_shuffled),
        progress="epoch",
        stream=out,
    )
    assert history.stopped_early
    assert history.epochs_run < config.epochs
    assert "조기 종료" in out.getvalue()
    _, val_acc = model.evaluate(small.x_val, y_val_shuffled, verbose=0)
    best = history.history["val_accuracy"][history.best_epoch - 1]
    assert val_acc == pytest.approx(best, abs=1e-6)
    assert best == max(history.history["val_accuracy"])


def test_jit_compile_sparse_labels_steps_per_execution(small):
    """XLA 경로(jit_compile=True) + 정수 레이블(sparse 손실) + steps_per_execution."""
    from lenetlib.preprocessing import labels_of

    config = TrainConfig(epochs=1, seed=0, jit_compile=True, steps_per_execution=2)
    training.set_seed(0)
    model = build_lenet5()
    y = labels_of(small.y_train[:256])
    history = training.train(model, small.x_train[:256], y, config, progress="none")
    assert model.loss == "sparse_categorical_crossentropy"
    assert history.epochs_run == 1
    assert np.isfinite(history.history["loss"][0])
    assert "learning_rate" in history.history


def test_train_rejects_bad_input(small):
    model = build_lenet5()
    x, y = small.x_train[:20], small.y_train[:20]
    cases = [
        (x[..., 0], y, {}),  # 채널 축 없음
        (x, y[:10], {}),  # 길이 다름
        (x, np.full(20, 12), {}),  # 레이블 범위 밖
        (x, y[:, :5], {}),  # 원-핫 너비 틀림
        (np.zeros((20, 28, 28, 1), "float32"), y, {}),  # 패딩 안 함
        (x, y, {"config": TrainConfig(validation_split=0.0)}),  # 검증 없음
        (x, y, {"validation_data": (x, None, None)}),
        (x, y, {"config": {"epochs": 2}}),
    ]
    for xi, yi, kwargs in cases:
        with pytest.raises(ValueError, match=HANGUL):
            training.train(model, xi, yi, progress="none", **kwargs)


# ---------------------------------------------------------------------------
# 기록 정리와 최고 지표
# ---------------------------------------------------------------------------


def test_normalize_history_renames_lr():
    h = training.normalize_history({"loss": [np.float32(1.5), 1.0], "lr": [0.1, 0.05]})
    assert h == {"loss": [1.5, 1.0], "learning_rate": [0.1, 0.05]}
    both = training.normalize_history({"lr": [9.0], "learning_rate": [0.1]})
    assert both == {"learning_rate": [0.1]}


def test_history_roundtrip_dict(trained):
    _, history, _, _ = trained
    again = History.from_dict(history.to_dict())
    assert again == history
    old = History.from_dict(
        {"history": {"loss": [1.0, 0.5], "val_accuracy": [0.2, 0.9], "lr": [1, 1]}}
    )
    assert old.history["learning_rate"] == [1.0, 1.0]
    assert old.best_epoch == 2 and old.epochs_run == 2
    with pytest.raises(ValueError, match=HANGUL):
        History.from_dict({"loss": [1.0]})


def test_best_metrics_matches_hand_computation(trained):
    _, history, _, _ = trained
    h = history.history
    got = training.best_metrics(history)
    assert got == {
        "train_accuracy": max(h["accuracy"]),
        "val_accuracy": max(h["val_accuracy"]),
        "train_loss": min(h["loss"]),
        "val_loss": min(h["val_loss"]),
    }
    assert training.best_metrics(h) == got
    with pytest.raises(ValueError, match=HANGUL):
        training.best_metrics({"foo": [1.0]})


def test_fit_inputs_batches_and_reshuffles_reproducibly(small):
    """tf.data 입력: 배치 크기, 에포크마다 다른 순서, 같은 시드면 같은 순서."""
    x, y = small.x_train[:300], small.y_train[:300]
    config = TrainConfig(batch_size=64, seed=3)

    def epoch_orders(cfg):
        dataset = training.fit_inputs(x, y, cfg)["x"]
        return [np.concatenate([b[1].numpy().argmax(1) for b in dataset]) for _ in range(2)]

    first, second = epoch_orders(config)
    assert len(first) == 300 and sorted(first) == sorted(y.argmax(1))
    assert not np.array_equal(first, second)  # 에포크마다 다시 섞음
    again = epoch_orders(config)
    assert np.array_equal(first, again[0]) and np.array_equal(second, again[1])
    sizes = [len(b[0]) for b in training.fit_inputs(x, y, config)["x"]]
    assert sizes == [64, 64, 64, 64, 44]
    unshuffled = training.fit_inputs(x, y, TrainConfig(shuffle=False))["x"]
    assert np.array_equal(np.concatenate([b[1].numpy() for b in unshuffled]), y)


# ---------------------------------------------------------------------------
# 배치를 나눠 코어마다 동시에 계산 (parallel_splits)
# ---------------------------------------------------------------------------


def test_parallel_splits_train_like_one_piece(small):
    """배치를 2조각으로 나눠도 같은 평균 기울기: 기록과 가중치가 반올림 오차 안에서 같습니다."""
    x, y = small.x_train[:600], small.y_train[:600]
    runs = {}
    for splits in (1, 2):
        config = TrainConfig(epochs=2, seed=5, parallel_splits=splits, **FAST)
        training.set_seed(config.seed)
        model = build_lenet5()
        history = training.train(model, x, y, config, progress="none")
        runs[splits] = (history, model.get_weights())
    (h1, w1), (h2, w2) = runs[1], runs[2]
    assert (h1.extra["parallel_splits"], h2.extra["parallel_splits"]) == (1, 2)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"):
        np.testing.assert_allclose(h2.history[key], h1.history[key], rtol=1e-4, atol=1e-5)
    for a, b in zip(w1, w2, strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-3, atol=1e-5)
    assert h1.history["loss"][-1] < h1.history["loss"][0]  # 실제로 배웠는지


def test_parallel_splits_model_stays_plain_and_usable(small):
    """나눠 훈련해도 돌려받는 모델은 원래 모델: 옵티마이저를 같이 쓰고 바로 평가할 수 있습니다."""
    config = TrainConfig(epochs=1, seed=1, parallel_splits=3, **FAST)
    training.set_seed(config.seed)
    model = build_lenet5()
    before = getattr(model, "optimizer", None)
    history = training.train(model, small.x_train, small.y_train, config, progress="none")
    assert before is None and model.optimizer is not None
    steps = math.ceil(history.extra["n_train"] / 64)
    assert int(model.optimizer.iterations.numpy()) == steps  # 훈련한 옵티마이저 그대로
    assert model.layers[0].name == "C1"  # 껍데기가 아니라 원래 모델
    _, acc = model.evaluate(small.x_val, small.y_val, verbose=0)
    assert 0.0 <= acc <= 1.0
    assert history.extra["parallel_splits"] == 3


@pytest.mark.parametrize(
    "wanted, n_train, n_val, batch, val_batch, expected",
    [
        (2, 54_000, 6_000, 128, 1024, 2),  # 기본: 마지막 배치 112장, 검증 마지막 880장
        (4, 900, 100, 64, 1024, 4),  # 900 = 14 × 64 + 4
        (4, 899, 100, 64, 1024, 3),  # 마지막 배치 3장 → 조각 3개
        (4, 1000, 1, 64, 1024, 1),  # 검증 1장 → 나누지 않음
        (2, 10, 10, 128, 1024, 2),  # 데이터가 배치보다 작으면 배치 하나
        (1, 54_000, 6_000, 128, 1024, 1),
    ],
)
def test_split_count_never_makes_empty_pieces(wanted, n_train, n_val, batch, val_batch, expected):
    config = TrainConfig(parallel_splits=wanted, batch_size=batch, validation_batch_size=val_batch)
    assert training._split_count(config, n_train, n_val) == expected


def _fresh_python(code: str, **env: str) -> str:
    """새 파이썬 프로세스 (TensorFlow가 아직 시작되지 않은 상태)에서 실행하고 출력을 돌려줍니다."""
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def _expected_auto_splits() -> int:
    cores = training._usable_cores()
    return 1 if cores < 2 else min(cores, training.MAX_PARALLEL_SPLITS)


def test_configure_threads_auto_tf_and_too_late():
    code = """
import warnings
from lenetlib import training
import tensorflow as tf
print(training.configure_threads(), tf.config.threading.get_intra_op_parallelism_threads())
print(training.configure_threads())  # 두 번 불러도 그대로 (준비 셀을 다시 실행할 때)
"""
    first, again = _fresh_python(code).split("\n")[:2]
    splits = _expected_auto_splits()
    assert first == f"{splits} {1 if splits > 1 else 0}"
    assert again == str(splits)

    code_tf = """
from lenetlib import training
import tensorflow as tf
print(training.configure_threads(), tf.config.threading.get_intra_op_parallelism_threads())
"""
    assert _fresh_python(code_tf, LENETLIB_THREADS="tf").split() == ["1", "0"]

    code_late = """
import warnings
import tensorflow as tf
from lenetlib import training
tf.constant(1.0) + 1.0  # TensorFlow가 기본 스레드로 이미 시작됨
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    splits = training.configure_threads("auto")
print(splits, len([w for w in caught if "스레드" in str(w.message)]))
"""
    expected_warnings = 1 if _expected_auto_splits() > 1 else 0
    assert _fresh_python(code_late).split() == ["1", str(expected_warnings)]


def test_configure_threads_rejects_unknown_mode_in_korean(monkeypatch):
    with pytest.raises(ValueError, match=HANGUL) as info:
        training.configure_threads("fast")
    assert "'fast'" in str(info.value) and "'auto'" in str(info.value)
    monkeypatch.setenv(training.THREADS_ENV, "many")
    with pytest.raises(ValueError, match="LENETLIB_THREADS"):
        training.configure_threads()


def test_setup_reports_parallel_splits():
    code = """
from lenetlib import config
info = config.setup(3)
print(info["parallel_splits"], info["seed"])
"""
    assert _fresh_python(code).split() == [str(_expected_auto_splits()), "3"]


def test_train_extra_callbacks_are_called_and_checked(small):
    from lenetlib._backend import keras

    class CountEpochs(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.epochs: list[int] = []

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            self.epochs.append(epoch)

    counter = CountEpochs()
    config = TrainConfig(epochs=2, seed=2, parallel_splits=2, **FAST)
    x, y = small.x_train[:300], small.y_train[:300]
    training.train(build_lenet5(), x, y, config, progress="none", callbacks=[counter])
    assert counter.epochs == [0, 1]
    with pytest.raises(ValueError, match=HANGUL) as info:
        training.train(build_lenet5(), x, y, config, progress="none", callbacks=[print])
    assert "builtin_function_or_method" in str(info.value)
