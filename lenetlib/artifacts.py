"""훈련 산출물(모델, 기록, 설정, 지표)을 저장하고 불러옵니다. (4장 ``04_training.ipynb``)

5장과 6장도 이 모듈로 4장의 결과를 불러옵니다.

한 폴더(기본 ``artifacts/``, 환경 변수 ``LENETLIB_ARTIFACTS``로 변경)에 다음 파일을 둡니다.

- ``lenet5.keras``: 훈련된 모델 (4장이 만듦)
- ``history.json``: 에포크별 훈련 기록 (4장이 만듦)
- ``config.json``: 훈련 설정과 데이터 정보 (4장이 만듦)
- ``metrics.json``: 테스트 지표 (5장 ``05_evaluation.ipynb``이 만듦)

모든 쓰기는 같은 폴더의 임시 파일에 쓰고 ``fsync`` 후 ``os.replace``로 바꿔치기하므로,
저장 도중 멈춰도 이전의 온전한 파일은 그대로 남습니다.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from lenetlib._io import atomic_path
from lenetlib.config import default_artifacts_dir
from lenetlib.training import SPEED_FIELDS, History, Progress, TrainConfig, set_seed, train

if TYPE_CHECKING:  # pragma: no cover - 타입 검사 전용
    import keras

__all__ = [
    "CONFIG_FILE",
    "HISTORY_FILE",
    "METRICS_FILE",
    "MODEL_FILE",
    "ArtifactError",
    "RunOutcome",
    "RunStatus",
    "artifacts_dir",
    "atomic_write_bytes",
    "atomic_write_json",
    "data_fingerprint",
    "get_or_train",
    "load_config",
    "load_history",
    "load_metrics",
    "load_model",
    "load_run_info",
    "save_metrics",
    "save_model",
    "save_run",
]

MODEL_FILE = "lenet5.keras"
HISTORY_FILE = "history.json"
CONFIG_FILE = "config.json"
METRICS_FILE = "metrics.json"

TRAINING_CHAPTER = "4장 `04_training.ipynb`"
EVALUATION_CHAPTER = "5장 `05_evaluation.ipynb`"

_FORMAT_VERSION = 1


class ArtifactError(RuntimeError):
    """산출물이 없거나 손상되었을 때의 오류. (4장 ``04_training.ipynb``)

    메시지는 어느 장을 (다시) 실행할지 알려 줍니다.

    Attributes
    ----------
    path : Path
        문제가 된 파일.
    chapter : str
        이 파일을 만드는 장 (예: ``"4장 `04_training.ipynb`"``).
    """

    def __init__(self, message: str, *, path: Path, chapter: str) -> None:
        super().__init__(message)
        self.path = Path(path)
        self.chapter = chapter


def artifacts_dir(directory: str | os.PathLike[str] | None = None) -> Path:
    """산출물 폴더 경로를 정합니다. (4장 ``04_training.ipynb``)

    Parameters
    ----------
    directory : str or Path, optional
        주면 그 경로, 없으면 ``lenetlib.config.default_artifacts_dir()``
        (환경 변수 ``LENETLIB_ARTIFACTS`` → 저장소의 ``artifacts/``).

    Returns
    -------
    Path
        폴더 경로 (아직 없을 수도 있음).
    """
    if directory is None:
        return default_artifacts_dir()
    if not isinstance(directory, (str, os.PathLike)):
        raise ValueError(
            f"산출물 폴더는 문자열이나 Path여야 합니다. 받은 형식: {type(directory).__name__}. "
            "예: save_run('artifacts', ...)"
        )
    return Path(directory).expanduser()


# ---------------------------------------------------------------------------
# 원자적 쓰기
# ---------------------------------------------------------------------------


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """바이트를 원자적으로 씁니다 (임시 파일 → fsync → ``os.replace``). (4장 ``04_training.ipynb``)

    Parameters
    ----------
    path : str or Path
        최종 파일 경로.
    data : bytes
        쓸 내용.

    Returns
    -------
    Path
        쓴 파일 경로.
    """
    target = Path(path)
    with atomic_path(target) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return target


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, Enum):
        return obj.value
    if hasattr(obj, "to_dict") and callable(obj.to_dict):
        return obj.to_dict()
    raise TypeError(
        f"JSON으로 저장할 수 없는 값입니다: {type(obj).__name__}. "
        "숫자, 문자열, 목록, 사전으로 바꿔 넘기세요."
    )


def atomic_write_json(path: str | os.PathLike[str], obj: Any) -> Path:
    """객체를 JSON(UTF-8, 한글 그대로)으로 원자적으로 씁니다. (4장 ``04_training.ipynb``)

    Parameters
    ----------
    path : str or Path
        최종 파일 경로.
    obj : Any
        JSON으로 바꿀 수 있는 값 (NumPy 값도 됨).

    Returns
    -------
    Path
        쓴 파일 경로.
    """
    try:
        text = json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True, default=_json_default)
    except TypeError as exc:
        raise ValueError(str(exc)) from exc
    return atomic_write_bytes(path, (text + "\n").encode("utf-8"))


def _read_json(path: Path, *, what: str, chapter: str) -> Any:
    if not path.is_file():
        raise ArtifactError(
            f"{what} 파일이 없습니다: {path}. {chapter}을 먼저 실행하세요.",
            path=path,
            chapter=chapter,
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactError(
            f"{what} 파일이 손상되어 읽을 수 없습니다: {path} ({type(exc).__name__}: {exc}). "
            f"파일을 지우고 {chapter}을 다시 실행하세요.",
            path=path,
            chapter=chapter,
        ) from exc


def _corrupt(path: Path, what: str, chapter: str, detail: str) -> ArtifactError:
    return ArtifactError(
        f"{what} 파일의 내용이 올바르지 않습니다: {path} ({detail}). "
        f"파일을 지우고 {chapter}을 다시 실행하세요.",
        path=path,
        chapter=chapter,
    )


# ---------------------------------------------------------------------------
# 데이터·모델 정보
# ---------------------------------------------------------------------------


def _labels_digest(y: Any) -> str:
    y = np.asarray(y)
    labels = y.argmax(axis=1) if y.ndim == 2 else y
    return hashlib.sha256(np.ascontiguousarray(labels, dtype=np.int64).tobytes()).hexdigest()[:16]


def data_fingerprint(data: Any) -> dict[str, Any]:
    """저장된 모델이 같은 데이터로 훈련됐는지 비교하기 위한 요약. (4장 ``04_training.ipynb``)

    Parameters
    ----------
    data : PreparedData
        ``x_train``, ``y_train``, ``x_val``, ``y_val`` 속성이 있는 객체.

    Returns
    -------
    dict
        훈련/검증 개수, 이미지 모양, 레이블 형식, 레이블 SHA-256 앞 16자리.
    """
    for name in ("x_train", "y_train", "x_val", "y_val"):
        if not hasattr(data, name):
            raise ValueError(
                f"data에 {name} 속성이 없습니다. 받은 형식: {type(data).__name__}. "
                "prepare_mnist(...)의 결과(PreparedData)를 넘기세요."
            )
    y_train = np.asarray(data.y_train)
    return {
        "n_train": len(data.x_train),
        "n_val": len(data.x_val),
        "image_shape": list(np.shape(data.x_train)[1:]),
        "one_hot": bool(y_train.ndim == 2),
        "train_labels": _labels_digest(y_train),
        "val_labels": _labels_digest(data.y_val),
    }


def _model_info(model: Any) -> dict[str, Any]:
    return {"name": str(getattr(model, "name", "")), "params": int(model.count_params())}


def _versions() -> dict[str, str]:
    import tensorflow as tf

    from lenetlib import __version__
    from lenetlib._backend import keras

    return {"lenetlib": __version__, "keras": keras.__version__, "tensorflow": tf.__version__}


# ---------------------------------------------------------------------------
# 저장
# ---------------------------------------------------------------------------


def save_model(directory: str | os.PathLike[str] | None, model: keras.Model) -> Path:
    """모델을 ``lenet5.keras``로 원자적으로 저장합니다. (4장 ``04_training.ipynb``)

    Parameters
    ----------
    directory : str or Path or None
        산출물 폴더 (``None``이면 기본 폴더).
    model : keras.Model
        저장할 모델.

    Returns
    -------
    Path
        저장된 파일 경로.
    """
    target = artifacts_dir(directory) / MODEL_FILE
    with atomic_path(target) as tmp:
        model.save(tmp, overwrite=True)
        if not zipfile.is_zipfile(tmp):
            raise ArtifactError(
                f"모델을 저장했지만 결과 파일이 올바른 .keras(zip) 형식이 아닙니다: {tmp}. "
                "디스크 공간을 확인하고 다시 저장하세요.",
                path=target,
                chapter=TRAINING_CHAPTER,
            )
    return target


def save_run(
    directory: str | os.PathLike[str] | None,
    model: keras.Model,
    history: History,
    *,
    config: TrainConfig,
    metrics: Mapping[str, Any] | None = None,
    data: Any | None = None,
) -> Path:
    """모델, 기록, 설정(그리고 지표)을 한 폴더에 원자적으로 저장합니다. (4장 ``04_training.ipynb``)

    Parameters
    ----------
    directory : str or Path or None
        산출물 폴더 (``None``이면 기본 폴더).
    model : keras.Model
        훈련된 모델.
    history : History
        :func:`lenetlib.training.train`의 결과.
    config : TrainConfig
        훈련에 쓴 설정.
    metrics : Mapping, optional
        함께 저장할 지표 (보통 5장에서 :func:`save_metrics`로 따로 저장).
    data : PreparedData, optional
        주면 데이터 요약(:func:`data_fingerprint`)을 설정과 함께 저장합니다.

    Returns
    -------
    Path
        산출물 폴더.
    """
    if not isinstance(config, TrainConfig):
        raise ValueError(
            f"config는 TrainConfig여야 합니다. 받은 형식: {type(config).__name__}. "
            "훈련에 쓴 TrainConfig를 넘기세요."
        )
    if not isinstance(history, History):
        raise ValueError(
            f"history는 lenetlib.training.History여야 합니다. 받은 형식: {type(history).__name__}. "
            "train(...)의 결과를 넘기세요."
        )
    folder = artifacts_dir(directory)
    folder.mkdir(parents=True, exist_ok=True)
    run_id = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.urandom(4).hex()}"
    save_model(folder, model)
    atomic_write_json(folder / HISTORY_FILE, {"run_id": run_id, **history.to_dict()})
    info = {
        "format": _FORMAT_VERSION,
        "run_id": run_id,
        "saved_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "train_config": config.to_dict(),
        "model": _model_info(model),
        "data": data_fingerprint(data) if data is not None else None,
        "versions": _versions(),
    }
    # 설정은 마지막에 씁니다: config.json의 run_id가 바뀌어야 새 실행이 완성된 것입니다.
    atomic_write_json(folder / CONFIG_FILE, info)
    if metrics is not None:
        save_metrics(folder, metrics)
    return folder


def _stored_run_id(folder: Path) -> str | None:
    """``config.json``의 run_id (없거나 읽을 수 없으면 ``None``)."""
    try:
        raw = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return raw.get("run_id") if isinstance(raw, dict) else None


def save_metrics(directory: str | os.PathLike[str] | None, metrics: Mapping[str, Any]) -> Path:
    """테스트 지표를 ``metrics.json``에 병합해 원자적으로 저장합니다. (5장 ``05_evaluation.ipynb``)

    같은 키는 새 값으로 바뀌고, 현재 ``config.json``의 ``run_id``가 함께 기록되어
    어느 모델의 지표인지 알 수 있습니다. 기존 파일이 손상되었으면 새로 씁니다.

    Parameters
    ----------
    directory : str or Path or None
        산출물 폴더.
    metrics : Mapping
        예: ``{"test_accuracy": 0.99, "test_loss": 0.03}`` (NumPy 값도 됨).

    Returns
    -------
    Path
        ``metrics.json`` 경로.
    """
    if not isinstance(metrics, Mapping):
        raise ValueError(
            f"metrics는 사전이어야 합니다. 받은 형식: {type(metrics).__name__}. "
            "예: save_metrics(dir, {'test_accuracy': 0.99})"
        )
    folder = artifacts_dir(directory)
    path = folder / METRICS_FILE
    merged: dict[str, Any] = {}
    if path.is_file():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(old, dict):
                merged.update(old)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            merged = {}
    merged.update({str(k): v for k, v in metrics.items()})
    run_id = _stored_run_id(folder)
    if run_id is not None:
        merged["run_id"] = run_id
    return atomic_write_json(path, merged)


# ---------------------------------------------------------------------------
# 불러오기
# ---------------------------------------------------------------------------


def _register_custom_layers() -> None:
    """``lenetlib.model``의 사용자 정의 층(고전 LeNet-5)을 등록해 둡니다."""
    with contextlib.suppress(ImportError):
        import lenetlib.model  # noqa: F401


def load_model(directory: str | os.PathLike[str] | None = None) -> keras.Model:
    """``lenet5.keras``를 불러옵니다. (4장 ``04_training.ipynb``, 5·6장에서 사용)

    Parameters
    ----------
    directory : str or Path, optional
        산출물 폴더 (기본 폴더).

    Returns
    -------
    keras.Model
        컴파일된 모델.

    Raises
    ------
    ArtifactError
        파일이 없거나 손상되었을 때 (4장을 실행하라는 한국어 메시지).
    """
    from lenetlib._backend import keras

    path = artifacts_dir(directory) / MODEL_FILE
    if not path.is_file():
        raise ArtifactError(
            f"모델 파일이 없습니다: {path}. {TRAINING_CHAPTER}을 먼저 실행하세요.",
            path=path,
            chapter=TRAINING_CHAPTER,
        )
    _register_custom_layers()
    try:
        if not zipfile.is_zipfile(path):
            raise ValueError("zip(.keras) 형식이 아닙니다")
        return keras.models.load_model(path)
    except Exception as exc:
        raise ArtifactError(
            f"모델 파일이 손상되어 불러올 수 없습니다: {path} ({type(exc).__name__}: {exc}). "
            f"파일을 지우고 {TRAINING_CHAPTER}을 다시 실행하세요.",
            path=path,
            chapter=TRAINING_CHAPTER,
        ) from exc


def load_history(directory: str | os.PathLike[str] | None = None) -> History:
    """``history.json``을 ``History``로 불러옵니다. (4장 ``04_training.ipynb``)

    Parameters
    ----------
    directory : str or Path, optional
        산출물 폴더 (기본 폴더).

    Returns
    -------
    History
        훈련 기록 (``learning_rate`` 키 포함).

    Raises
    ------
    ArtifactError
        파일이 없거나 손상되었을 때.
    """
    path = artifacts_dir(directory) / HISTORY_FILE
    raw = _read_json(path, what="훈련 기록", chapter=TRAINING_CHAPTER)
    try:
        history = History.from_dict(raw)
    except (ValueError, TypeError) as exc:
        raise _corrupt(path, "훈련 기록", TRAINING_CHAPTER, str(exc)) from exc
    lengths = {len(v) for v in history.history.values()}
    if "loss" not in history.history or len(lengths) != 1:
        raise _corrupt(
            path, "훈련 기록", TRAINING_CHAPTER, f"항목 길이가 서로 다르거나 loss가 없음: {lengths}"
        )
    history.extra["run_id"] = raw.get("run_id")
    return history


def load_run_info(directory: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """``config.json`` 전체를 사전으로 불러옵니다. (4장 ``04_training.ipynb``)

    Parameters
    ----------
    directory : str or Path, optional
        산출물 폴더 (기본 폴더).

    Returns
    -------
    dict
        ``train_config``, ``model``, ``data``, ``versions``, ``run_id``, ``saved_at`` 키.
    """
    path = artifacts_dir(directory) / CONFIG_FILE
    raw = _read_json(path, what="훈련 설정", chapter=TRAINING_CHAPTER)
    if not isinstance(raw, dict) or not isinstance(raw.get("train_config"), dict):
        raise _corrupt(path, "훈련 설정", TRAINING_CHAPTER, "train_config 항목이 없음")
    return raw


def load_config(directory: str | os.PathLike[str] | None = None) -> TrainConfig:
    """저장된 훈련 설정을 ``TrainConfig``로 불러옵니다. (4장 ``04_training.ipynb``)

    Parameters
    ----------
    directory : str or Path, optional
        산출물 폴더 (기본 폴더).

    Returns
    -------
    TrainConfig
        훈련에 쓴 설정.
    """
    path = artifacts_dir(directory) / CONFIG_FILE
    raw = load_run_info(directory)
    try:
        return TrainConfig.from_dict(raw["train_config"])
    except (ValueError, TypeError) as exc:
        raise _corrupt(path, "훈련 설정", TRAINING_CHAPTER, str(exc)) from exc


def load_metrics(
    directory: str | os.PathLike[str] | None = None, *, check_run: bool = True
) -> dict[str, Any]:
    """``metrics.json``(테스트 지표)을 불러옵니다. (5장 ``05_evaluation.ipynb``)

    5장이 만들고 6장이 읽습니다.

    Parameters
    ----------
    directory : str or Path, optional
        산출물 폴더 (기본 폴더).
    check_run : bool, default True
        지표의 ``run_id``가 지금 저장된 모델(``config.json``)과 다르면 오류를 냅니다.

    Returns
    -------
    dict
        저장된 지표.

    Raises
    ------
    ArtifactError
        파일이 없거나 손상되었거나 다른 모델의 지표일 때 (5장을 실행하라는 한국어 메시지).
    """
    folder = artifacts_dir(directory)
    path = folder / METRICS_FILE
    raw = _read_json(path, what="테스트 지표", chapter=EVALUATION_CHAPTER)
    if not isinstance(raw, dict):
        raise _corrupt(path, "테스트 지표", EVALUATION_CHAPTER, "사전(dict)이 아님")
    if check_run and raw.get("run_id") is not None:
        current = _stored_run_id(folder)
        if current is not None and current != raw["run_id"]:
            raise ArtifactError(
                f"테스트 지표가 지금 저장된 모델의 것이 아닙니다: {path} "
                f"(지표의 run_id {raw['run_id']}, 모델의 run_id {current}). "
                f"모델을 다시 훈련했다면 {EVALUATION_CHAPTER}을 다시 실행하세요.",
                path=path,
                chapter=EVALUATION_CHAPTER,
            )
    return raw


# ---------------------------------------------------------------------------
# 있으면 불러오고, 없으면 훈련
# ---------------------------------------------------------------------------


class RunStatus(Enum):
    """:func:`get_or_train`이 한 일. (4장 ``04_training.ipynb``)"""

    LOADED = "loaded"  #: 저장된 산출물을 불러옴
    MISSING = "missing"  #: 산출물이 없어 새로 훈련
    CORRUPT = "corrupt"  #: 산출물이 손상되어 새로 훈련
    CONFIG_CHANGED = "config_changed"  #: 설정·데이터·모델이 달라 새로 훈련
    FORCED = "forced"  #: ``force=True``라 새로 훈련


@dataclass(frozen=True)
class RunOutcome:
    """:func:`get_or_train`의 결과. (4장 ``04_training.ipynb``)

    ``model, history, trained_now = outcome``처럼 세 값으로 풀 수 있습니다.

    Attributes
    ----------
    model : keras.Model
        불러오거나 훈련한 모델.
    history : History
        훈련 기록.
    trained_now : bool
        이번에 훈련했으면 ``True``.
    status : RunStatus
        무엇을 했는지.
    reason : str
        그 이유를 설명하는 한국어 문장 (노트북에서 출력용).
    directory : Path
        산출물 폴더.
    """

    model: Any
    history: History
    trained_now: bool
    status: RunStatus
    reason: str
    directory: Path

    def __iter__(self) -> Iterator[Any]:
        return iter((self.model, self.history, self.trained_now))


def _format_differences(diffs: Mapping[str, tuple[Any, Any]]) -> str:
    return ", ".join(
        f"{k}: 저장={a!r} → 요청={b!r}" for k, a, b in ((k, *v) for k, v in diffs.items())
    )


def _compare_stored(
    info: Mapping[str, Any], config: TrainConfig, data: Any, fresh_model: Any
) -> dict[str, tuple[Any, Any]]:
    diffs: dict[str, tuple[Any, Any]] = {}
    stored_cfg = info.get("train_config", {})
    want_cfg = config.to_dict()
    for key, value in want_cfg.items():
        if key in SPEED_FIELDS:
            continue
        if stored_cfg.get(key) != value:
            diffs[key] = (stored_cfg.get(key), value)
    stored_data = info.get("data") or {}
    want_data = data_fingerprint(data)
    for key, value in want_data.items():
        if stored_data.get(key) != value:
            diffs[f"data.{key}"] = (stored_data.get(key), value)
    stored_model = info.get("model") or {}
    for key, value in _model_info(fresh_model).items():
        if stored_model.get(key) != value:
            diffs[f"model.{key}"] = (stored_model.get(key), value)
    return diffs


def get_or_train(
    directory: str | os.PathLike[str] | None,
    data: Any,
    config: TrainConfig | None = None,
    *,
    model_builder: Callable[[], keras.Model] | None = None,
    progress: Progress | str = Progress.AUTO,
    force: bool = False,
) -> RunOutcome:
    """저장된 모델이 맞으면 불러오고, 아니면 훈련해 저장합니다. (4장 ``04_training.ipynb``)

    5·6장은 이 함수 덕분에 혼자서도 실행됩니다. 불러오기만 할 때는 아무것도 출력하지 않고,
    훈련할 때만 ``progress``에 따라 진행 상황을 보여 줍니다. 무엇을 했는지는
    ``outcome.reason``(한국어 문장)에 있으니 노트북에서 출력하세요.

    Parameters
    ----------
    directory : str or Path or None
        산출물 폴더 (``None``이면 기본 폴더).
    data : PreparedData
        ``prepare_mnist(...)``의 결과 (``x_train``, ``y_train``, ``x_val``, ``y_val``).
    config : TrainConfig, optional
        원하는 훈련 설정 (기본 ``TrainConfig()``). 속도 설정(``jit_compile``,
        ``steps_per_execution``)은 비교하지 않습니다.
    model_builder : callable, optional
        인자 없이 새 모델을 만드는 함수 (기본 ``lenetlib.model.build_lenet5``).
    progress : Progress or str, default "auto"
        훈련할 때의 진행 표시.
    force : bool, default False
        ``True``이면 저장된 것이 있어도 새로 훈련합니다.

    Returns
    -------
    RunOutcome
        ``model, history, trained_now = outcome``로 풀 수 있고, ``status``와 ``reason``이 있습니다.
    """
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise ValueError(
            f"config는 TrainConfig여야 합니다. 받은 형식: {type(config).__name__}. "
            "TrainConfig()를 넘기세요."
        )
    if model_builder is None:
        from lenetlib.model import build_lenet5

        model_builder = build_lenet5
    if not callable(model_builder):
        raise ValueError(
            f"model_builder는 인자 없이 모델을 만드는 함수여야 합니다. 받은 값: {model_builder!r}. "
            "예: model_builder=build_lenet5"
        )
    folder = artifacts_dir(directory)
    data_fingerprint(data)  # 형식 검사

    set_seed(config.seed)
    fresh = model_builder()

    status: RunStatus
    reason: str
    if force:
        status, reason = (
            RunStatus.FORCED,
            "force=True이므로 저장된 모델을 쓰지 않고 새로 훈련했습니다.",
        )
    elif not (folder / MODEL_FILE).is_file() or not (folder / CONFIG_FILE).is_file():
        status = RunStatus.MISSING
        reason = f"{folder}에 저장된 모델이 없어 새로 훈련하고 저장했습니다."
    else:
        try:
            info = load_run_info(folder)
            history = load_history(folder)
            diffs = _compare_stored(info, config, data, fresh)
            if history.extra.get("run_id") != info.get("run_id"):
                diffs["run_id"] = (history.extra.get("run_id"), info.get("run_id"))
            if diffs:
                status = RunStatus.CONFIG_CHANGED
                reason = (
                    "저장된 모델의 설정이 요청과 달라 새로 훈련했습니다 "
                    f"({_format_differences(diffs)})."
                )
            else:
                model = load_model(folder)
                return RunOutcome(
                    model=model,
                    history=history,
                    trained_now=False,
                    status=RunStatus.LOADED,
                    reason=(
                        f"{folder}에 저장된 모델을 불러왔습니다 (훈련 {history.epochs_run} 에포크)."
                    ),
                    directory=folder,
                )
        except ArtifactError as exc:
            status = RunStatus.CORRUPT
            reason = f"저장된 산출물을 읽을 수 없어 새로 훈련했습니다: {exc}"

    history = train(
        fresh,
        data.x_train,
        data.y_train,
        config,
        validation_data=(data.x_val, data.y_val),
        progress=progress,
    )
    save_run(folder, fresh, history, config=config, data=data)
    return RunOutcome(
        model=fresh,
        history=history,
        trained_now=True,
        status=status,
        reason=reason,
        directory=folder,
    )
