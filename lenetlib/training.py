"""LeNet-5를 컴파일하고 훈련합니다. (4장 ``04_training.ipynb``)

원래 노트북의 설정(Adam 학습률 1e-3, 범주형 교차 엔트로피, 배치 128, 20 에포크,
검증 10%, ``val_accuracy`` 기준 조기 종료, ``val_loss`` 기준 학습률 감소)을 그대로
:class:`TrainConfig`의 기본값으로 둡니다. 모든 값은 필드 하나를 바꿔 실험할 수 있습니다.

진행 표시(``progress``)는 세 가지입니다.

- ``"bar"``: Keras 진행 막대 (터미널이나 Jupyter에서 보기 좋음)
- ``"epoch"``: 에포크마다 한국어 한 줄 (로그 파일, 실행된 노트북에 알맞음)
- ``"none"``: 아무것도 출력하지 않음

``"auto"``는 터미널(TTY)이나 Jupyter 커널이면 ``"bar"``, 아니면 ``"epoch"``이며,
환경 변수 ``LENETLIB_PROGRESS``(bar/epoch/none)가 있으면 그 값을 따릅니다.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from enum import Enum
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np

from lenetlib import config as _config
from lenetlib.data import NUM_CLASSES
from lenetlib.preprocessing import train_val_split

if TYPE_CHECKING:  # pragma: no cover - 타입 검사 전용
    import keras

__all__ = [
    "LEARNING_RATE_KEY",
    "MAX_PARALLEL_SPLITS",
    "PROGRESS_ENV",
    "SPEED_FIELDS",
    "THREADS_ENV",
    "History",
    "Progress",
    "TrainConfig",
    "best_metrics",
    "compile_model",
    "configure_threads",
    "fit_inputs",
    "make_callbacks",
    "normalize_history",
    "parallel_splits",
    "resolve_progress",
    "set_seed",
    "split_validation",
    "train",
]

#: 진행 표시 방식을 바꾸는 환경 변수
PROGRESS_ENV = "LENETLIB_PROGRESS"

#: 학습률 기록의 표준 이름 (예전 Keras는 ``lr``로 기록)
LEARNING_RATE_KEY = "learning_rate"

#: 결과(정확도)에 영향을 주지 않는 속도 설정. 저장된 설정과 비교할 때 제외합니다.
SPEED_FIELDS: tuple[str, ...] = (
    "jit_compile",
    "steps_per_execution",
    "validation_batch_size",
    "parallel_splits",
)

#: TensorFlow 스레드 설정 방식을 고르는 환경 변수 (``auto`` 또는 ``tf``)
THREADS_ENV = "LENETLIB_THREADS"

#: 배치를 나눠 동시에 계산할 조각 수의 상한 (조각이 작아지면 합성곱이 비효율적)
MAX_PARALLEL_SPLITS = 4


class Progress(Enum):
    """훈련 진행 표시 방식. (4장 ``04_training.ipynb``)"""

    AUTO = "auto"
    BAR = "bar"
    EPOCH = "epoch"
    NONE = "none"


# ---------------------------------------------------------------------------
# 설정
# ---------------------------------------------------------------------------


def _check_int(name: str, value: Any, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(
            f"TrainConfig.{name}은(는) {minimum} 이상의 정수여야 합니다. 받은 값: {value!r}. "
            f"예: TrainConfig({name}={max(minimum, 1)})"
        )


def _check_float(
    name: str,
    value: Any,
    *,
    low: float,
    high: float,
    low_open: bool,
    high_open: bool,
    hint: str,
) -> None:
    ok = (
        not isinstance(value, bool)
        and isinstance(value, (int, float, np.integer, np.floating))
        and math.isfinite(float(value))
    )
    if ok:
        v = float(value)
        ok = (v > low if low_open else v >= low) and (v < high if high_open else v <= high)
    if not ok:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        raise ValueError(
            f"TrainConfig.{name}은(는) {left}{low}, {high}{right} 범위의 실수여야 합니다. "
            f"받은 값: {value!r}. {hint}"
        )


@dataclass(frozen=True)
class TrainConfig:
    """훈련 설정. 기본값은 원래 노트북과 같습니다. (4장 ``04_training.ipynb``)

    Parameters
    ----------
    epochs : int, default 20
        최대 에포크 수.
    batch_size : int, default 128
        미니배치 크기.
    validation_split : float, default 0.1
        훈련 데이터 끝에서 떼어 낼 검증 비율 (Keras ``validation_split``과 같은 의미).
        ``train(..., validation_data=...)``로 검증 데이터를 직접 주면 쓰이지 않습니다.
    learning_rate : float, default 1e-3
        Adam의 처음 학습률.
    early_stopping_patience : int, default 5
        ``val_accuracy``가 이 에포크 수만큼 나아지지 않으면 멈추고 최고 가중치를 복원합니다.
    reduce_lr_factor : float, default 0.5
        ``val_loss``가 정체될 때 학습률에 곱할 값 (0과 1 사이).
    reduce_lr_patience : int, default 3
        학습률을 줄이기 전에 기다릴 에포크 수.
    min_lr : float, default 1e-7
        학습률의 하한.
    seed : int, default 42
        난수 시드 (가중치 초기화 전, 훈련 직전에 고정).
    shuffle : bool, default True
        에포크마다 훈련 데이터를 섞을지 여부 (Keras 기본값과 같음).
    jit_compile : bool or "auto", default False
        XLA 컴파일 사용 여부 (속도 설정). 이 2코어 CPU에서는 XLA가 oneDNN보다 2.5~4배
        느려서 끕니다 (``make bench``, ``bench/FINDINGS.md``).
    steps_per_execution : int, default 32
        한 번의 호출에서 실행할 배치 수 (속도 설정, 계산 결과는 같음). 배치마다 생기는
        파이썬 호출 비용을 줄여 CPU 훈련이 약 1.4배 빨라집니다.
    validation_batch_size : int, default 1024
        검증 데이터를 예측할 때의 배치 크기 (속도 설정, 결과에는 영향 없음).
    parallel_splits : int or None, default None
        배치를 몇 조각으로 나눠 CPU 코어마다 한 조각씩 동시에 계산할지 (속도 설정).
        ``None``이면 :func:`parallel_splits`가 정합니다 (:func:`configure_threads` 뒤
        2코어 CPU에서 2, GPU나 TensorFlow 기본 스레드 설정에서는 1). 기울기는 배치 전체의
        평균 그대로이고 더하는 순서만 달라 소수점 끝자리 정도만 다릅니다.
    """

    epochs: int = 20
    batch_size: int = 128
    validation_split: float = 0.1
    learning_rate: float = 1e-3
    early_stopping_patience: int = 5
    reduce_lr_factor: float = 0.5
    reduce_lr_patience: int = 3
    min_lr: float = 1e-7
    seed: int = 42
    shuffle: bool = True
    jit_compile: bool | str = False
    steps_per_execution: int = 32
    validation_batch_size: int = 1024
    parallel_splits: int | None = None

    def __post_init__(self) -> None:
        _check_int("epochs", self.epochs, 1)
        _check_int("batch_size", self.batch_size, 1)
        _check_float(
            "validation_split",
            self.validation_split,
            low=0.0,
            high=1.0,
            low_open=False,
            high_open=True,
            hint="검증 비율은 보통 0.1입니다. 0이면 validation_data를 직접 넘기세요.",
        )
        _check_float(
            "learning_rate",
            self.learning_rate,
            low=0.0,
            high=10.0,
            low_open=True,
            high_open=False,
            hint="Adam에는 보통 1e-3을 씁니다.",
        )
        _check_int("early_stopping_patience", self.early_stopping_patience, 0)
        _check_float(
            "reduce_lr_factor",
            self.reduce_lr_factor,
            low=0.0,
            high=1.0,
            low_open=True,
            high_open=True,
            hint="학습률을 절반으로 줄이려면 0.5를 쓰세요.",
        )
        _check_int("reduce_lr_patience", self.reduce_lr_patience, 0)
        _check_float(
            "min_lr",
            self.min_lr,
            low=0.0,
            high=float(self.learning_rate),
            low_open=False,
            high_open=False,
            hint="min_lr은 learning_rate보다 작아야 합니다. 보통 1e-7을 씁니다.",
        )
        _check_int("seed", self.seed, 0)
        if not isinstance(self.shuffle, bool):
            raise ValueError(
                f"TrainConfig.shuffle은 True 또는 False여야 합니다. 받은 값: {self.shuffle!r}."
            )
        if not (isinstance(self.jit_compile, bool) or self.jit_compile == "auto"):
            raise ValueError(
                "TrainConfig.jit_compile은 True, False, 'auto' 중 하나여야 합니다. "
                f"받은 값: {self.jit_compile!r}."
            )
        _check_int("steps_per_execution", self.steps_per_execution, 1)
        _check_int("validation_batch_size", self.validation_batch_size, 1)
        if self.parallel_splits is not None:
            _check_int("parallel_splits", self.parallel_splits, 1)

    def to_dict(self) -> dict[str, Any]:
        """JSON으로 저장할 수 있는 사전으로 바꿉니다. (4장 ``04_training.ipynb``)

        Returns
        -------
        dict
            필드 이름 → 값.
        """
        return asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> TrainConfig:
        """사전에서 설정을 만듭니다. 모르는 키는 무시합니다. (4장 ``04_training.ipynb``)

        Parameters
        ----------
        values : Mapping
            :meth:`to_dict`로 저장했던 사전.

        Returns
        -------
        TrainConfig
            검증된 설정.
        """
        if not isinstance(values, Mapping):
            raise ValueError(
                f"설정은 사전(dict)이어야 합니다. 받은 형식: {type(values).__name__}. "
                "TrainConfig.to_dict()의 결과를 넘기세요."
            )
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})

    def differences(self, other: TrainConfig, *, ignore: Sequence[str] = SPEED_FIELDS) -> dict:
        """두 설정에서 값이 다른 필드를 돌려줍니다. (4장 ``04_training.ipynb``)

        Parameters
        ----------
        other : TrainConfig
            비교할 설정.
        ignore : sequence of str, default SPEED_FIELDS
            비교하지 않을 필드 (기본: 결과에 영향이 없는 속도 설정).

        Returns
        -------
        dict
            필드 이름 → ``(self의 값, other의 값)``. 같으면 빈 사전.
        """
        out: dict[str, tuple[Any, Any]] = {}
        for f in fields(self):
            if f.name in ignore:
                continue
            a, b = getattr(self, f.name), getattr(other, f.name)
            if a != b:
                out[f.name] = (a, b)
        return out


def set_seed(seed: int) -> None:
    """Python, NumPy, TensorFlow 난수 시드를 고정합니다. (4장 ``04_training.ipynb``)

    ``keras.utils.set_random_seed``를 부릅니다. 같은 시드로 모델을 만들고 훈련하면
    CPU에서는 같은 기록이 나옵니다.

    Parameters
    ----------
    seed : int
        0 이상의 정수.
    """
    _config.set_seed(seed)


# ---------------------------------------------------------------------------
# 진행 표시
# ---------------------------------------------------------------------------


def _in_jupyter() -> bool:
    shell_mod = sys.modules.get("IPython")
    if shell_mod is None:
        return False
    try:
        shell = shell_mod.get_ipython()
    except Exception:  # pragma: no cover - IPython 내부 문제
        return False
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _parse_progress(value: Any, source: str) -> Progress:
    if isinstance(value, Progress):
        return value
    try:
        return Progress(str(value).strip().lower())
    except ValueError:
        choices = ", ".join(p.value for p in Progress)
        raise ValueError(
            f"{source} 값이 올바르지 않습니다. 받은 값: {value!r}. {choices} 중 하나를 쓰세요."
        ) from None


def resolve_progress(progress: Progress | str = Progress.AUTO) -> Progress:
    """실제로 쓸 진행 표시 방식을 정합니다. (4장 ``04_training.ipynb``)

    ``"auto"``이면 환경 변수 ``LENETLIB_PROGRESS``를 먼저 보고, 없으면 터미널(TTY)이나
    Jupyter 커널일 때 ``bar``, 그 밖(로그 파일, CI)에는 ``epoch``을 고릅니다.

    Parameters
    ----------
    progress : Progress or str, default "auto"
        ``"auto"``, ``"bar"``, ``"epoch"``, ``"none"``.

    Returns
    -------
    Progress
        ``BAR``, ``EPOCH``, ``NONE`` 중 하나.
    """
    mode = _parse_progress(progress, "progress")
    if mode is not Progress.AUTO:
        return mode
    env = os.environ.get(PROGRESS_ENV, "").strip()
    if env:
        mode = _parse_progress(env, f"환경 변수 {PROGRESS_ENV}")
        if mode is not Progress.AUTO:
            return mode
    stream = sys.stdout
    is_tty = bool(getattr(stream, "isatty", lambda: False)())
    return Progress.BAR if (is_tty or _in_jupyter()) else Progress.EPOCH


def _format_epoch_line(epoch: int, epochs: int, logs: Mapping[str, Any], seconds: float) -> str:
    parts = [f"에포크 {epoch}/{epochs}"]
    labels = (
        ("loss", "손실", "{:.4f}"),
        ("accuracy", "정확도", "{:.4f}"),
        ("val_loss", "검증 손실", "{:.4f}"),
        ("val_accuracy", "검증 정확도", "{:.4f}"),
        (LEARNING_RATE_KEY, "학습률", "{:.1e}"),
    )
    for key, label, fmt in labels:
        if key in logs and logs[key] is not None:
            parts.append(f"{label} {fmt.format(float(logs[key]))}")
    parts.append(f"{seconds:.1f}초")
    return " - ".join(parts)


def _make_epoch_logger(stream: TextIO | None = None) -> keras.callbacks.Callback:
    from lenetlib._backend import keras

    class EpochLogger(keras.callbacks.Callback):
        """에포크마다 한국어 한 줄을 출력하는 콜백. (4장 ``04_training.ipynb``)"""

        def __init__(self) -> None:
            super().__init__()
            self._stream = stream
            self._start = 0.0
            self._last_lr: float | None = None

        def _print(self, text: str) -> None:
            out = self._stream if self._stream is not None else sys.stdout
            print(text, file=out, flush=True)

        def on_train_begin(self, logs: dict | None = None) -> None:
            self._last_lr = None

        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            logs = logs or {}
            seconds = time.perf_counter() - self._start
            epochs = int(self.params.get("epochs", epoch + 1)) if self.params else epoch + 1
            self._print(_format_epoch_line(epoch + 1, epochs, logs, seconds))

    return EpochLogger()


def _make_notice_logger(stream: TextIO | None = None) -> keras.callbacks.Callback:
    """학습률 감소와 조기 종료를 한국어로 알리는 콜백을 만듭니다."""
    from lenetlib._backend import keras

    class NoticeLogger(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self._stream = stream
            self._epochs_seen = 0

        def _print(self, text: str) -> None:
            out = self._stream if self._stream is not None else sys.stdout
            print(text, file=out, flush=True)

        def on_train_begin(self, logs: dict | None = None) -> None:
            self._epochs_seen = 0

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            self._epochs_seen = epoch + 1
            logs = logs or {}
            used = logs.get(LEARNING_RATE_KEY)
            now = _current_learning_rate(self.model)
            epochs = int(self.params.get("epochs", 0)) if self.params else 0
            if self._epochs_seen >= epochs or self.model.stop_training:
                return  # 훈련이 여기서 끝나므로 줄인 학습률은 쓰이지 않습니다
            if used is not None and now is not None and now < float(used) * (1 - 1e-6):
                self._print(
                    f"  ↳ 검증 손실이 정체되어 학습률을 {float(used):.1e} → {now:.1e}로 줄였습니다."
                )

        def on_train_end(self, logs: dict | None = None) -> None:
            epochs = int(self.params.get("epochs", 0)) if self.params else 0
            if self.model.stop_training and self._epochs_seen < epochs:
                self._print(
                    f"조기 종료: 에포크 {self._epochs_seen}에서 멈췄습니다 "
                    f"(최대 {epochs} 에포크). 검증 정확도가 가장 높았던 가중치를 복원했습니다."
                )

    return NoticeLogger()


# ---------------------------------------------------------------------------
# 컴파일과 콜백
# ---------------------------------------------------------------------------


def _current_learning_rate(model: Any) -> float | None:
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return None
    lr = getattr(optimizer, "learning_rate", None)
    if lr is None:
        lr = getattr(optimizer, "lr", None)
    if lr is None:
        return None
    try:
        return float(np.asarray(lr))
    except Exception:  # pragma: no cover - 스케줄 객체 등
        try:
            from lenetlib._backend import keras

            return float(keras.ops.convert_to_numpy(lr))
        except Exception:
            return None


def _make_lr_recorder() -> keras.callbacks.Callback:
    from lenetlib._backend import keras

    class LearningRateRecorder(keras.callbacks.Callback):
        """그 에포크에 쓴 학습률을 ``logs["learning_rate"]``에 기록합니다."""

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            if logs is None:
                return
            lr = _current_learning_rate(self.model)
            if lr is not None:
                logs[LEARNING_RATE_KEY] = lr
            logs.pop("lr", None)

    return LearningRateRecorder()


def compile_model(
    model: keras.Model,
    config: TrainConfig | None = None,
    *,
    one_hot: bool = True,
) -> keras.Model:
    """Adam과 교차 엔트로피로 모델을 컴파일합니다. (4장 ``04_training.ipynb``)

    Parameters
    ----------
    model : keras.Model
        컴파일할 모델 (예: ``build_lenet5()``).
    config : TrainConfig, optional
        학습률, ``jit_compile``, ``steps_per_execution``을 가져옵니다. 기본 ``TrainConfig()``.
    one_hot : bool, default True
        레이블이 원-핫 (N, 10)이면 ``categorical_crossentropy``, 정수 (N,)이면
        ``sparse_categorical_crossentropy``.

    Returns
    -------
    keras.Model
        같은 모델 (컴파일됨).
    """
    from lenetlib._backend import keras

    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise ValueError(
            f"config는 TrainConfig여야 합니다. 받은 형식: {type(config).__name__}. "
            "TrainConfig()를 넘기세요."
        )
    loss = "categorical_crossentropy" if one_hot else "sparse_categorical_crossentropy"
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=float(config.learning_rate)),
        loss=loss,
        metrics=["accuracy"],
        jit_compile=config.jit_compile,
        steps_per_execution=int(config.steps_per_execution),
    )
    return model


def make_callbacks(
    config: TrainConfig | None = None,
    *,
    progress: Progress | str = Progress.NONE,
    stream: TextIO | None = None,
) -> list[keras.callbacks.Callback]:
    """조기 종료, 학습률 감소, 학습률 기록, 진행 표시 콜백을 만듭니다. (4장 ``04_training.ipynb``)

    순서: 학습률 기록 → ``EarlyStopping`` → ``ReduceLROnPlateau`` → 한국어 알림/진행 표시.
    학습률 기록이 맨 앞이라 ``history["learning_rate"]``는 그 에포크에 실제로 쓴 값입니다.

    Parameters
    ----------
    config : TrainConfig, optional
        patience, factor, min_lr 값. 기본 ``TrainConfig()``.
    progress : Progress or str, default "none"
        ``"epoch"``이면 에포크당 한 줄 콜백, ``"bar"``이면 한국어 알림만 더합니다
        (막대는 ``fit(verbose=1)``이 그립니다). ``"auto"``는 :func:`resolve_progress`로 정합니다.
    stream : file-like, optional
        출력할 곳 (기본 ``sys.stdout``).

    Returns
    -------
    list of keras.callbacks.Callback
        ``model.fit(callbacks=...)``에 넘길 목록.
    """
    from lenetlib._backend import keras

    config = TrainConfig() if config is None else config
    mode = resolve_progress(progress)
    callbacks: list[keras.callbacks.Callback] = [
        _make_lr_recorder(),
        keras.callbacks.EarlyStopping(
            monitor="val_accuracy",
            patience=int(config.early_stopping_patience),
            restore_best_weights=True,
            verbose=0,
        ),
        keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss",
            factor=float(config.reduce_lr_factor),
            patience=int(config.reduce_lr_patience),
            min_lr=float(config.min_lr),
            verbose=0,
        ),
    ]
    if mode is Progress.EPOCH:
        callbacks.append(_make_epoch_logger(stream))
    if mode in (Progress.EPOCH, Progress.BAR):
        callbacks.append(_make_notice_logger(stream))
    return callbacks


# ---------------------------------------------------------------------------
# 훈련
# ---------------------------------------------------------------------------


@dataclass
class History:
    """훈련 기록. (4장 ``04_training.ipynb``)

    Attributes
    ----------
    history : dict[str, list[float]]
        ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``, ``learning_rate`` 등 에포크별 값.
        학습률은 Keras 버전과 관계없이 항상 ``learning_rate`` 키에 있습니다.
    epochs_run : int
        실제로 돈 에포크 수 (조기 종료 시 ``epochs``보다 작음).
    best_epoch : int
        검증 정확도가 가장 높았던 에포크 (1부터 셈). 복원된 가중치가 이 에포크의 것입니다.
    seconds : float
        훈련에 걸린 시간(초).
    stopped_early : bool
        조기 종료로 멈췄는지 여부.
    """

    history: dict[str, list[float]]
    epochs_run: int
    best_epoch: int
    seconds: float
    stopped_early: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON으로 저장할 사전. (4장 ``04_training.ipynb``)

        Returns
        -------
        dict
            ``history``, ``epochs_run``, ``best_epoch``, ``seconds``, ``stopped_early``, ``extra``.
        """
        return {
            "history": {k: [float(v) for v in vals] for k, vals in self.history.items()},
            "epochs_run": int(self.epochs_run),
            "best_epoch": int(self.best_epoch),
            "seconds": float(self.seconds),
            "stopped_early": bool(self.stopped_early),
            "extra": dict(self.extra),
        }

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> History:
        """:meth:`to_dict`로 저장한 사전에서 기록을 되살립니다. (4장 ``04_training.ipynb``)

        Parameters
        ----------
        values : Mapping
            저장된 사전. 옛 Keras의 ``lr`` 키도 ``learning_rate``로 바꿉니다.

        Returns
        -------
        History
            되살린 기록.
        """
        if not isinstance(values, Mapping) or not isinstance(values.get("history"), Mapping):
            raise ValueError(
                "훈련 기록 사전에 'history' 항목이 없습니다. "
                "받은 키: "
                f"{sorted(values) if isinstance(values, Mapping) else type(values).__name__}. "
                "History.to_dict()로 저장한 값을 넘기세요."
            )
        hist = normalize_history(values["history"])
        epochs_run = int(values.get("epochs_run", len(hist.get("loss", []))))
        return cls(
            history=hist,
            epochs_run=epochs_run,
            best_epoch=int(values.get("best_epoch", _best_epoch_from(hist))),
            seconds=float(values.get("seconds", 0.0)),
            stopped_early=bool(values.get("stopped_early", False)),
            extra=dict(values.get("extra", {})),
        )


def normalize_history(history: Mapping[str, Sequence[Any]]) -> dict[str, list[float]]:
    """Keras 기록을 정리합니다 (``lr`` → ``learning_rate``). (4장 ``04_training.ipynb``)

    Parameters
    ----------
    history : Mapping[str, sequence]
        ``keras.callbacks.History.history`` 같은 사전.

    Returns
    -------
    dict[str, list[float]]
        새 사전. 학습률 키는 항상 ``learning_rate``(있을 때).
    """
    out: dict[str, list[float]] = {}
    for key, values in history.items():
        name = LEARNING_RATE_KEY if key == "lr" else str(key)
        if name == LEARNING_RATE_KEY and key == "lr" and LEARNING_RATE_KEY in history:
            continue
        out[name] = [float(np.asarray(v)) for v in values]
    return out


def _best_epoch_from(history: Mapping[str, Sequence[float]]) -> int:
    values = history.get("val_accuracy") or history.get("accuracy") or []
    if len(values) == 0:
        return 0
    return int(np.argmax(np.asarray(values, dtype=float))) + 1


def _labels_check(y: np.ndarray, name: str) -> np.ndarray:
    if y.ndim == 2:
        if y.shape[1] != NUM_CLASSES:
            raise ValueError(
                f"{name}가 원-핫이라면 (N, {NUM_CLASSES}) 모양이어야 합니다. 받은 모양: {y.shape}. "
                "encode_labels(y)로 원-핫 인코딩하세요."
            )
        return y.astype("float32", copy=False)
    if y.ndim == 1:
        if not np.issubdtype(y.dtype, np.integer):
            raise ValueError(
                f"{name}가 1차원이라면 정수 레이블이어야 합니다. 받은 dtype: {y.dtype}. "
                "y.astype('int64')로 바꾸거나 원-핫 (N, 10)으로 넘기세요."
            )
        if y.size and (y.min() < 0 or y.max() >= NUM_CLASSES):
            raise ValueError(
                f"{name}는 0~{NUM_CLASSES - 1} 사이의 정수여야 합니다. "
                f"받은 범위: {y.min()} ~ {y.max()}. 원본 MNIST 레이블을 쓰세요."
            )
        return y
    raise ValueError(
        f"{name}는 (N,) 정수 레이블이나 (N, {NUM_CLASSES}) 원-핫이어야 합니다. "
        f"받은 모양: {y.shape}. encode_labels(y)를 쓰세요."
    )


def _check_xy(model: Any, x: Any, y: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim != 4:
        raise ValueError(
            f"{name} 이미지는 (N, 32, 32, 1) 모양이어야 합니다. 받은 모양: {x.shape}. "
            "preprocess_images(x)로 정규화·패딩·채널 추가를 하세요."
        )
    expected = getattr(model, "input_shape", None)
    if isinstance(expected, tuple) and len(expected) == 4:
        want = tuple(expected[1:])
        if any(w is not None and w != g for w, g in zip(want, x.shape[1:], strict=True)):
            raise ValueError(
                f"{name} 이미지 모양이 모델 입력과 다릅니다. 모델 입력: (N, "
                f"{', '.join(map(str, want))}), "
                f"받은 모양: {x.shape}. preprocess_images(x)를 쓰세요."
            )
    y = _labels_check(y, f"{name} 레이블")
    if len(x) != len(y):
        raise ValueError(
            f"{name} 이미지와 레이블의 개수가 다릅니다. 받은 개수: 이미지 {len(x)}, 레이블 "
            f"{len(y)}. "
            "같은 데이터의 x와 y를 넘기세요."
        )
    if len(x) == 0:
        raise ValueError(
            f"{name} 데이터가 비어 있습니다. 받은 모양: {x.shape}. 데이터를 확인하세요."
        )
    if x.dtype != np.float32:
        x = x.astype("float32")
    return x, y


def split_validation(
    x: np.ndarray, y: np.ndarray, validation_split: float
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Keras ``validation_split``처럼 끝부분을 검증용으로 떼어 냅니다. (4장 ``04_training.ipynb``)

    섞지 않고 ``floor(N × (1 − validation_split))`` 위치에서 자릅니다. 한 번만 잘라
    ``validation_data``로 넘기면 Keras가 에포크마다 다시 자르지 않아도 됩니다.

    Parameters
    ----------
    x, y : np.ndarray
        같은 길이의 배열.
    validation_split : float
        0보다 크고 1보다 작은 비율.

    Returns
    -------
    ((x_train, y_train), (x_val, y_val))
        원본 배열의 뷰(view).
    """
    return train_val_split(x, y, val_fraction=validation_split)


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # macOS, Windows
        return os.cpu_count() or 1


def _cpu_only_tensorflow() -> bool:
    """TensorFlow 백엔드이고 GPU가 보이지 않는지 (배치를 코어마다 나눌 수 있는 환경)."""
    from lenetlib._backend import keras

    if keras.backend.backend() != "tensorflow":
        return False
    import tensorflow as tf

    return not tf.config.list_physical_devices("GPU")


def configure_threads(mode: str | None = None) -> int:
    """코어마다 배치 조각 하나를 맡기도록 TensorFlow 스레드를 정합니다. (4장 ``04_training.ipynb``)

    TensorFlow 기본값은 합성곱 같은 연산 하나를 모든 코어가 나눠 계산합니다. LeNet-5의 합성곱은
    너무 작아서 코어들이 서로 기다리는 시간이 깁니다. 그래서 연산마다 코어 하나만 쓰게 하고
    (intra-op 스레드 1개), :func:`train`이 배치를 코어 수만큼 나눠 조각들을 동시에 계산합니다.
    2코어 CPU에서 훈련 단계가 약 1.2배 빨라집니다 (``bench/FINDINGS.md`` 7절).

    TensorFlow가 첫 연산을 실행하기 전에만 바꿀 수 있으므로, 각 장의 준비 블록
    (:func:`lenetlib.config.setup`)이 맨 먼저 부릅니다. 이미 시작된 뒤라면 설정을 그대로 두고
    경고만 냅니다 (훈련 결과는 같고 조금 느릴 뿐입니다).

    Parameters
    ----------
    mode : {"auto", "tf"}, optional
        ``"auto"``: GPU가 없고 코어가 2개 이상이면 연산당 스레드를 1개로 둡니다.
        ``"tf"``: TensorFlow 기본값을 그대로 둡니다 (배치도 나누지 않음).
        ``None``이면 환경 변수 ``LENETLIB_THREADS``, 그것도 없으면 ``"auto"``.

    Returns
    -------
    int
        :func:`train`이 쓸 조각 수 (:func:`parallel_splits`와 같음). 1이면 나누지 않습니다.

    Raises
    ------
    ValueError
        ``mode``가 ``"auto"``나 ``"tf"``가 아닐 때.
    """
    import warnings

    chosen = os.environ.get(THREADS_ENV, "auto") if mode is None else mode
    if chosen not in ("auto", "tf"):
        source = f"환경 변수 {THREADS_ENV}" if mode is None else "mode"
        raise ValueError(
            f"{source}는 'auto' 또는 'tf'여야 합니다. 받은 값: {chosen!r}. "
            "보통은 'auto'(코어마다 배치 조각 하나), TensorFlow 기본값을 쓰려면 'tf'."
        )
    if chosen == "tf" or not _cpu_only_tensorflow() or _usable_cores() < 2:
        return parallel_splits()
    import tensorflow as tf

    if tf.config.threading.get_intra_op_parallelism_threads() != 1:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(1)
        except RuntimeError:
            warnings.warn(
                "TensorFlow가 이미 계산을 시작해서 스레드 설정을 바꾸지 못했습니다. "
                "훈련 결과는 같고 속도만 조금 느립니다. 빠르게 하려면 커널을 다시 시작하고 "
                "다른 계산보다 먼저 lenetlib.config.setup()을 실행하세요.",
                stacklevel=2,
            )
    return parallel_splits()


def parallel_splits() -> int:
    """지금 설정에서 :func:`train`이 배치를 나눌 조각 수. (4장 ``04_training.ipynb``)

    TensorFlow 백엔드이고, GPU가 없고, 연산당 스레드가 1개로 설정되어 있으면
    ``min(코어 수, MAX_PARALLEL_SPLITS)``, 아니면 1입니다 (:func:`configure_threads` 참고).

    Returns
    -------
    int
        1 이상의 조각 수.
    """
    if not _cpu_only_tensorflow():
        return 1
    import tensorflow as tf

    if tf.config.threading.get_intra_op_parallelism_threads() != 1:
        return 1
    return min(_usable_cores(), MAX_PARALLEL_SPLITS)


def _smallest_batch(n: int, batch_size: int) -> int:
    return n % batch_size or batch_size if n >= batch_size else n


def _split_count(config: TrainConfig, n_train: int, n_val: int) -> int:
    """``config.parallel_splits``(없으면 자동)를 배치 크기에 맞춰 줄입니다 (빈 조각 방지)."""
    wanted = parallel_splits() if config.parallel_splits is None else int(config.parallel_splits)
    smallest = min(
        _smallest_batch(n_train, int(config.batch_size)),
        _smallest_batch(n_val, int(config.validation_batch_size)),
    )
    return max(1, min(wanted, smallest))


def _parallel_model(model: keras.Model, splits: int) -> keras.Model:
    """배치를 ``splits`` 조각으로 나눠 같은 모델에 통과시키고 이어 붙이는 훈련용 껍데기.

    가중치는 ``model``의 것을 그대로 씁니다 (복사하지 않음). 조각들은 서로 의존하지 않으므로
    TensorFlow가 코어마다 하나씩 동시에 계산합니다. 손실은 이어 붙인 예측으로 배치 전체에서
    계산하므로 기울기는 나누지 않을 때와 같은 평균입니다.
    """
    import tensorflow as tf

    from lenetlib._backend import keras

    class ParallelSplits(keras.Model):
        def __init__(self, inner: keras.Model, parts: int) -> None:
            super().__init__(name=f"{inner.name}_x{parts}")
            self.inner = inner
            self.parts = parts

        def call(self, inputs: Any, training: bool | None = None) -> Any:
            size = tf.shape(inputs)[0]
            piece = size // self.parts
            last = size - piece * (self.parts - 1)  # 나머지는 마지막 조각에
            sizes = tf.concat([tf.fill([self.parts - 1], piece), [last]], axis=0)
            pieces = tf.split(inputs, sizes, num=self.parts)
            return tf.concat([self.inner(p, training=training) for p in pieces], axis=0)

    wrapper = ParallelSplits(model, splits)
    wrapper.compile(
        optimizer=model.optimizer,  # 같은 옵티마이저: 학습률 감소가 원래 모델에도 보입니다
        loss=model.loss,
        metrics=["accuracy"],
        jit_compile=model.jit_compile,
        steps_per_execution=int(model.steps_per_execution),
    )
    return wrapper


def fit_inputs(x: np.ndarray, y: np.ndarray, config: TrainConfig | None = None) -> dict[str, Any]:
    """``model.fit``에 넘길 훈련 입력 인자 (섞기, 배치 포함). (4장 ``04_training.ipynb``)

    TensorFlow 백엔드에서는 ``tf.data``를 쓰되 자동 조정(autotune)을 끄고 전용 스레드를
    1개로 제한합니다. Keras가 NumPy 배열로 만드는 기본 파이프라인은 2코어 CPU에서 계산
    스레드와 다투어 어떤 에포크는 2배 가까이 느려졌습니다(2.8초 → 5초, ``bench/FINDINGS.md``).
    다른 백엔드에서는 NumPy 배열을 그대로 넘기고 ``fit``이 섞습니다.

    Parameters
    ----------
    x, y : np.ndarray
        전처리된 훈련 이미지와 레이블.
    config : TrainConfig, optional
        ``batch_size``, ``shuffle``, ``seed``를 씁니다. 기본 ``TrainConfig()``.

    Returns
    -------
    dict
        ``model.fit(**fit_inputs(x, y, config), epochs=...)``처럼 쓰는 인자.
    """
    from lenetlib._backend import keras

    config = TrainConfig() if config is None else config
    if keras.backend.backend() != "tensorflow":
        return {"x": x, "y": y, "batch_size": config.batch_size, "shuffle": config.shuffle}
    import tensorflow as tf

    # 이미지 자체가 아니라 번호(인덱스)를 섞고, 배치마다 tf.gather로 꺼냅니다
    # (이미지 54,000장을 셔플 버퍼에 하나씩 복사하는 것보다 가볍습니다).
    images, labels = tf.constant(x), tf.constant(y)
    indices = tf.data.Dataset.range(len(x))
    if config.shuffle:
        indices = indices.shuffle(len(x), seed=config.seed, reshuffle_each_iteration=True)
    options = tf.data.Options()
    options.autotune.enabled = False
    options.threading.private_threadpool_size = 1
    batches = (
        indices.batch(config.batch_size)
        .map(lambda idx: (tf.gather(images, idx), tf.gather(labels, idx)))
        .prefetch(2)
        .with_options(options)
    )
    return {"x": batches, "shuffle": False}  # 이미 섞었으므로 fit이 다시 섞지 않게


def train(
    model: keras.Model,
    x: np.ndarray,
    y: np.ndarray,
    config: TrainConfig | None = None,
    *,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    progress: Progress | str = Progress.AUTO,
    recompile: bool = True,
    stream: TextIO | None = None,
    callbacks: Sequence[keras.callbacks.Callback] = (),
) -> History:
    """모델을 컴파일하고 원래 노트북의 콜백으로 훈련합니다. (4장 ``04_training.ipynb``)

    ``config.seed``로 시드를 고정하고, 검증 데이터를 한 번만 잘라(Keras ``validation_split``과
    같은 끝 10%) ``validation_data``로 넘깁니다. 같은 시드로 만든 모델과 같은 데이터라면
    CPU에서 기록이 똑같이 나옵니다 (모델을 만들기 전에 ``set_seed(config.seed)``를 부르세요).

    Parameters
    ----------
    model : keras.Model
        훈련할 모델 (예: ``build_lenet5()``).
    x : np.ndarray
        (N, 32, 32, 1) float32 훈련 이미지.
    y : np.ndarray
        (N, 10) 원-핫 또는 (N,) 정수 레이블.
    config : TrainConfig, optional
        훈련 설정. 기본 ``TrainConfig()`` (원래 노트북과 같음).
    validation_data : (x_val, y_val), optional
        검증 데이터를 직접 줄 때. 주면 ``config.validation_split``은 쓰지 않습니다.
    progress : Progress or str, default "auto"
        ``"bar"``, ``"epoch"``, ``"none"``, ``"auto"`` (:func:`resolve_progress` 참고).
    recompile : bool, default True
        ``True``이면 ``config``로 다시 컴파일합니다 (옵티마이저 상태 초기화).
    stream : file-like, optional
        ``"epoch"`` 진행 줄을 쓸 곳 (기본 ``sys.stdout``).
    callbacks : sequence of keras.callbacks.Callback, optional
        원래 노트북의 콜백 뒤에 더할 Keras 콜백 (예: 시간 재기, 기록 남기기). 배치를 나눠
        훈련할 때 콜백의 ``self.model``은 나눠 계산하는 껍데기이며 가중치는 원래 모델과 같습니다.

    Returns
    -------
    History
        에포크별 기록 (``learning_rate`` 포함), 실제 에포크 수, 최고 에포크, 걸린 시간.
    """
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise ValueError(
            f"config는 TrainConfig여야 합니다. 받은 형식: {type(config).__name__}. "
            "TrainConfig()를 넘기세요."
        )
    mode = resolve_progress(progress)
    from lenetlib._backend import keras

    callbacks = list(callbacks)
    wrong = [type(cb).__name__ for cb in callbacks if not isinstance(cb, keras.callbacks.Callback)]
    if wrong:
        raise ValueError(
            f"callbacks에는 Keras 콜백만 넣을 수 있습니다. 받은 형식: {wrong}. "
            "예: callbacks=[keras.callbacks.CSVLogger('log.csv')]"
        )
    x, y = _check_xy(model, x, y, "훈련")
    if validation_data is None:
        if config.validation_split <= 0:
            raise ValueError(
                "검증 데이터가 없습니다. 받은 값: validation_split=0, validation_data=None. "
                "조기 종료와 학습률 감소는 검증 지표를 보므로 validation_split > 0으로 두거나 "
                "validation_data=(x_val, y_val)을 넘기세요."
            )
        (x_tr, y_tr), (x_val, y_val) = split_validation(x, y, config.validation_split)
    else:
        if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            raise ValueError(
                "validation_data는 (x_val, y_val) 두 개짜리 튜플이어야 합니다. "
                f"받은 형식: {type(validation_data).__name__}. 예: validation_data=(x_val, y_val)"
            )
        x_tr, y_tr = x, y
        x_val, y_val = _check_xy(model, validation_data[0], validation_data[1], "검증")
    if y_val.ndim != y_tr.ndim:
        raise ValueError(
            "훈련 레이블과 검증 레이블의 형식이 다릅니다. "
            f"받은 모양: 훈련 {y_tr.shape}, 검증 {y_val.shape}. "
            "둘 다 원-핫이거나 둘 다 정수로 맞추세요."
        )

    set_seed(config.seed)
    if recompile or getattr(model, "optimizer", None) is None:
        compile_model(model, config, one_hot=(y_tr.ndim == 2))
    all_callbacks = [*make_callbacks(config, progress=mode, stream=stream), *callbacks]
    early = next(cb for cb in all_callbacks if type(cb).__name__ == "EarlyStopping")
    splits = _split_count(config, len(x_tr), len(x_val))
    runner = model if splits == 1 else _parallel_model(model, splits)

    start = time.perf_counter()
    keras_history = runner.fit(
        **fit_inputs(x_tr, y_tr, config),
        epochs=int(config.epochs),
        validation_data=(x_val, y_val),
        validation_batch_size=int(config.validation_batch_size),
        callbacks=all_callbacks,
        verbose=1 if mode is Progress.BAR else 0,
    )
    seconds = time.perf_counter() - start

    hist = normalize_history(keras_history.history)
    epochs_run = len(hist.get("loss", []))
    best_epoch = int(getattr(early, "best_epoch", 0)) + 1 if early.best is not None else 0
    if best_epoch == 0:
        best_epoch = _best_epoch_from(hist)
    stopped_early = bool(getattr(early, "stopped_epoch", 0) > 0)
    return History(
        history=hist,
        epochs_run=epochs_run,
        best_epoch=best_epoch,
        seconds=seconds,
        stopped_early=stopped_early,
        extra={"n_train": len(x_tr), "n_val": len(x_val), "parallel_splits": splits},
    )


def best_metrics(history: History | Mapping[str, Sequence[float]]) -> dict[str, float]:
    """최고 훈련/검증 정확도와 최소 훈련/검증 손실을 돌려줍니다. (4장 ``04_training.ipynb``)

    Parameters
    ----------
    history : History or Mapping
        :func:`train`의 결과나 그 ``.history`` 사전.

    Returns
    -------
    dict
        ``train_accuracy``(최대), ``val_accuracy``(최대), ``train_loss``(최소),
        ``val_loss``(최소). 기록에 없는 항목은 빠집니다.
    """
    hist = history.history if isinstance(history, History) else history
    if not isinstance(hist, Mapping):
        raise ValueError(
            f"history는 History나 사전이어야 합니다. 받은 형식: {type(hist).__name__}. "
            "train(...)의 결과를 넘기세요."
        )
    out: dict[str, float] = {}
    for key, name, fn in (
        ("accuracy", "train_accuracy", max),
        ("val_accuracy", "val_accuracy", max),
        ("loss", "train_loss", min),
        ("val_loss", "val_loss", min),
    ):
        values = hist.get(key)
        if values is not None and len(values) > 0:
            out[name] = float(fn(values))
    if not out:
        raise ValueError(
            f"기록에 accuracy/loss 항목이 없습니다. 받은 키: {sorted(hist)}. "
            "train(...)의 결과를 넘기세요."
        )
    return out
