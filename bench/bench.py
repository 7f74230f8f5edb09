"""`make bench`: LeNet-5 훈련 속도를 원래 노트북, 4장(lenetlib의 speed 설정), PyTorch와 비교합니다.

한 번의 실행에서 방식들을 A A' B C D A A' B C D ... 순서로 번갈아 돌려(다른 작업과 CPU를
나눠 쓰는 잡음을 고르게 나누려고) 에포크 시간의 중앙값을 냅니다. 결과의 첫 줄은 CPU(모델,
AVX2/AVX-512/VNNI)입니다.

- A: 원래 노트북 방식 — ``tf.pad``로 만든 텐서를 ``model.fit(validation_split=0.1)``에 넘기고
  컴파일 기본값(``optimizer="adam"``)과 진행 막대(``verbose=1``)를 씁니다. oneDNN은 TensorFlow의
  기본값 그대로(AVX-512 VNNI 등이 있는 CPU에서만 켜짐; ``TF_ENABLE_ONEDNN_OPTS``를 정했으면 그 값).
  그 기본값은 lenetlib 없이 TensorFlow만 불러 알아낸 뒤 A의 자식 프로세스에 명시합니다.
- A': A와 같은 코드에 ``TF_ENABLE_ONEDNN_OPTS=1``만 더함 (``import lenetlib``이 정하는 기본값).
- B: 4장 그대로 — ``config.setup`` → ``speed.enable()`` → ``prepare_mnist`` → ``build_lenet5``
  → ``training.train`` (4장 훈련 셀의 ``speed.training_model`` → ``compile(Adam,
  categorical_crossentropy, accuracy)`` → ``fit(..., callbacks=training.make_callbacks(cfg))``와
  같은 코드의 한 곳).
- C: 같은 신경망·최적화기를 PyTorch 즉시 실행(eager)으로 훈련 (외부 기준).
  torch가 없으면 건너뜁니다.
- D: 표준 데이터 병렬 ``tf.distribute.MirroredStrategy`` — CPU를 코어 수만큼의 논리 장치로
  나누고, ``strategy.scope()`` 안에서 만든 평범한 Keras 모델에 ``model.fit`` (B의 껍데기 대신
  쓸 수 있는지 평가).

``--emulate-avx2``: AVX-512 CPU에서 AVX2 CPU를 흉내 냅니다 (oneDNN을 ``ONEDNN_MAX_CPU_ISA=AVX2``로
제한하고, A는 TensorFlow가 AVX2 CPU에서 그러듯 oneDNN을 끔). 흉내일 뿐이라 진짜 AVX2 CPU의 값과는
다를 수 있고, 결과에 그렇게 적힙니다.

각 방식은 모델을 한 번 만들고 워밍업 에포크(그래프 추적·컴파일 포함)를 뺀 뒤, 측정마다
``fit``을 한 번 불러 3 에포크(훈련 + 검증 6,000장)를 돌리고 **셋째 에포크**를 잽니다. 20 에포크를
한 번에 훈련하는 실제 사용처럼, ``fit``을 새로 부를 때마다 드는 준비 비용(반복자, 셔플 준비)은
재지 않습니다 (세 방식 모두 같은 규칙). 에포크 시간은 Keras 콜백의 ``on_epoch_begin`` →
``on_epoch_end`` 사이(검증 포함)이고, 초당 샘플 수 = 훈련 이미지 수 ÷ 에포크 시간입니다.

사용 예::

    .venv/bin/python bench/bench.py            # 전체 (99% 도달 시간 포함)
    .venv/bin/python bench/bench.py --quick    # 속도 비교만
    .venv/bin/python bench/bench.py --repeats 5 --images 20000

결과: ``build/bench/results.json``, ``build/bench/results.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/bench.py`로 실행해도 lenetlib을 찾도록
    sys.path.insert(0, str(ROOT))
DEFAULT_OUT = ROOT / "build" / "bench"
DATA_PATH = ROOT / "data" / "mnist.npz"
TARGET_ACCURACY = 0.99

LABEL_A = "A 원래 노트북 (model.fit, validation_split, TensorFlow 기본 oneDNN)"
LABEL_A1 = "A' 원래 노트북 + oneDNN 켬 (TF_ENABLE_ONEDNN_OPTS=1)"
LABEL_B = "B 4장 (speed.enable, speed.training_model, compile/fit)"
LABEL_C = "C PyTorch 즉시 실행 (같은 신경망)"
LABEL_D = "D MirroredStrategy (논리 CPU 장치, 평범한 Keras model.fit)"
#: 방식 열쇠 → 표의 이름. 자식 프로세스 인자로는 A'를 "A1"로 씁니다.
LABELS = {"A": LABEL_A, "A1": LABEL_A1, "B": LABEL_B, "C": LABEL_C, "D": LABEL_D}
#: 사용자가 bench를 실행할 때 정해 둔 oneDNN 값 (lenetlib을 불러오기 전에 읽음; 없으면 None)
USER_ONEDNN = os.environ.get("TF_ENABLE_ONEDNN_OPTS")


# ---------------------------------------------------------------------------
# 순수 도우미 (tests/test_bench.py가 검사)
# ---------------------------------------------------------------------------


#: 측정 한 번에 fit으로 돌리는 에포크 수; 마지막(셋째) 에포크만 잽니다 (연속 훈련 상태).
EPOCHS_PER_CALL = 3


def median(values: Sequence[float]) -> float:
    """값들의 중앙값. 빈 목록이면 ``ValueError``."""
    vals = [float(v) for v in values]
    if not vals:
        raise ValueError("중앙값을 구할 값이 없습니다. 받은 목록: []. 측정을 한 번 이상 하세요.")
    return float(statistics.median(vals))


def samples_per_second(n_samples: int, seconds: float) -> float:
    """초당 샘플 수 = ``n_samples / seconds``. 시간이 0 이하이면 ``ValueError``."""
    if not seconds > 0 or not math.isfinite(seconds):
        raise ValueError(f"시간은 0보다 큰 유한한 값이어야 합니다. 받은 값: {seconds!r}.")
    return float(n_samples) / float(seconds)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """두 처리량의 비율. 어느 한쪽이 없거나 분모가 0 이하이면 ``None``."""
    if numerator is None or denominator is None or not denominator > 0:
        return None
    return float(numerator) / float(denominator)


def parse_overrides(items: Sequence[str]) -> dict[str, Any]:
    """``["jit_compile=False", "steps_per_execution=32"]`` → ``{"jit_compile": False, ...}``.

    값은 JSON으로 읽고(``false``/``False``, 숫자), 실패하면 문자열 그대로 둡니다.
    """
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(
                f"--set은 이름=값 모양이어야 합니다. 받은 값: {item!r}. 예: --set splits=1"
            )
        text = raw.strip()
        lowered = {"true": "true", "false": "false", "none": "null"}.get(text.lower(), text)
        try:
            out[key] = json.loads(lowered)
        except json.JSONDecodeError:
            out[key] = text
    return out


@dataclass
class Measurement:
    """한 방식의 측정 결과. ``epoch_seconds``는 워밍업을 뺀 측정별 에포크 시간(초)."""

    label: str
    n_train: int
    epoch_seconds: list[float] = field(default_factory=list)
    call_seconds: list[float] = field(default_factory=list)
    warmup_seconds: float | None = None
    skipped: str | None = None

    @property
    def median_epoch_seconds(self) -> float | None:
        return median(self.epoch_seconds) if self.epoch_seconds else None

    @property
    def samples_per_second(self) -> float | None:
        med = self.median_epoch_seconds
        return None if med is None else samples_per_second(self.n_train, med)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "n_train": self.n_train,
            "epoch_seconds": [round(s, 4) for s in self.epoch_seconds],
            "call_seconds": [round(s, 4) for s in self.call_seconds],
            "median_epoch_seconds": self.median_epoch_seconds,
            "median_call_seconds": median(self.call_seconds) if self.call_seconds else None,
            "samples_per_second": self.samples_per_second,
            "warmup_seconds": self.warmup_seconds,
            "skipped": self.skipped,
        }


B_A1, A1_A = "B/A'", "A'/A"


def ratios(sps: dict[str, float | None]) -> dict[str, float | None]:
    """방식별 초당 샘플 수 → 비율 B/A, B/A', B/C, B/D, A'/A (없는 방식은 None)."""
    pairs = {"B/A": ("B", "A"), B_A1: ("B", "A1"), "B/C": ("B", "C"), "B/D": ("B", "D"),
             A1_A: ("A1", "A")}  # fmt: skip
    return {name: ratio(sps.get(top), sps.get(bottom)) for name, (top, bottom) in pairs.items()}


def _fmt(value: float | None, spec: str, missing: str = "—") -> str:
    return missing if value is None else format(value, spec)


def format_markdown(results: dict[str, Any]) -> str:
    """``results.json``과 같은 사전을 작은 Markdown 보고서로 만듭니다."""
    lines = [
        "# LeNet-5 훈련 속도 비교 (`make bench`)",
        "",
        f"- 기기: {results.get('machine', '?')}",
        f"- 훈련 이미지 {results.get('n_train', '?'):,}장 + 검증 {results.get('n_val', '?'):,}장, "
        f"배치 {results.get('batch_size', 128)}, 반복 {results.get('repeats', '?')}회 "
        "(방식들을 번갈아, 워밍업 제외, fit마다 3 에포크 중 셋째 에포크, 중앙값)",
        "",
        "| 방식 | 에포크 시간 (초, 중앙값) | 초당 샘플 수 | 측정값 (초) |",
        "| --- | ---: | ---: | --- |",
    ]
    for m in results.get("measurements", []):
        if m.get("skipped"):
            lines.append(f"| {m['label']} | — | — | 건너뜀: {m['skipped']} |")
            continue
        each = ", ".join(f"{s:.2f}" for s in m.get("epoch_seconds", []))
        lines.append(
            f"| {m['label']} | {_fmt(m.get('median_epoch_seconds'), '.2f')} | "
            f"{_fmt(m.get('samples_per_second'), ',.0f')} | {each} |"
        )
    r = results.get("ratios", {})
    lines += [
        "",
        f"- B/A (4장 ÷ 원본, TensorFlow 기본 oneDNN): **{_fmt(r.get('B/A'), '.2f')}배**",
        f"- B/A' (4장 ÷ 원본 + oneDNN): **{_fmt(r.get(B_A1), '.2f')}배**, "
        f"A'/A (oneDNN만 켠 효과): {_fmt(r.get(A1_A), '.2f')}배",
        f"- B/C (4장 ÷ PyTorch): **{_fmt(r.get('B/C'), '.2f')}배** (1.0이면 PyTorch와 같음)",
        f"- B/D (4장 ÷ MirroredStrategy): **{_fmt(r.get('B/D'), '.2f')}배** "
        "(1보다 크면 4장의 껍데기가 빠름)",
    ]
    onednn = {k[7:]: v for k, v in results.items() if k.startswith("onednn_")}
    if onednn:
        shown = ", ".join(f"{'A' + chr(39) if k == 'A1' else k} {'켜짐' if v else '꺼짐'}"
                          for k, v in onednn.items())  # fmt: skip
        lines.append(f"- oneDNN: {shown}")
    tt = results.get("time_to_target")
    if tt:
        if tt.get("reached"):
            lines.append(
                f"- 4장 방식으로 테스트 정확도 {tt['target']:.1%} 도달: "
                f"{tt['epochs']} 에포크, 훈련 {tt['seconds']:.1f}초 (테스트 평가 시간 제외, "
                f"정확도 {tt['accuracy']:.2%})"
            )
        else:
            lines.append(
                f"- {tt.get('max_epochs')} 에포크 안에 테스트 정확도 {tt['target']:.1%}에 "
                f"도달하지 못했습니다 (최고 {tt.get('best_accuracy', 0):.2%})."
            )
    lb = results.get("lenetlib")
    if lb:
        sp = lb.get("speed", {})
        speed = ", ".join(f"{k}={v!r}" for k, v in sp.items() if k != "splits")
        if sp.get("splits") is not None:
            split = f"배치를 {sp['splits']}조각으로 나눠 코어마다 동시에 계산"
            speed += f" ({split if sp['splits'] > 1 else '배치를 나누지 않음'})"
        note = f" (--set으로 바꿈: {lb['overrides']})" if lb.get("overrides") else ""
        lines.append(f"- B의 속도 설정 (speed.enable()): {speed}{note}")
    tc = results.get("torch")
    if tc:
        lines.append(
            f"- PyTorch {tc.get('torch_version')}, 스레드 {tc.get('torch_threads')}개 "
            "(1개와 2개 중 짧은 시험에서 빠른 쪽)"
        )
    mem = results.get("peak_memory_mib")
    if mem is not None:
        lines.append(f"- 최대 메모리 (벤치 프로세스 전체, ru_maxrss): {mem:,.0f} MiB")
    imp = results.get("import_lenetlib")
    if imp:
        lines.append(
            f"- `import lenetlib` 시간 (새 프로세스, 중앙값): {imp['seconds'] * 1000:.1f} ms, "
            f"TensorFlow 불러옴: {'예' if imp.get('tensorflow_loaded') else '아니요'}"
        )
    lines.append("")
    return "\n".join(lines)


def format_console(results: dict[str, Any]) -> str:
    """터미널에 찍을 요약 표."""
    out = ["", "== 결과 (에포크 = 훈련 + 검증, 워밍업 제외 중앙값)"]
    for m in results.get("measurements", []):
        if m.get("skipped"):
            out.append(f"  {m['label']}: 건너뜀 — {m['skipped']}")
        else:
            out.append(
                f"  {m['label']}: {_fmt(m.get('median_epoch_seconds'), '.2f')} 초/에포크, "
                f"{_fmt(m.get('samples_per_second'), ',.0f')} 샘플/초"
            )
    r = results.get("ratios", {})
    out.append("  " + ", ".join(f"{k} = {_fmt(v, '.2f')}배" for k, v in r.items()))
    return "\n".join(out)


# ---------------------------------------------------------------------------
# 측정 도구
# ---------------------------------------------------------------------------


def log(text: str) -> None:
    print(text, flush=True)


def peak_memory_mib() -> float:
    """이 프로세스의 최대 상주 메모리(MiB, Linux ru_maxrss 기준)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def measure_import_time(repeats: int = 3) -> dict[str, Any]:
    """새 파이썬 프로세스에서 ``import lenetlib``에 걸리는 시간(중앙값)을 잽니다."""
    code = (
        "import time, sys; t = time.perf_counter(); import lenetlib; "
        "print(time.perf_counter() - t, 'tensorflow' in sys.modules)"
    )
    times: list[float] = []
    tf_loaded = False
    for _ in range(repeats):
        p = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        )
        sec, loaded = p.stdout.split()
        times.append(float(sec))
        tf_loaded = tf_loaded or loaded == "True"
    return {"seconds": median(times), "all_seconds": times, "tensorflow_loaded": tf_loaded}


def _epoch_timer() -> Any:
    import keras

    class EpochTimer(keras.callbacks.Callback):
        """에포크 시작부터 끝(검증 포함)까지의 시간을 기록합니다."""

        def __init__(self) -> None:
            super().__init__()
            self.times: list[float] = []
            self._t0 = 0.0

        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self._t0 = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            self.times.append(time.perf_counter() - self._t0)

    return EpochTimer()


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Keras 진행 막대 출력을 버립니다 (계산은 그대로 일어남)."""
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        yield


def load_raw(images: int) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    """MNIST 원본(uint8)을 읽어 훈련 세트 앞 ``images``장만 남깁니다."""
    try:
        from lenetlib.data import load_mnist

        (x_train, y_train), (x_test, y_test) = load_mnist(allow_download=False)
    except ImportError:
        import numpy as np

        with np.load(DATA_PATH) as f:
            x_train, y_train = f["x_train"], f["y_train"]
            x_test, y_test = f["x_test"], f["y_test"]
    return (x_train[:images], y_train[:images]), (x_test, y_test)


# ---------------------------------------------------------------------------
# A: 원래 노트북 방식
# ---------------------------------------------------------------------------


def create_seed_lenet5() -> Any:
    """원래 노트북의 ``create_lenet5()``를 그대로 옮긴 모델 (61,706개 파라미터)."""
    from tensorflow import keras
    from tensorflow.keras import layers

    return keras.Sequential(
        [
            layers.Input(shape=(32, 32, 1)),
            layers.Conv2D(filters=6, kernel_size=5, activation="tanh", name="C1"),
            layers.MaxPooling2D(pool_size=2, strides=2, name="S2"),
            layers.Conv2D(filters=16, kernel_size=5, activation="tanh", name="C3"),
            layers.MaxPooling2D(pool_size=2, strides=2, name="S4"),
            layers.Flatten(),
            layers.Dense(120, activation="tanh", name="C5"),
            layers.Dense(84, activation="tanh", name="F6"),
            layers.Dense(10, activation="softmax", name="Output"),
        ]
    )


def setup_original(raw_train: tuple[Any, Any]) -> tuple[Callable[[], tuple[float, float]], int]:
    """원래 노트북의 전처리·컴파일을 하고, 1 에포크를 도는 함수를 돌려줍니다."""
    import numpy as np
    import tensorflow as tf
    from tensorflow import keras

    x_raw, y_raw = raw_train
    tf.random.set_seed(42)
    np.random.seed(42)
    x = x_raw.astype("float32") / 255.0
    x = tf.pad(x, [[0, 0], [2, 2], [2, 2]], mode="CONSTANT")
    x = tf.expand_dims(x, axis=-1)
    y = keras.utils.to_categorical(y_raw, 10)
    model = create_seed_lenet5()
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])

    def run() -> tuple[float, float]:
        timer = _epoch_timer()
        callbacks = [
            keras.callbacks.EarlyStopping(
                monitor="val_accuracy", patience=5, restore_best_weights=True, verbose=1
            ),
            keras.callbacks.ReduceLROnPlateau(
                monitor="val_loss", factor=0.5, patience=3, min_lr=1e-7, verbose=1
            ),
            timer,
        ]
        t0 = time.perf_counter()
        with quiet_stdout():
            model.fit(
                x,
                y,
                epochs=EPOCHS_PER_CALL,
                batch_size=128,
                validation_split=0.1,
                callbacks=callbacks,
                verbose=1,
            )
        return timer.times[-1], time.perf_counter() - t0

    n_train = math.floor(len(x_raw) * 0.9)
    return run, n_train


# ---------------------------------------------------------------------------
# B: 4장 (speed.enable + speed.training_model + Keras compile/fit)
# ---------------------------------------------------------------------------


def _chapter_setup(seed: int, splits: int | None = None) -> int:
    """4장의 준비 블록: ``config.setup`` 뒤 ``speed.enable()`` (TensorFlow가 계산하기 전)."""
    from lenetlib import config, speed

    with quiet_stdout():
        config.setup(seed)
    return speed.enable(splits)


def _chapter_config(overrides: dict[str, Any] | None, **fixed: Any) -> Any:
    """``TrainConfig()``에 ``--set`` 값(``splits`` 제외)과 ``fixed``를 덮어씁니다."""
    from dataclasses import fields, replace

    from lenetlib.training import TrainConfig

    values = {k: v for k, v in (overrides or {}).items() if k != "splits"}
    known = {f.name for f in fields(TrainConfig)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(
            f"TrainConfig에 없는 이름입니다: {unknown}. 쓸 수 있는 이름: {sorted(known)}, splits."
        )
    return replace(TrainConfig(), **values, **fixed)


def setup_lenetlib(
    raw_train: tuple[Any, Any],
    raw_test: tuple[Any, Any],
    overrides: dict[str, Any] | None = None,
) -> tuple[Callable[[], tuple[float, float]], int, dict[str, Any]]:
    """4장의 훈련을 준비하고, 측정마다 ``training.train(epochs=3)`` 한 번을 잽니다.

    ``training.train``은 4장 훈련 셀(``speed.training_model``, ``compile``, ``fit``)과 같은
    코드입니다.
    측정마다 같은 모델을 이어서 훈련하고, 셋째 에포크만 잽니다 (준비·추적 비용은 첫 에포크에).
    """
    from lenetlib import config, speed, training
    from lenetlib.model import build_lenet5
    from lenetlib.preprocessing import prepare_mnist

    cfg = _chapter_config(overrides, epochs=EPOCHS_PER_CALL)
    splits = _chapter_setup(cfg.seed, (overrides or {}).get("splits"))  # TensorFlow 계산 전에
    data = prepare_mnist(raw_train, raw_test)
    config.set_seed(cfg.seed)
    lenet = build_lenet5()

    def run() -> tuple[float, float]:
        timer = _epoch_timer()
        t0 = time.perf_counter()
        training.train(lenet, data, cfg, callbacks=[timer], progress="none")
        return timer.times[-1], time.perf_counter() - t0

    info = {
        "config": cfg.to_dict(),
        "overrides": dict(overrides or {}),
        "speed": {
            "steps_per_execution": speed.STEPS_PER_EXECUTION,
            "validation_batch_size": speed.VALIDATION_BATCH_SIZE,
            "splits": splits,
        },
    }
    return run, len(data.x_train), info


def setup_mirrored(
    raw_train: tuple[Any, Any], raw_test: tuple[Any, Any]
) -> tuple[Callable[[], tuple[float, float]], int, dict[str, Any]]:
    """D: 표준 데이터 병렬. CPU를 코어 수만큼의 논리 장치로 나누고 ``MirroredStrategy``로
    평범한 Keras 모델을 ``model.fit``합니다 (B와 같은 입력 파이프라인, ``steps_per_execution``)."""
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    from lenetlib._internal.cpu import usable_cores

    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * max(2, usable_cores())
    )
    from lenetlib import config, speed
    from lenetlib._internal.backend import keras
    from lenetlib.model import build_lenet5
    from lenetlib.preprocessing import prepare_mnist

    cfg = _chapter_config(None, epochs=EPOCHS_PER_CALL)
    with quiet_stdout():
        config.setup(cfg.seed)
    data = prepare_mnist(raw_train, raw_test)
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    strategy = tf.distribute.MirroredStrategy(
        devices, cross_device_ops=tf.distribute.ReductionToOneDevice()
    )
    with strategy.scope():
        lenet = build_lenet5()
        lenet.compile(optimizer=keras.optimizers.Adam(learning_rate=cfg.learning_rate),
                      loss="categorical_crossentropy", metrics=["accuracy"],
                      steps_per_execution=speed.STEPS_PER_EXECUTION)  # fmt: skip
    train = speed._pipeline(data.x_train, data.y_train, cfg.batch_size, True, cfg.seed)
    val = speed._pipeline(data.x_val, data.y_val, speed.VALIDATION_BATCH_SIZE, False, None)

    def run() -> tuple[float, float]:
        timer = _epoch_timer()
        t0 = time.perf_counter()
        lenet.fit(train, validation_data=val, epochs=EPOCHS_PER_CALL, shuffle=False,
                  callbacks=[timer], verbose=0)  # fmt: skip
        return timer.times[-1], time.perf_counter() - t0

    return run, len(data.x_train), {"devices": devices}


def time_to_target(
    raw_train: tuple[Any, Any],
    raw_test: tuple[Any, Any],
    *,
    max_epochs: int,
    target: float = TARGET_ACCURACY,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """4장처럼 훈련하며 매 에포크 테스트 정확도를 재고, 목표에 닿으면 멈춥니다.

    ``TrainConfig(epochs=max_epochs)``로 ``fit``을 한 번 부르므로 조기 종료·학습률 감소도
    실제 사용과 같습니다. 테스트 평가에 쓴 시간은 훈련 시간에서 뺍니다.
    """
    import numpy as np

    from lenetlib import config, training
    from lenetlib._internal.backend import keras  # TensorFlow 시작 로그를 숨기고 불러옴
    from lenetlib.model import build_lenet5
    from lenetlib.preprocessing import prepare_mnist

    cfg = _chapter_config(overrides, epochs=max_epochs)
    _chapter_setup(cfg.seed, (overrides or {}).get("splits"))
    data = prepare_mnist(raw_train, raw_test)
    y_test = np.asarray(data.y_test)
    labels = y_test.argmax(1) if y_test.ndim == 2 else y_test
    config.set_seed(cfg.seed)
    lenet = build_lenet5()
    record: dict[str, Any] = {"accuracies": [], "seconds": []}

    class TestProbe(keras.callbacks.Callback):
        def on_train_begin(self, logs: dict | None = None) -> None:
            self.start = time.perf_counter()
            self.eval_seconds = 0.0

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            t0 = time.perf_counter()
            elapsed = t0 - self.start - self.eval_seconds
            probs = lenet.predict(data.x_test, batch_size=1024, verbose=0)
            acc = float((probs.argmax(1) == labels).mean())
            record["accuracies"].append(acc)
            record["seconds"].append(elapsed)
            log(f"  에포크 {epoch + 1}: 테스트 정확도 {acc:.4f}, 누적 훈련 시간 {elapsed:.1f}초")
            if acc >= target:
                self.model.stop_training = True
            self.eval_seconds += time.perf_counter() - t0

    training.train(lenet, data, cfg, callbacks=[TestProbe()], progress="none")
    accs = record["accuracies"]
    hit = next((i for i, a in enumerate(accs) if a >= target), None)
    out: dict[str, Any] = {
        "target": target,
        "max_epochs": max_epochs,
        "reached": hit is not None,
        "best_accuracy": max(accs) if accs else None,
        "per_epoch_accuracy": accs,
        "per_epoch_cumulative_seconds": record["seconds"],
    }
    if hit is not None:
        out.update(epochs=hit + 1, seconds=record["seconds"][hit], accuracy=accs[hit])
    return out


# ---------------------------------------------------------------------------
# C: PyTorch
# ---------------------------------------------------------------------------


def setup_torch(
    raw_train: tuple[Any, Any],
) -> tuple[Callable[[], tuple[float, float]], int, dict[str, Any]]:
    """PyTorch 기준 모델을 만들고 1 에포크(훈련 + 검증)를 재는 함수를 돌려줍니다."""
    import numpy as np

    try:
        from bench.torch_lenet import (
            build_torch_lenet5,
            count_params,
            pick_num_threads,
            train_torch,
        )
    except ImportError:  # `python bench/bench.py`처럼 bench가 패키지로 잡히지 않을 때
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from torch_lenet import (  # type: ignore[no-redef]
            build_torch_lenet5,
            count_params,
            pick_num_threads,
            train_torch,
        )
    import torch

    x_raw, y_raw = raw_train
    x = np.zeros((len(x_raw), 32, 32, 1), np.float32)
    x[:, 2:30, 2:30, 0] = x_raw.astype(np.float32) / 255.0
    y = np.asarray(y_raw, dtype=np.int64)
    n_train = math.floor(len(x) * 0.9)
    threads, probe = pick_num_threads(x[:n_train], y[:n_train])
    torch.manual_seed(42)
    model = build_torch_lenet5()
    if count_params(model) != 61_706:  # 같은 신경망이어야 비교가 공정합니다
        raise RuntimeError(
            f"PyTorch LeNet-5의 파라미터 수가 {count_params(model):,}개입니다 (61,706개여야 함)."
        )

    def run() -> tuple[float, float]:
        t0 = time.perf_counter()
        r = train_torch(
            x[:n_train], y[:n_train], x[n_train:], y[n_train:], epochs=EPOCHS_PER_CALL, model=model
        )
        return r.epoch_seconds[-1], time.perf_counter() - t0

    info = {
        "torch_version": torch.__version__,
        "torch_threads": threads,
        "thread_probe_seconds_per_batch": {str(k): v for k, v in probe.items()},
        "params": count_params(model),
    }
    return run, n_train, info


# ---------------------------------------------------------------------------
# 실행
# ---------------------------------------------------------------------------


def machine_description(emulate_avx2: bool = False) -> str:
    """CPU 모델, 코어 수, 명령어 집합(AVX2/AVX-512/VNNI), Python 버전을 한 줄로."""
    from lenetlib._internal.cpu import cpu_info, cpu_kind

    info = cpu_info()
    flags = info["flags"]
    assert isinstance(flags, dict)
    shown = ", ".join(f"{name} {'있음' if has else '없음'}" for name, has in flags.items())
    text = (
        f"{info['model']} ({info['machine']}, {info['cores']}코어, {cpu_kind(info)}; {shown}), "
        f"Python {platform.python_version()}"
    )
    if emulate_avx2:
        text += " — AVX2 흉내(--emulate-avx2: oneDNN을 AVX2로 제한, A는 oneDNN 끔)"
    return text


def tensorflow_default_onednn(env: dict[str, str]) -> str | None:
    """lenetlib 없이 TensorFlow만 불러 이 CPU에서 oneDNN을 기본으로 켜는지: "1", "0" (모르면 None).

    A의 자식 프로세스도 데이터를 읽으며 ``import lenetlib``을 하므로(기본값을 1로 정함), 이 값을
    명시해 넘겨야 A가 정말 TensorFlow의 기본값으로 돕니다 (AVX2 CPU에서는 보통 "0")."""
    code = "from tensorflow.python.util import _pywrap_util_port as p; print(int(p.IsMklEnabled()))"
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    last = done.stdout.strip()[-1:]
    return last if done.returncode == 0 and last in ("0", "1") else None


def worker_environment(key: str, emulate_avx2: bool) -> dict[str, str]:
    """방식마다 자식 프로세스의 환경: oneDNN 값을 방식의 정의대로 정합니다."""
    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    if key == "A1":
        env["TF_ENABLE_ONEDNN_OPTS"] = "1"
    elif key == "A" and emulate_avx2 and USER_ONEDNN is None:
        env["TF_ENABLE_ONEDNN_OPTS"] = "0"  # TensorFlow가 AVX2 CPU에서 고르는 기본값
    elif key == "A" and USER_ONEDNN is None and (default := tensorflow_default_onednn(env)):
        env["TF_ENABLE_ONEDNN_OPTS"] = default  # 이 CPU에서 TensorFlow가 고르는 기본값
    elif USER_ONEDNN is not None:
        env["TF_ENABLE_ONEDNN_OPTS"] = USER_ONEDNN
    if emulate_avx2:
        env["ONEDNN_MAX_CPU_ISA"] = "AVX2"
    return env


class _Worker:
    """한 방식(A, B, C)을 맡은 자식 프로세스. 방식끼리 스레드 풀과 메모리를 나눠 쓰지 않게 합니다.

    같은 프로세스에서 번갈아 돌리면 앞 방식의 스레드(예: PyTorch의 OpenMP 대기 스레드, tf.data
    자동 조정 스레드)가 다음 방식의 측정을 방해했습니다. 쉬는 동안 자식은 표준 입력을 기다립니다.
    """

    def __init__(self, key: str, argv: Sequence[str] | None, emulate_avx2: bool = False) -> None:
        args = list(sys.argv[1:] if argv is None else argv)
        command = [sys.executable, str(Path(__file__).resolve()), *args, "--worker", key]
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
            env=worker_environment(key, emulate_avx2),
        )  # fmt: skip

    def receive(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith("@@"):
                return json.loads(line[2:])
        raise RuntimeError(f"벤치 작업 프로세스가 끝났습니다 (종료 코드 {self.proc.wait()}).")

    def request(self) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write("run\n")
        self.proc.stdin.flush()
        return self.receive()

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                assert self.proc.stdin is not None
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def onednn_enabled() -> bool | None:
    """이 프로세스의 TensorFlow가 oneDNN 커널을 쓰는지 (알 수 없으면 None)."""
    try:
        from tensorflow.python.util import _pywrap_util_port

        return bool(_pywrap_util_port.IsMklEnabled())
    except (ImportError, AttributeError):
        return None


def _reply(payload: dict[str, Any]) -> None:
    print("@@" + json.dumps(payload, ensure_ascii=False), flush=True)


def worker_main(args: argparse.Namespace) -> int:
    """자식 프로세스: 한 방식을 준비·워밍업하고, 'run' 한 줄마다 한 번 잽니다."""
    if args.worker == "C":
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # 쉬는 동안 CPU를 돌리지 않게
    raw_train, raw_test = load_raw(args.images)
    info: dict[str, Any] = {}
    try:
        if args.worker in ("A", "A1"):
            run, n_train = setup_original(raw_train)
            import tensorflow as tf

            info = {"versions": {"tensorflow": tf.__version__}}
        elif args.worker == "B":
            run, n_train, info_b = setup_lenetlib(raw_train, raw_test, args.overrides)
            info = {"lenetlib": info_b}
        elif args.worker == "D":
            run, n_train, info_d = setup_mirrored(raw_train, raw_test)
            info = {"mirrored": info_d}
        else:
            run, n_train, info_c = setup_torch(raw_train)
            info = {"torch": info_c}
        if args.worker != "C":
            info["onednn_" + args.worker] = onednn_enabled()
    except ImportError as exc:
        skipped = (
            "PyTorch(torch)를 불러올 수 없어 C를 건너뜁니다. `make bench`가 설치하며, "
            "직접 설치하려면 `.venv/bin/pip install torch==2.13.0`을 실행하세요."
            if args.worker == "C"
            else f"불러올 수 없습니다: {exc}"
        )
        _reply({"skipped": skipped})
        return 0
    except ValueError as exc:  # --set 값이 잘못됨 (TrainConfig 검사의 한국어 메시지)
        _reply({"error": str(exc)})
        return 2
    with quiet_stdout():
        _, warmup = run()
    _reply({"n_train": n_train, "warmup": warmup, "info": info})
    for line in sys.stdin:
        if line.strip() != "run":
            break
        with quiet_stdout():
            epoch, call = run()
        _reply({"epoch": epoch, "call": call, "peak_memory_mib": peak_memory_mib()})
    return 0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="LeNet-5 훈련 속도: 원래 노트북(A), 4장(B), PyTorch(C) 비교"
    )
    p.add_argument("--repeats", type=int, default=3, help="방식마다 측정 횟수 (기본 3)")
    p.add_argument(
        "--images",
        type=int,
        default=60000,
        help="쓸 MNIST 훈련 이미지 수, 검증 10%% 포함 (기본 60000 → 훈련 54,000장)",
    )
    p.add_argument("--quick", action="store_true", help="99%% 도달 시간 측정을 건너뜁니다")
    p.add_argument(
        "--max-epochs", type=int, default=20, help="99%% 도달 시간 측정의 최대 에포크 (기본 20)"
    )
    p.add_argument("--no-torch", action="store_true", help="PyTorch 비교(C)를 건너뜁니다")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="결과 폴더 (기본 build/bench)")
    p.add_argument("--worker", choices=list(LABELS), help=argparse.SUPPRESS)  # 내부용
    p.add_argument(
        "--no-mirrored", action="store_true", help="MirroredStrategy 비교(D)를 건너뜁니다"
    )
    p.add_argument(
        "--emulate-avx2",
        action="store_true",
        help="AVX-512 CPU에서 AVX2 CPU를 흉내 냅니다 (oneDNN을 AVX2로 제한, A는 oneDNN 끔)",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="이름=값",
        help="B의 TrainConfig 값이나 배치 조각 수(splits)를 바꿔 봅니다 (실험용, 여러 번 가능). "
        "예: --set splits=1 --set batch_size=256",
    )
    args = p.parse_args(argv)
    try:
        args.overrides = parse_overrides(args.set)
    except ValueError as exc:
        p.error(str(exc))
    if args.repeats < 1:
        p.error(f"--repeats는 1 이상이어야 합니다. 받은 값: {args.repeats}")
    if not 1000 <= args.images <= 60000:
        p.error(f"--images는 1000~60000 사이여야 합니다. 받은 값: {args.images}")
    if args.max_epochs < 1:
        p.error(f"--max-epochs는 1 이상이어야 합니다. 받은 값: {args.max_epochs}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if args.worker:
        return worker_main(args)
    started = time.perf_counter()
    results: dict[str, Any] = {
        "machine": machine_description(args.emulate_avx2),
        "emulate_avx2": args.emulate_avx2,
        "repeats": args.repeats,
    }

    log("== `import lenetlib` 시간 (새 프로세스 3번)")
    results["import_lenetlib"] = measure_import_time()
    log(f"  {results['import_lenetlib']['seconds'] * 1000:.1f} ms")

    raw_train, raw_test = load_raw(args.images)
    import tensorflow as tf

    results["versions"] = {"tensorflow": tf.__version__}
    meas: dict[str, Measurement] = {}
    log("== 준비와 워밍업: 방식마다 따로 된 프로세스 (그래프 추적·컴파일, 집계 제외)")
    keys = ["A", "A1", "B"] + ([] if args.no_torch else ["C"]) + ([] if args.no_mirrored else ["D"])
    workers = {key: _Worker(key, argv, args.emulate_avx2) for key in keys}
    for key, worker in workers.items():
        ready = worker.receive()
        label = LABELS[key]
        if ready.get("skipped"):
            meas[key] = Measurement(label, 0, skipped=ready["skipped"])
            log(f"  {key}: {ready['skipped']}")
            worker.close()
            continue
        if ready.get("error"):
            print(f"오류: {ready['error']}", file=sys.stderr)
            for w in workers.values():
                w.close()
            return 2
        meas[key] = Measurement(label, ready["n_train"], warmup_seconds=ready["warmup"])
        results.update(ready.get("info", {}))
        log(f"  {key} 워밍업: {ready['warmup']:.1f}초")
    for key, flag in (("C", "--no-torch"), ("D", "--no-mirrored")):
        meas.setdefault(key, Measurement(LABELS[key], 0, skipped=f"{flag}로 건너뛰었습니다."))
    active = [k for k in keys if not meas[k].skipped]

    log(f"== 측정: {' '.join(active)} 순서로 {args.repeats}번 번갈아")
    for r in range(args.repeats):
        for key in active:
            reply = workers[key].request()
            meas[key].epoch_seconds.append(reply["epoch"])
            meas[key].call_seconds.append(reply["call"])
            results[f"peak_memory_{key}_mib"] = reply["peak_memory_mib"]
            sps = samples_per_second(meas[key].n_train, reply["epoch"])
            epoch = reply["epoch"]
            log(f"  [{r + 1}/{args.repeats}] {key}: {epoch:.2f}초/에포크, {sps:,.0f} 샘플/초")
    for worker in workers.values():
        worker.close()
    n_a = meas["A"].n_train

    sps = {k: m.samples_per_second for k, m in meas.items()}
    results["n_train"] = n_a
    results["n_val"] = len(raw_train[0]) - n_a
    results["batch_size"] = 128
    results["measurements"] = [meas[k].to_dict() for k in LABELS]
    results["ratios"] = ratios(sps)
    log(format_console(results))

    if args.quick:
        results["time_to_target"] = None
    elif not meas["B"].skipped:
        log(f"== 4장 방식으로 테스트 정확도 {TARGET_ACCURACY:.0%} 도달 시간 (새 모델)")
        results["time_to_target"] = time_to_target(
            raw_train, raw_test, max_epochs=args.max_epochs, overrides=args.overrides
        )

    worker_peaks = [
        v for k, v in results.items() if k.startswith("peak_memory_") and k != "peak_memory_mib"
    ]
    results["peak_memory_mib"] = max([peak_memory_mib(), *worker_peaks])
    results["total_seconds"] = time.perf_counter() - started
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    md = format_markdown(results)
    (args.out / "results.md").write_text(md, encoding="utf-8")
    log("")
    log(md)
    log(f"결과를 {args.out / 'results.json'}, {args.out / 'results.md'}에 썼습니다.")
    log(f"전체 실행 시간: {results['total_seconds']:.0f}초")
    return 0


if __name__ == "__main__":
    sys.exit(main())
