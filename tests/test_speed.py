"""lenetlib.speed: 한 줄로 켜는 속도 설정 (부록 A, 4장).

스레드 설정은 TensorFlow가 계산을 시작하기 전에만 바뀌므로 그 경로는 새 프로세스에서 검사합니다.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from lenetlib import speed
from lenetlib._internal.backend import keras, tf
from lenetlib.model import build_lenet5

ROOT = Path(__file__).resolve().parent.parent
ON_CPU = not tf.config.list_physical_devices("GPU")


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def _fresh_python(code: str) -> str:
    """새 프로세스(TensorFlow가 아직 계산 전)에서 실행하고 마지막 줄을 돌려줍니다."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "LENETLIB_PROGRESS": "none"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(autouse=True)
def _speed_off():
    """각 테스트는 속도 설정이 꺼진 상태에서 시작하고 끝납니다."""
    speed.disable()
    yield
    speed.disable()


def _data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.random((n, 32, 32, 1), dtype=np.float32)
    return x, np.eye(10, dtype=np.float32)[rng.integers(0, 10, n)]


def test_training_model_is_the_model_itself_when_not_enabled():
    model = build_lenet5()
    assert not speed.is_enabled()
    assert speed.training_model(model) is model


def test_importing_lenetlib_and_setup_do_not_enable_speed():
    """속도 설정은 speed.enable()을 부를 때만: import나 config.setup은 스레드를 바꾸지 않습니다."""
    code = """
import lenetlib, lenetlib.speed, lenetlib.training, lenetlib.model
from lenetlib import config, speed
import tensorflow as tf
config.setup(42)
t = tf.config.threading
print(t.get_intra_op_parallelism_threads(), t.get_inter_op_parallelism_threads(),
      speed.is_enabled())
"""
    assert _fresh_python(code) == "0 0 False"


@pytest.mark.skipif(not ON_CPU, reason="GPU에서는 배치를 나누지 않습니다")
def test_enable_after_tensorflow_started_warns_in_korean():
    tf.constant(1.0) + 1.0  # TensorFlow가 이미 계산을 시작한 상태
    if tf.config.threading.get_intra_op_parallelism_threads() == 1:
        pytest.skip("이 프로세스는 이미 스레드가 바뀐 상태입니다")
    with pytest.warns(speed.SpeedWarning) as caught:
        splits = speed.enable()
    assert splits == 1 and speed.is_enabled()  # steps_per_execution과 입력 파이프라인은 켜짐
    assert issubclass(speed.SpeedWarning, UserWarning)
    message = str(caught[0].message)
    assert (
        "speed.enable()" in message
        and "config.setup()" in message
        and "모델을 만들기 전" in message
    )
    assert tf.config.threading.get_intra_op_parallelism_threads() == 0
    model = build_lenet5()
    assert speed.training_model(model) is not model


def test_training_model_rejects_bad_seed_in_korean():
    with pytest.raises(ValueError, match=r"seed은\(는\) 0~4294967295 범위의 정수"):
        speed.training_model(build_lenet5(), seed=-1)


def test_enable_rejects_bad_splits_in_korean():
    for bad in (0, -1, 2.0, "2", True):
        with pytest.raises(ValueError, match="splits은\\(는\\) 1 이상의 정수") as info:
            speed.enable(bad)
        assert repr(bad) in str(info.value)
    assert not speed.is_enabled()


def test_disable_forgets_the_enabled_state():
    tf.constant(1.0) + 1.0  # 이 프로세스의 스레드는 바꾸지 않음 (이미 계산을 시작한 뒤)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", speed.SpeedWarning)
        speed.enable(1)
    assert speed.is_enabled()
    speed.disable()
    assert not speed.is_enabled()
    model = build_lenet5()
    assert speed.training_model(model) is model


def test_training_model_compiles_the_model_too_and_shares_variables():
    """껍데기의 compile은 원래 모델도 같은 옵티마이저로 컴파일합니다: 훈련 뒤 model.evaluate."""
    x, y = _data(70)
    model = build_lenet5()
    wrapper = speed._SplitBatchModel(model, 2)
    wrapper.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy",
                    metrics=["accuracy"])  # fmt: skip
    assert model.optimizer is wrapper.optimizer
    assert wrapper.steps_per_execution == speed.STEPS_PER_EXECUTION
    assert model.loss == "categorical_crossentropy"
    before = [w.copy() for w in model.get_weights()]
    history = wrapper.fit(x, y, batch_size=32, epochs=1, validation_split=0.1, verbose=0)
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(history.history)
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))
    assert int(model.optimizer.iterations) == 2  # 63장 ÷ 32
    loss, _ = model.evaluate(x[63:], y[63:], verbose=0)
    assert loss == pytest.approx(history.history["val_loss"][0], rel=1e-4)


@pytest.mark.parametrize(
    "n_train, n_val, batch, expected",
    [
        (64, 1024, 32, 4),  # 나눠떨어짐
        (67, 1024, 32, 3),  # 마지막 배치 3장 → 3조각
        (64, 1, 32, 1),  # 검증 1장 → 나누지 않음
        (10, 10, 128, 4),  # 데이터가 배치보다 작음
    ],
)
def test_training_model_never_makes_empty_pieces(n_train, n_val, batch, expected):
    """빈 조각은 TensorFlow를 멈추게 하므로 가장 작은 배치에 맞춰 조각 수를 줄입니다."""
    x, y = _data(n_train + n_val)
    wrapper = speed._SplitBatchModel(build_lenet5(), 4)
    wrapper.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    wrapper.fit(
        x[:n_train], y[:n_train], batch_size=batch, epochs=1, verbose=0,
        validation_data=(x[n_train:], y[n_train:]),
    )  # fmt: skip
    assert wrapper.parts == expected


def test_pipeline_batches_and_reshuffles_reproducibly():
    """입력 파이프라인: 배치 크기, 에포크마다 다른 순서, 같은 NumPy 시드면 같은 순서."""
    x, y = _data(300)
    labels = y.argmax(1)

    def two_epochs(seed: int) -> list[np.ndarray]:
        np.random.seed(seed)
        dataset = speed._pipeline(x, y, 64, shuffle=True, seed=None)
        return [np.concatenate([b[1].numpy().argmax(1) for b in dataset]) for _ in range(2)]

    first, second = two_epochs(3)
    assert sorted(first) == sorted(labels) and not np.array_equal(first, second)
    again = two_epochs(3)
    assert np.array_equal(first, again[0]) and np.array_equal(second, again[1])
    assert not np.array_equal(first, two_epochs(4)[0])
    fixed = [speed._pipeline(x, y, 64, shuffle=True, seed=5) for _ in range(2)]
    orders = [np.concatenate([b[1].numpy().argmax(1) for b in d]) for d in fixed]
    assert np.array_equal(orders[0], orders[1]), "같은 seed면 NumPy 상태와 상관없이 같은 순서"
    plain = speed._pipeline(x, y, 64, shuffle=False, seed=None)
    assert [len(b[0]) for b in plain] == [64, 64, 64, 64, 44]
    assert np.array_equal(np.concatenate([b[1].numpy() for b in plain]), y)


SPLIT_RUN = """
import json
from types import SimpleNamespace

import numpy as np
from lenetlib import config, speed, training
from lenetlib.model import build_lenet5
splits = speed.enable()
import tensorflow as tf
threads = [tf.config.threading.get_intra_op_parallelism_threads(),
           tf.config.threading.get_inter_op_parallelism_threads()]
with np.load("data/mnist.npz") as f:
    images, labels = f["x_train"][:700], f["y_train"][:700]
x = np.zeros((700, 32, 32, 1), np.float32)
x[:, 2:30, 2:30, 0] = images / 255.0
y = np.eye(10, dtype=np.float32)[labels]
rng = np.random.default_rng(0)
out = {"auto": splits, "threads": threads, "runs": {}}
for pieces, shuffled_val in ((1, False), (2, False), (2, True)):
    speed.enable(pieces)
    y_val = y[600:][rng.permutation(100)] if shuffled_val else y[600:]
    data = SimpleNamespace(x_train=x[:600], y_train=y[:600], x_val=x[600:], y_val=y_val)
    cfg = training.TrainConfig(epochs=6 if shuffled_val else 2, batch_size=64, seed=5,
                               early_stopping_patience=1,
                               learning_rate=5e-3 if shuffled_val else 1e-3)
    config.set_seed(cfg.seed)
    model = build_lenet5()
    history = training.train(model, data, cfg, progress="none")
    evaluated = model.evaluate(x[600:], y_val, verbose=0)[1]
    out["runs"][f"{pieces}{'s' if shuffled_val else ''}"] = {
        "history": history.to_dict(), "evaluated": evaluated,
        "weights": [w.tolist() for w in model.get_weights()],
        "iterations": int(model.optimizer.iterations),
    }
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def split_runs():
    """새 프로세스: enable() 뒤 1조각·2조각 훈련, 그리고 2조각 + 조기 종료."""
    return json.loads(_fresh_python(SPLIT_RUN))


def test_enable_sets_threads_before_tensorflow_starts(split_runs):
    expected = 1 if not ON_CPU else min(_cores(), 4)
    assert split_runs["auto"] == expected
    if ON_CPU:
        assert split_runs["threads"] == [1, _cores()]


def test_one_and_two_pieces_train_alike(split_runs):
    """배치를 2조각으로 나눠도 같은 평균 기울기: 기록과 가중치가 반올림 오차 안에서 같습니다."""
    one, two = split_runs["runs"]["1"], split_runs["runs"]["2"]
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"):
        np.testing.assert_allclose(
            two["history"]["history"][key], one["history"]["history"][key], rtol=1e-4, atol=1e-5
        )
    for a, b in zip(one["weights"], two["weights"], strict=True):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-3, atol=1e-5)
    assert one["iterations"] == two["iterations"] == 2 * 10  # 600장 ÷ 64 = 10 배치
    loss = one["history"]["history"]["loss"]
    assert loss[-1] < loss[0]  # 실제로 배웠는지


def test_early_stopping_restores_shared_weights_when_split(split_runs):
    """조기 종료가 껍데기를 통해 원래 모델의 가중치를 최고 에포크의 것으로 되살립니다."""
    run = split_runs["runs"]["2s"]
    history = run["history"]
    val_acc = history["history"]["val_accuracy"]
    assert history["stopped_early"]
    assert val_acc[history["best_epoch"] - 1] == max(val_acc)
    assert run["evaluated"] == pytest.approx(max(val_acc), abs=1e-6)


ON_OFF_RUN = """
import json
import numpy as np
from lenetlib import config, speed
from lenetlib.model import build_lenet5
splits = speed.enable(2)
from lenetlib._internal.backend import keras

def bn_model():
    kl = keras.layers
    return keras.Sequential([kl.Input((32, 32, 1)), kl.Conv2D(6, 5, use_bias=False),
                             kl.BatchNormalization(), kl.Activation("relu"), kl.MaxPooling2D(2),
                             kl.Flatten(), kl.Dense(10, activation="softmax")])

with np.load("data/mnist.npz") as f:
    images, labels = f["x_train"][:448], f["y_train"][:448]
x = np.zeros((448, 32, 32, 1), np.float32)
x[:, 2:30, 2:30, 0] = images / 255.0
y = np.eye(10, dtype=np.float32)[labels]
out = {"splits": splits, "runs": {}}
for name, build in (("lenet", build_lenet5), ("bn", bn_model)):
    for how in ("off", "on", "forced_split"):
        config.set_seed(3)
        net = build()
        if how == "off":
            speed.disable()
            fit_model = net
        else:
            speed.enable(2)
            forced = how == "forced_split"
            fit_model = speed._SplitBatchModel(net, 2, 0) if forced else speed.training_model(net)
        fit_model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="categorical_crossentropy")
        fit_model.fit(x[:384], y[:384], validation_data=(x[384:], y[384:]), batch_size=64,
                      epochs=2, shuffle=False, verbose=0)
        out["runs"][f"{name}-{how}"] = {
            "weights": [w.tolist() for w in net.get_weights()],
            "pieces": getattr(fit_model, "parts", None), "steps": int(net.optimizer.iterations),
        }
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def on_off_runs():
    """새 프로세스: 같은 시드·배치 순서로 속도 설정을 끄고 켜서 LeNet-5와 배치 정규화 모델 훈련."""
    return json.loads(_fresh_python(ON_OFF_RUN))


def _max_difference(a: list, b: list) -> float:
    return max(
        float(np.max(np.abs(np.asarray(p) - np.asarray(q)))) for p, q in zip(a, b, strict=True)
    )


@pytest.mark.parametrize("name", ["lenet", "bn"])
def test_speed_setting_learns_the_same_weights_as_plain_keras(on_off_runs, name):
    """속도 설정을 켜도 배우는 계산은 같습니다: 끝난 가중치(배치 정규화의 이동 평균 포함)가 같음."""
    off, on = on_off_runs["runs"][f"{name}-off"], on_off_runs["runs"][f"{name}-on"]
    assert off["steps"] == on["steps"] == 2 * 6  # 384장 ÷ 64
    assert _max_difference(off["weights"], on["weights"]) < 1e-4
    assert on["pieces"] == (1 if name == "bn" else on_off_runs["splits"])


def test_splitting_a_batch_norm_model_would_change_what_it_learns(on_off_runs):
    """대조군: 배치 정규화 모델을 억지로 나누면 가중치가 달라집니다 (그래서 안 나눔)."""
    off, forced = on_off_runs["runs"]["bn-off"], on_off_runs["runs"]["bn-forced_split"]
    assert forced["pieces"] == 2
    assert _max_difference(off["weights"], forced["weights"]) > 1e-3
    lenet_forced = on_off_runs["runs"]["lenet-forced_split"]
    assert (
        _max_difference(on_off_runs["runs"]["lenet-off"]["weights"], lenet_forced["weights"]) < 1e-4
    )


def test_batch_statistics_layers_are_found_inside_nested_models():
    kl = keras.layers
    inner = keras.Sequential([kl.Input((4,)), kl.BatchNormalization(name="inner_bn")])
    outer = keras.Sequential([kl.Input((4,)), inner, kl.Dense(2), kl.LayerNormalization()])
    assert speed.batch_statistics_layers(outer) == ["inner_bn"]
    assert speed.batch_statistics_layers(build_lenet5()) == []
    assert speed.splits_for(outer) is None  # 꺼져 있으면 None


ONEDNN_RUN = """
import os, sys
before = os.environ.get("TF_ENABLE_ONEDNN_OPTS")
import lenetlib
after = os.environ.get("TF_ENABLE_ONEDNN_OPTS")
print(before, after, "tensorflow" in sys.modules)
"""


def _onednn_after_import(value: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    if value is not None:
        env["TF_ENABLE_ONEDNN_OPTS"] = value
    result = subprocess.run([sys.executable, "-c", ONEDNN_RUN], capture_output=True, text=True,
                            cwd=ROOT, env=env, timeout=120, check=True)  # fmt: skip
    return result.stdout.strip()


@pytest.mark.skipif(
    __import__("platform").machine().lower() not in {"x86_64", "amd64"}, reason="x86 CPU에서만"
)
def test_import_lenetlib_turns_onednn_on_by_default_without_loading_tensorflow():
    assert _onednn_after_import(None) == "None 1 False"


def test_import_lenetlib_keeps_the_users_onednn_choice():
    assert _onednn_after_import("0") == "0 0 False"
    assert _onednn_after_import("1") == "1 1 False"


@pytest.mark.parametrize("bad", ["lenet5", None, 3])
def test_training_model_and_splits_for_reject_a_non_model_in_korean(bad):
    """꺼져 있을 때도 모델이 아닌 값을 그대로 돌려주지 않습니다 (이슈 #18 탐침)."""
    for call in (speed.training_model, speed.splits_for):
        with pytest.raises(ValueError, match="Keras 모델이어야 합니다"):
            call(bad)
