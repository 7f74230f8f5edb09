"""4장 훈련을 빠르게 하는 모든 설정. (부록 A ``A1_speed.ipynb``)

저절로 켜지는 것은 없습니다: ``speed.enable()`` 한 줄로 켭니다. 배우는 계산은 Keras 기본과 같고
빨라집니다: 같은 가중치에서 같은 배치 순서로 훈련하면 끝난 가중치가 부동소수점 오차 안에서 같습니다
(``tests/test_speed.py``). 배치 통계를 쓰는 층(배치 정규화)이 있는 모델은 배치를 나누지 않습니다.
다른 것은 훈련 데이터를 섞는 순서뿐이라, 결과가 시드를 바꾼 만큼 다를 수 있습니다.
(oneDNN 기본값은 여기가 아니라 ``import lenetlib``이 정합니다: ``lenetlib/_internal/cpu.py``.)"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np

from lenetlib._internal.backend import keras, tf
from lenetlib._internal.checks import check_int, check_model, check_seed
from lenetlib._internal.cpu import ONEDNN_ENV, cpu_info, cpu_kind, usable_cores

__all__ = [
    "STEPS_PER_EXECUTION",
    "VALIDATION_BATCH_SIZE",
    "SpeedWarning",
    "batch_statistics_layers",
    "cpu_summary",
    "current_splits",
    "disable",
    "enable",
    "is_enabled",
    "splits_for",
    "training_model",
]

#: 한 번의 호출에서 실행할 배치 수 (배치마다 드는 파이썬 호출 비용을 줄임, 약 1.4배)
STEPS_PER_EXECUTION = 32
#: 검증 데이터를 예측할 때의 배치 크기 (결과에는 영향 없음)
VALIDATION_BATCH_SIZE = 1024
#: 배치를 나눌 조각 수의 상한 (조각이 작아지면 합성곱이 비효율적)
MAX_SPLITS = 4

_state: dict[str, int | None] = {"splits": None}  # None이면 꺼짐
_TOO_LATE = (
    "TensorFlow가 이미 계산을 시작해서 스레드 설정을 바꾸지 못했습니다 (배치를 나누지 않습니다). "
    "훈련 결과는 같고 조금 느릴 뿐입니다. 빠르게 하려면 커널을 다시 시작하고 config.setup() 바로 "
    "뒤, 모델을 만들기 전에 speed.enable()을 부르세요."
)


class SpeedWarning(UserWarning):
    """속도 설정을 다 적용하지 못했다는 경고 (결과는 같고 조금 느릴 뿐). (부록 A, 4장)"""


def cpu_summary() -> dict[str, Any]:
    """이 컴퓨터의 CPU와 oneDNN 상태: 모델, 종류(AVX2 / AVX-512), 코어 수, oneDNN. (부록 A, 4장)

    ``onednn``은 환경 변수 ``TF_ENABLE_ONEDNN_OPTS``의 값(``import lenetlib``이 x86에서 ``"1"``),
    ``onednn_active``는 불러온 TensorFlow가 실제로 oneDNN 커널을 쓰는지(알 수 없으면 ``None``)."""
    try:
        from tensorflow.python.util import _pywrap_util_port  # TensorFlow가 스스로 알려 주는 값

        active: bool | None = bool(_pywrap_util_port.IsMklEnabled())
    except (ImportError, AttributeError):
        active = None
    info = cpu_info()
    return {"model": info["model"], "kind": cpu_kind(info), "cores": info["cores"],
            "onednn": os.environ.get(ONEDNN_ENV), "onednn_active": active}  # fmt: skip


def enable(splits: int | None = None) -> int:
    """속도 설정을 켜고 배치를 나눌 조각 수를 돌려줍니다. (부록 A, 4장)

    CPU의 TensorFlow에서는 연산 하나에 스레드 하나만 쓰게 하고(intra-op 1), 배치를 코어
    수만큼(``splits``, 기본 ``min(코어 수, 4)``) 나눠 조각들을 코어마다 동시에 계산합니다.
    TensorFlow가 계산을 시작하기 전(``config.setup`` 바로 뒤, 모델을 만들기 전)에 불러야 합니다.
    """
    splits = None if splits is None else check_int(splits, "splits", minimum=1, example=2)
    chosen = 1
    if keras.backend.backend() == "tensorflow" and not tf.config.list_physical_devices("GPU"):
        try:
            tf.config.threading.set_intra_op_parallelism_threads(1)
            tf.config.threading.set_inter_op_parallelism_threads(usable_cores())
            chosen = splits or min(usable_cores(), MAX_SPLITS)
        except RuntimeError:
            warnings.warn(SpeedWarning(_TOO_LATE), stacklevel=2)
    _state["splits"] = chosen
    return chosen


def disable() -> None:
    """속도 설정을 끕니다 (``training_model``이 모델을 그대로 돌려줌). (부록 A, 4장)

    스레드 설정은 TensorFlow가 시작된 뒤에는 되돌릴 수 없어 그대로 남습니다 (결과와는 무관)."""
    _state["splits"] = None


def is_enabled() -> bool:
    """``enable()``로 속도 설정을 켰는지 알려 줍니다. (부록 A, 4장)"""
    return current_splits() is not None


def current_splits() -> int | None:
    """켜져 있으면 배치를 나누는 조각 수, 꺼져 있으면 ``None`` (저장 묶음에 기록). (부록 A, 4장)"""
    return _state["splits"]


def batch_statistics_layers(model: keras.Model) -> list[str]:
    """훈련 중 출력이 배치 전체의 통계에 달린 층(배치 정규화)의 이름들. (부록 A, 7장)

    이런 층은 배치를 나누면 조각마다 평균·분산을 따로 구해 배우는 계산이 달라집니다."""
    found, stack = [], list(getattr(model, "layers", []))
    while stack:
        layer = stack.pop(0)
        if isinstance(layer, keras.layers.BatchNormalization):
            found.append(layer.name)
        stack.extend(getattr(layer, "layers", []))  # 모델 안의 모델(왜곡 블록 등)까지
    return found


def splits_for(model: keras.Model) -> int | None:
    """``training_model(model)``이 배치를 나눌 조각 수. (부록 A, 7장)

    꺼져 있으면 ``None``, 배치 정규화가 있으면 1, 아니면 :func:`current_splits`."""
    splits = current_splits()
    check_model(model)
    return None if splits is None else 1 if batch_statistics_layers(model) else splits


def training_model(model: keras.Model, seed: int | None = None) -> keras.Model:
    """훈련에 쓸 모델: 꺼져 있으면 ``model`` 그대로, 켜져 있으면 빠른 껍데기. (부록 A, 4장)

    껍데기는 ``model``의 변수를 함께 쓰므로 훈련이 끝난 ``model``을 바로 평가할 수 있습니다.
    ``seed``는 훈련 데이터를 섞는 순서의 시드 (``None``이면 NumPy 난수 상태에서 하나 뽑음)."""
    splits = splits_for(model)
    seed = None if seed is None else check_seed(seed)
    return model if splits is None else _SplitBatchModel(model, splits, seed)


def _pipeline(
    x: np.ndarray, y: np.ndarray, batch_size: int, shuffle: bool, seed: int | None
) -> Any:
    """섞은 번호로 배치마다 ``tf.gather``하는 입력: 전용 스레드 1개 (Keras 기본 입력은 계산
    스레드와 다퉈 에포크가 2배까지 느려짐). 순서는 ``seed``를 따르고 에포크마다 다시 섞음."""
    images, labels = tf.constant(x), tf.constant(y)
    indices = tf.data.Dataset.range(len(x))
    if shuffle:
        seed = int(np.random.randint(0, 2**31 - 1)) if seed is None else seed
        indices = indices.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    options = tf.data.Options()
    options.autotune.enabled = False
    options.threading.private_threadpool_size = 1
    batches = indices.batch(batch_size).map(lambda i: (tf.gather(images, i), tf.gather(labels, i)))
    return batches.prefetch(2).with_options(options)


class _SplitBatchModel(keras.Model):
    """배치를 조각으로 나눠 같은 모델에 통과시키고 이어 붙이는 훈련용 껍데기. 조각들은 서로
    기다리지 않아 코어마다 하나씩 동시에 계산되고, 손실은 배치 전체의 평균 그대로입니다."""

    def __init__(self, model: keras.Model, splits: int, seed: int | None = None) -> None:
        super().__init__(name=f"{model.name}_speed")
        self.inner, self.splits, self.parts, self.seed = model, splits, splits, seed

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        if self.parts == 1:
            return self.inner(inputs, training=training)
        size = tf.shape(inputs)[0]
        sizes = tf.stack([(size + i) // self.parts for i in range(self.parts)])
        pieces = tf.split(inputs, sizes, num=self.parts)
        return tf.concat([self.inner(p, training=training) for p in pieces], axis=0)

    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, **kwargs: Any) -> None:
        spe = kwargs.pop("steps_per_execution", STEPS_PER_EXECUTION)
        self.inner.compile(optimizer=optimizer, loss=loss, **kwargs)  # model.evaluate가 바로 되게
        optimizer = self.inner.optimizer  # 같은 옵티마이저: 학습률 감소가 model에도 보임
        super().compile(optimizer=optimizer, loss=loss, steps_per_execution=spe, **kwargs)

    def _use_parts(self, smallest_batch: int) -> None:  # 빈 조각은 TensorFlow를 멈추게 함
        parts = max(1, min(self.splits, smallest_batch))
        if parts != self.parts:  # 그래프를 새 조각 수로 다시 만듦
            self.parts, self.train_function, self.test_function = parts, None, None

    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, **kwargs: Any):
        if not (isinstance(x, np.ndarray) and isinstance(y, np.ndarray)):
            self._use_parts(1)
            return super().fit(x, y, batch_size=batch_size, **kwargs)
        batch_size = batch_size or 32
        cut = int(len(x) * (1 - kwargs.pop("validation_split", 0.0)))  # Keras처럼 끝부분을 검증용
        if cut < len(x):
            x, y, kwargs["validation_data"] = x[:cut], y[:cut], (x[cut:], y[cut:])
        sizes = [len(x) % batch_size or batch_size]
        val = kwargs.get("validation_data")
        if isinstance(val, tuple | list) and len(val) == 2 and isinstance(val[0], np.ndarray):
            val_batch = kwargs.pop("validation_batch_size", None) or VALIDATION_BATCH_SIZE
            kwargs["validation_data"] = _pipeline(*val, val_batch, shuffle=False, seed=None)
            sizes.append(len(val[0]) % val_batch or val_batch)
        elif val is not None:  # 배치 크기를 모르는 검증 입력: 나누지 않음
            sizes.append(1)
        self._use_parts(min(sizes))
        data = _pipeline(x, y, batch_size, kwargs.pop("shuffle", True), self.seed)
        return super().fit(data, shuffle=False, **kwargs)
