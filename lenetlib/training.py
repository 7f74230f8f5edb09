"""Keras 훈련(``compile``, ``fit``)에 쓰는 설정·콜백·검사·기록. (4장 ``04_training.ipynb``)

속도 설정은 :mod:`lenetlib.speed` 한 곳에 따로 있습니다."""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from lenetlib import config, speed
from lenetlib._internal import checks
from lenetlib._internal.backend import keras, tf
from lenetlib._internal.constants import NUM_CLASSES, PROGRESS_ENV
from lenetlib._internal.korean import topic

__all__ = [
    "History",
    "TrainConfig",
    "best_metrics",
    "check_fit_data",
    "fit_verbose",
    "make_callbacks",
    "resolve_progress",
    "train",
]

PROGRESS_CHOICES = ("bar", "epoch", "none")
#: 학습률 조절 방법: 검증 손실이 멈추면 줄이기(4장) 또는 코사인 모양으로 줄이기(7장의 마지막 줄)
LR_SCHEDULES = ("plateau", "cosine")
_MINIMUMS = {"epochs": 1, "batch_size": 1, "early_stopping_patience": 0, "reduce_lr_patience": 0}
_FLOAT_RULES: dict[str, dict[str, Any]] = {
    "learning_rate": {"low": 0, "high": 10, "open_low": True, "hint": "Adam에는 보통 1e-3."},
    "reduce_lr_factor": {"low": 0, "high": 1, "open_low": True, "open_high": True},
}


@dataclass(frozen=True)
class TrainConfig:
    """결과를 정하는 훈련 설정. 기본값은 흔한 Keras 예제의 값입니다. (4장 ``04_training.ipynb``)"""

    epochs: int = 20
    batch_size: int = 128
    learning_rate: float = 1e-3
    early_stopping_patience: int = 5
    reduce_lr_factor: float = 0.5
    reduce_lr_patience: int = 3
    min_lr: float = 1e-7
    seed: int = 42
    shuffle: bool = True
    lr_schedule: str = "plateau"

    def __post_init__(self) -> None:
        def keep(name: str, value: Any) -> None:  # np.int64(7) → 7: JSON으로 저장할 수 있게
            object.__setattr__(self, name, value)

        for name, low in _MINIMUMS.items():
            example = getattr(TrainConfig, name)
            keep(name, checks.check_int(getattr(self, name), name, minimum=low, example=example))
        for name, rule in _FLOAT_RULES.items():
            keep(name, checks.check_float(getattr(self, name), name, **rule))
        lr, hint = self.learning_rate, "learning_rate보다 작아야 합니다. 보통 1e-7을 씁니다."
        keep("min_lr", checks.check_float(self.min_lr, "min_lr", low=0, high=lr, hint=hint))
        keep("seed", checks.check_seed(self.seed))
        keep("shuffle", checks.check_bool(self.shuffle, "shuffle"))
        keep("lr_schedule", checks.check_choice(self.lr_schedule, "lr_schedule", LR_SCHEDULES))

    def to_dict(self) -> dict[str, Any]:
        """JSON으로 저장할 수 있는 사전으로 바꿉니다. (4장 ``04_training.ipynb``)"""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> TrainConfig:
        """사전에서 설정을 만듭니다. 모르는 키는 무시합니다. (4장 ``04_training.ipynb``)"""
        checks.check_type(
            values, Mapping, "설정", "사전(dict)", "TrainConfig.to_dict()의 결과를 넘기세요."
        )
        return cls(**{f.name: values[f.name] for f in fields(cls) if f.name in values})

    def differences(self, other: TrainConfig) -> dict[str, tuple[Any, Any]]:
        """값이 다른 필드 → ``(내 값, 다른 값)``. 같으면 빈 사전. (4장 ``04_training.ipynb``)"""
        _check_config(other, "other")
        mine, theirs = self.to_dict(), other.to_dict()
        return {k: (v, theirs[k]) for k, v in mine.items() if v != theirs[k]}


def _check_config(cfg: Any, name: str = "cfg") -> None:
    checks.check_type(cfg, TrainConfig, name, "TrainConfig", "예: TrainConfig(epochs=5)")


@dataclass(frozen=True)
class History:
    """에포크별 훈련 기록과 요약. (4장 ``04_training.ipynb``)

    ``history``: loss, accuracy, val_loss, val_accuracy, learning_rate 목록. ``best_epoch``는
    검증 정확도가 가장 높았던 에포크(1부터), 곧 조기 종료가 복원한 가중치의 에포크입니다.
    """

    history: dict[str, list[float]]
    epochs_run: int
    best_epoch: int
    stopped_early: bool
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        """JSON으로 저장할 사전. (4장 ``04_training.ipynb``)"""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> History:
        """:meth:`to_dict`로 저장한 사전에서 기록을 되살립니다. (4장 ``04_training.ipynb``)"""
        names = [f.name for f in fields(cls)]
        hist = values.get("history") if isinstance(values, Mapping) else None
        if not (isinstance(hist, Mapping) and all(isinstance(v, list) for v in hist.values())
                and set(names) <= set(values)):  # fmt: skip
            raise ValueError(
                f"훈련 기록은 {names} 키가 있고 history의 값이 목록(list)인 사전이어야 합니다. "
                f"받은 값: {values!r:.200}. History.to_dict()로 저장한 값을 넘기세요."
            )
        as_list = {
            k: checks.as_numeric(v, f"history[{k!r}]", allow_nan=True) for k, v in hist.items()
        }
        return cls(
            history={str(k): v.astype(float).tolist() for k, v in as_list.items()},
            epochs_run=checks.check_int(values["epochs_run"], "epochs_run", minimum=0),
            best_epoch=checks.check_int(values["best_epoch"], "best_epoch", minimum=0),
            stopped_early=checks.check_bool(values["stopped_early"], "stopped_early"),
            seconds=checks.check_float(values["seconds"], "seconds", low=0, high=float("inf")),
        )

    @classmethod
    def from_keras(cls, keras_history: Any, seconds: float) -> History:
        """``model.fit``이 돌려준 Keras ``History``를 정리합니다. (4장 ``04_training.ipynb``)

        ``stopped_early``: 조기 종료 조건이 채워졌는지 (마지막 에포크에서 채워진 경우 포함).
        """
        hist = {k: [float(x) for x in v] for k, v in keras_history.history.items()}
        scores = hist.get("val_accuracy") or hist.get("accuracy") or [0.0]
        epochs_run = len(hist.get("loss", []))
        stopped = getattr(getattr(keras_history, "model", None), "stop_training", False)
        return cls(
            history=hist,
            epochs_run=epochs_run,
            best_epoch=int(np.argmax(scores)) + 1 if epochs_run else 0,
            stopped_early=bool(stopped) or epochs_run < int(keras_history.params["epochs"]),
            seconds=float(seconds),
        )


_LOG_NAMES = {"loss": "손실", "accuracy": "정확도", "val_loss": "검증 손실",
              "val_accuracy": "검증 정확도", "learning_rate": "학습률"}  # fmt: skip


class _EpochLogger(keras.callbacks.Callback):
    """에포크마다 한국어 한 줄을 출력하는 콜백 (진행 막대 대신: 로그 파일, 실행된 노트북)."""

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        parts = [f"에포크 {epoch + 1}/{self.params['epochs']}"]
        for key, name in _LOG_NAMES.items() if logs else ():
            parts.append(f"{name} {logs[key]:{'.1e' if key == 'learning_rate' else '.4f'}}")
        print(" - ".join([*parts, f"{time.perf_counter() - self.start:.1f}초"]), flush=True)


def resolve_progress(progress: str = "auto") -> str:
    """진행 표시 방식 ``"bar"``·``"epoch"``·``"none"``을 정합니다. (4장 ``04_training.ipynb``)

    ``"auto"``: 환경 변수 ``LENETLIB_PROGRESS``가 있으면 그 값, 없으면 터미널이나 Jupyter에서는
    진행 막대(``"bar"``), 그 밖(로그 파일, CI)에서는 에포크마다 한 줄(``"epoch"``).
    """
    checks.check_choice(progress, "progress", ("auto", *PROGRESS_CHOICES))
    if progress != "auto":
        return progress
    if env := os.environ.get(PROGRESS_ENV, "").strip().lower():
        return checks.check_choice(env, f"환경 변수 {PROGRESS_ENV}", PROGRESS_CHOICES)
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    terminal = bool(getattr(sys.stdout, "isatty", lambda: False)())
    return "bar" if terminal or type(shell).__name__ == "ZMQInteractiveShell" else "epoch"


def fit_verbose(progress: str = "auto") -> int:
    """``model.fit``의 ``verbose``: 진행 막대면 1, 아니면 0. (4장 ``04_training.ipynb``)"""
    return 1 if resolve_progress(progress) == "bar" else 0


def make_callbacks(cfg: TrainConfig, progress: str = "auto") -> list[keras.callbacks.Callback]:
    """조기 종료·학습률 조절 콜백 (+ 에포크마다 한 줄). (4장 ``04_training.ipynb``, 7장)

    ``cfg.lr_schedule``의 두 방법 모두 그 에포크의 학습률을 기록의 ``learning_rate``에 남깁니다.
    """
    _check_config(cfg)
    early = keras.callbacks.EarlyStopping(
        monitor="val_accuracy", patience=cfg.early_stopping_patience, restore_best_weights=True
    )
    if cfg.lr_schedule == "cosine":
        lr = keras.callbacks.LearningRateScheduler(
            lambda epoch: cfg.learning_rate * 0.5 * (1 + math.cos(math.pi * epoch / cfg.epochs))
        )
    else:
        lr = keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss", factor=cfg.reduce_lr_factor, patience=cfg.reduce_lr_patience,
            min_lr=cfg.min_lr,
        )  # fmt: skip
    return [early, lr] + ([_EpochLogger()] if resolve_progress(progress) == "epoch" else [])


def check_fit_data(x: Any, y: Any, name: str = "훈련") -> tuple[np.ndarray, np.ndarray]:
    """모델 입력 ``(N, 32, 32, 1)``(값 0~1)과 원-핫 레이블 ``(N, 10)``을 확인합니다. (4장)"""
    x = checks.check_model_input(x, f"{name} 이미지")
    checks.check_labels(y, f"{name} 레이블")
    if np.ndim(y) != 2:
        raise ValueError(
            f"{topic(name + ' 레이블')} 원-핫 (N, {NUM_CLASSES}) 모양이어야 합니다 "
            f"(categorical_crossentropy 손실). 받은 모양: {np.shape(y)}. "
            "preprocessing.encode_labels(y)로 원-핫을 만드세요."
        )
    checks.check_same_length(**{f"{name} 이미지": x, f"{name} 레이블": y})
    return x, np.asarray(y, dtype=np.float32)


def _check_train_inputs(model: Any, data: Any, cfg: Any, callbacks: Sequence[Any]) -> list:
    checks.check_model(model)
    _check_config(cfg)
    if not all(hasattr(data, f"{a}_{s}") for a in "xy" for s in ("train", "val")):
        raise checks.wrong_type(
            "data", data, "PreparedData", "prepare_mnist(...)의 결과를 넘기세요."
        )
    callbacks = list(callbacks)
    if wrong := [c for c in callbacks if not isinstance(c, keras.callbacks.Callback)]:
        raise ValueError(f"callbacks에는 Keras 콜백만 넣을 수 있습니다. 받은 값: {wrong}.")
    return callbacks


def train(
    model: keras.Model,
    data: Any,
    cfg: TrainConfig,
    *,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    progress: str = "auto",
) -> History:
    """4장의 훈련을 한 번에: 입력 검사, 시드, 컴파일, ``fit``. (4장 ``04_training.ipynb``, 7장)

    ``data``: ``preprocessing.prepare_mnist``의 결과. 훈련된 ``model``은 바로 평가할 수 있습니다.
    7장의 모든 줄, ``make bench``, ``scripts/seed_spread.py``도 이 함수로 훈련합니다.
    """
    callbacks = _check_train_inputs(model, data, cfg, callbacks)
    x, y = check_fit_data(data.x_train, data.y_train, "훈련")
    x_val, y_val = check_fit_data(data.x_val, data.y_val, "검증")
    fit_callbacks, verbose = make_callbacks(cfg, progress) + callbacks, fit_verbose(progress)
    config.set_seed(cfg.seed)
    fast = speed.training_model(model, seed=cfg.seed)  # 속도 설정을 켜지 않았으면 model 그대로
    adam = keras.optimizers.Adam(learning_rate=cfg.learning_rate)  # 4장의 compile과 같음
    fast.compile(optimizer=adam, loss="categorical_crossentropy", metrics=["accuracy"])
    start, logger = time.perf_counter(), tf.get_logger()
    level = logger.level  # 모델을 여럿 훈련하면 나오는 'retracing' 영어 경고를 잠시 끔
    logger.setLevel("ERROR")
    try:
        keras_history = fast.fit(
            x, y, batch_size=cfg.batch_size, epochs=cfg.epochs, validation_data=(x_val, y_val),
            shuffle=cfg.shuffle, callbacks=fit_callbacks, verbose=verbose,
        )  # fmt: skip
    finally:
        logger.setLevel(level)
    return History.from_keras(keras_history, seconds=time.perf_counter() - start)


def best_metrics(history: History | Mapping[str, Sequence[float]]) -> dict[str, float]:
    """최고 훈련·검증 정확도와 최소 훈련·검증 손실. (4장 ``04_training.ipynb``)"""
    hist = history.history if isinstance(history, History) else history
    if not (isinstance(hist, Mapping) and hist.get("accuracy") and hist.get("loss")):
        raise ValueError(
            f"기록에 accuracy와 loss 목록이 있어야 합니다. 받은 값: {hist!r:.200}. "
            "train(...)이 돌려준 History를 넘기세요."
        )
    wanted = {"train_accuracy": ("accuracy", max), "val_accuracy": ("val_accuracy", max),
              "train_loss": ("loss", min), "val_loss": ("val_loss", min)}  # fmt: skip
    return {name: float(pick(hist[k])) for name, (k, pick) in wanted.items() if hist.get(k)}
