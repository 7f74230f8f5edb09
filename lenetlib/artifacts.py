"""훈련 산출물(모델·기록·설정·지표)을 한 묶음으로 저장하고 불러옵니다. (4장, 5·6장이 읽음)

마지막에 쓰는 ``config.json``이 다른 파일의 SHA-256을 담아, 완전하고 맞는 묶음만 불러옵니다."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import itertools
import json
import os
import stat
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lenetlib import __version__, config, speed, training
from lenetlib._internal import atomic
from lenetlib._internal.backend import keras, tf
from lenetlib._internal.checks import check_bool, check_labels, check_model, check_type
from lenetlib._internal.constants import ARTIFACTS_ENV, CHAPTERS
from lenetlib._internal.korean import obj, subj, topic
from lenetlib._internal.paths import default_artifacts_dir
from lenetlib.model import build_lenet5  # model이 layers를 불러와 사용자 정의 층도 등록됨

__all__ = ["CONFIG_FILE", "HISTORY_FILE", "METRICS_FILE", "MODEL_FILE", "ArtifactError",
           "RunOutcome", "artifacts_dir", "check_data", "check_writable", "data_fingerprint",
           "describe_model", "find_run", "get_or_train", "load_config", "load_history",
           "load_metrics", "load_model", "load_run_info", "save_metrics", "save_run"]  # fmt: skip

MODEL_FILE = "lenet5.keras"
HISTORY_FILE = "history.json"
CONFIG_FILE = "config.json"
METRICS_FILE = "metrics.json"
#: 오류 메시지가 다시 실행하라고 안내하는 장: 훈련(4장)과 평가(5장). 7장의 줄은 ``chapter=7``로 부름
TRAINING_CHAPTER, EVALUATION_CHAPTER = 4, 5
#: 세트 이름과 오류 메시지에 쓰는 한국어 이름
_SPLITS = {"train": "훈련", "val": "검증", "test": "테스트"}
#: config.json에 적는 속도 설정 (speed.enable()의 배치 조각 수, 꺼져 있으면 None)
_SPEED_KEY = "speed_splits"
_INFO = dict(run_id=str, saved_at=str, train_config=dict, data=dict, model=dict, files=dict)
Folder = str | os.PathLike[str] | None


class ArtifactError(RuntimeError):
    """산출물이 없거나 손상·불일치할 때의 오류: ``.path``와 다시 실행할 장 ``.chapter``. (4장)"""

    def __init__(
        self, problem: str, path: Path, chapter: int = TRAINING_CHAPTER, todo: str = ""
    ) -> None:
        label = CHAPTERS[chapter]
        super().__init__(f"{problem}: {path}. {obj(label)} {todo or '다시 실행하세요'}.")
        self.path, self.chapter, self.problem = Path(path), label, problem


def _expect(value: Any, kind: type, name: str, example: str) -> None:
    check_type(value, kind, name, kind.__name__, f"예: {example}")


@dataclass(frozen=True)
class RunOutcome:
    """:func:`get_or_train`의 결과. ``model, history, trained_now = outcome``으로 풉니다. (4장)"""

    model: Any
    history: training.History
    trained_now: bool
    reason: str
    directory: Path

    def __iter__(self) -> Iterator[Any]:
        return iter((self.model, self.history, self.trained_now))


def artifacts_dir(directory: Folder = None) -> Path:
    """산출물 폴더: 주면 그 경로, 없으면 ``LENETLIB_ARTIFACTS`` → 저장소의 ``artifacts/``. (4장)"""
    if directory is None:
        return default_artifacts_dir()
    check_type(directory, (str, os.PathLike), "directory", "str·Path", "예: 'artifacts'")
    if not str(os.fspath(directory)).strip():  # Path("")는 조용히 지금 폴더가 됨
        raise ValueError(
            f"빈 문자열은 산출물 폴더(directory)로 쓸 수 없습니다. 받은 값: {directory!r}. 폴더 "
            "경로(예: 'artifacts')를 주세요. 기본 폴더를 쓰려면 None, 지금 폴더를 쓰려면 '.'."
        )
    return Path(directory).expanduser()


def _busy(exc: TimeoutError, folder: Path, chapter: int) -> ArtifactError:
    return ArtifactError(str(exc), folder, chapter, "그 프로세스가 끝난 뒤 다시 실행하세요")


@contextlib.contextmanager
def _writing(folder: Path, chapter: int) -> Iterator[None]:
    try:
        yield
    except TimeoutError as exc:  # 다른 프로세스가 잠금을 오래 쥐고 있음
        raise _busy(exc, folder, chapter) from exc
    except OSError as exc:
        blocked = isinstance(exc, (FileExistsError, NotADirectoryError, IsADirectoryError))
        why = "다른 파일·폴더가 그 자리(또는 상위 경로)를 차지해" if blocked else "권한·공간이 없어"
        todo = f"실행하기 전에 그것을 옮기거나, 쓸 수 있는 폴더를 {ARTIFACTS_ENV}로 지정하세요"
        raise ArtifactError(f"{why} 파일을 쓸 수 없습니다 ({exc})", folder, chapter, todo) from exc


@contextlib.contextmanager
def _reading(folder: Path, chapter: int = TRAINING_CHAPTER) -> Iterator[None]:
    """다른 프로세스가 이 폴더에 저장하는 중이면 끝나기를 (한도까지) 기다렸다가 읽습니다."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(atomic.locked(folder, shared=True))
        except TimeoutError as exc:
            raise _busy(exc, folder, chapter) from exc
        except OSError:  # 없는 폴더 등: 잠그지 않고 읽음 (없는 파일은 읽는 쪽이 한국어로 알림)
            pass
        yield


def check_writable(directory: Folder = None, *, chapter: int = TRAINING_CHAPTER) -> Path:
    """훈련 전에 산출물 폴더를 만들고 쓸 수 있는지 봅니다 (``chapter``: 오류가 안내할 장). (4장)"""
    folder = artifacts_dir(directory)
    with _writing(folder, chapter):
        folder.mkdir(parents=True, exist_ok=True)
        for name in (MODEL_FILE, HISTORY_FILE, CONFIG_FILE, METRICS_FILE):
            if (folder / name).is_dir():
                raise IsADirectoryError(f"파일 자리에 폴더가 있음: {folder / name}")
        (probe := folder / f".write-test.{os.getpid()}.probe.{atomic.MARKER}").write_bytes(b"ok")
        probe.unlink()
    return folder


def data_fingerprint(data: Any) -> dict[str, Any]:
    """같은 데이터인지 비교할 요약: 세트별 개수와 레이블의 SHA-256. (4장)"""
    missing = [f"{a}_{s}" for s in _SPLITS for a in "xy" if not hasattr(data, f"{a}_{s}")]
    if missing:
        raise ValueError(
            f"data에 {', '.join(missing)} 속성이 없습니다. 받은 형식: {type(data).__name__}. "
            "preprocessing.prepare_mnist(...)의 결과(PreparedData)를 넘기세요."
        )
    digest, out = hashlib.sha256(), {f"n_{s}": len(getattr(data, f"x_{s}")) for s in _SPLITS}
    for s in _SPLITS:
        digest.update(check_labels(getattr(data, f"y_{s}"), f"data.y_{s}").tobytes())
    return {**out, "labels": digest.hexdigest()}


def _layer_rows(model: Any, prefix: str = "") -> list[tuple[str, str, str]]:
    """층마다 (경로, 종류, 설정 JSON). 안에 든 모델은 펼치고, 이름이 저절로 붙는 입력층은 뺌."""
    rows: list[tuple[str, str, str]] = []
    for layer in model.layers:
        path, kind = prefix + layer.name, type(layer).__name__
        if hasattr(layer, "layers"):
            rows += [(path, kind, ""), *_layer_rows(layer, f"{path}/")]
        elif kind != "InputLayer":
            config = {k: v for k, v in layer.get_config().items() if k != "name"}
            text = json.dumps(config, sort_keys=True, default=lambda v: type(v).__name__)
            rows.append((path, kind, text))
    return rows


def describe_model(model: Any) -> dict[str, Any]:
    """모델 구조 요약: 이름, 파라미터 수, 층(경로·종류), 층 설정 전체의 SHA-256. (4장, 7장)"""
    rows = _layer_rows(check_model(model))
    return {"name": model.name, "params": int(model.count_params()),
            "layers": [f"{path} ({kind})" for path, kind, _ in rows],
            "architecture": hashlib.sha256(json.dumps(rows).encode()).hexdigest()}  # fmt: skip


def _differences(saved: Mapping[str, Any], other: Mapping[str, Any]) -> str:
    """두 모델 요약의 다른 점 ('항목 앞 → 뒤', 같으면 ''). 예전 기록에 없는 항목은 비교하지 않음."""
    out = [f"{k} {saved[k]!r} → {other[k]!r}" for k in ("name", "params")
           if saved.get(k, other[k]) != other[k]]  # fmt: skip
    if saved.get("architecture", other["architecture"]) != other["architecture"]:
        mine = saved.get("layers") if isinstance(saved.get("layers"), list) else []
        pairs = [p for p in itertools.zip_longest(mine, other["layers"], fillvalue="없음")
                 if p[0] != p[1]]  # fmt: skip
        out.append(f"층 {pairs[0][0]} → {pairs[0][1]}" if pairs else "층 설정(활성화 함수 등)")
    return ", ".join(out)


def save_run(directory: Folder, model: Any, history: training.History, cfg: training.TrainConfig,
             data: Any, *, chapter: int = TRAINING_CHAPTER) -> Path:  # fmt: skip
    """모델·기록·설정을 한 묶음으로 저장합니다 (표지 config.json을 마지막에). (4장, 7장)"""
    check_model(model)
    _expect(history, training.History, "history", "training.train(...)의 결과")
    _expect(cfg, training.TrainConfig, "cfg", "training.TrainConfig()")
    folder = artifacts_dir(directory)
    info = {
        "run_id": f"{time.strftime('%Y%m%d-%H%M%S')}-{os.urandom(4).hex()}",
        "saved_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "train_config": cfg.to_dict(),
        "data": data_fingerprint(data),
        "model": describe_model(model),
        _SPEED_KEY: speed.current_splits(),  # 속도 설정이 다르면 같은 시드라도 결과가 조금 다름
        "versions": dict(lenetlib=__version__, keras=keras.__version__, tensorflow=tf.__version__),
    }
    with _writing(folder, chapter):
        files = {MODEL_FILE: model.save, HISTORY_FILE: history.to_dict()}
        atomic.commit_set(folder, files, CONFIG_FILE, info)
    return folder


def _raw(path: Path, chapter: int) -> bytes:
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # 이름 있는 파이프·장치: 열면 끝없이 기다림
            why = "이름 있는 파이프·장치 등이라 읽지 않습니다. 옮기거나 지우세요"
            raise ArtifactError(f"{subj(path.name)} 보통 파일이 아닙니다 ({why})", path, chapter)
        return path.read_bytes()
    except FileNotFoundError:
        problem, todo = f"{path.name} 파일이 없습니다", "먼저 실행하세요"
        raise ArtifactError(problem, path, chapter, todo) from None
    except OSError as exc:
        raise ArtifactError(f"{path.name} 파일을 읽을 수 없습니다 ({exc})", path, chapter) from exc


def _run_dir(folder: Path, info: Mapping) -> Path:
    """묶음 파일이 있는 곳: 세대 폴더 ``run_folder``, 없으면(예전 형식·복사본) 폴더 바로 아래."""
    run = folder / info.get("run_folder", "")
    return run if run.is_dir() else folder


def _read(folder: Path, name: str, info: Mapping | None = None, chapter: int = TRAINING_CHAPTER,
          parse: Callable[[bytes], Any] = json.loads) -> Any:  # fmt: skip
    """파일을 ``parse``로 읽습니다. ``info``(config.json)를 주면 세대 폴더에서, 묶음의 해시도 봄."""
    base = folder if info is None else _run_dir(folder, info)
    raw = _raw(base / name, chapter)
    for part in (MODEL_FILE, HISTORY_FILE) if info is not None else ():  # 한 파일이라도 다르면
        got = raw if part == name else _raw(base / part, chapter)
        if hashlib.sha256(got).hexdigest() != info["files"].get(part):
            why = f"{topic(part)} {CONFIG_FILE}에 기록된 실행의 것이 아닙니다 (저장 중단·동시 저장)"
            raise ArtifactError(why, base / part, chapter)
    return _parse(parse, raw, base / name, chapter)


def _parse(
    make: Callable[[Any], Any], raw: Any, path: Path, chapter: int = TRAINING_CHAPTER
) -> Any:
    try:
        return make(raw)
    except Exception as exc:
        raise ArtifactError(f"{subj(path.name)} 손상되었습니다 ({exc!r})", path, chapter) from exc


def load_run_info(directory: Folder = None) -> dict[str, Any]:
    """실행 정보(config.json): run_id, saved_at, train_config, model, data, versions. (4장)"""
    info = _read(folder := artifacts_dir(directory), CONFIG_FILE)
    got = info if isinstance(info, dict) else {}
    bad = [k for k, kind in _INFO.items() if not isinstance(got.get(k), kind)]
    if "run_folder" in got and not atomic.is_run_name(got["run_folder"]):  # 폴더 밖을 가리키면
        bad.append("run_folder")
    if bad:
        problem = f"config.json의 {', '.join(bad)} 항목이 없거나 형식이 틀립니다"
        raise ArtifactError(problem, folder / CONFIG_FILE)
    return info


def _model(folder: Path, info: Mapping) -> Any:
    path = _run_dir(folder, info) / MODEL_FILE
    load = functools.partial(keras.saving.load_model, path, safe_mode=True)
    model = _read(folder, MODEL_FILE, info, parse=lambda _: load())  # 해시를 확인한 뒤 불러옴
    _read(folder, MODEL_FILE, info, parse=bytes)  # 불러오는 동안 바뀌지 않았는지 다시 확인
    differs = _differences(info["model"], describe_model(model))  # 해시까지 고쳐 쓴 다른 모델
    if differs:
        why = f"{topic(MODEL_FILE)} {CONFIG_FILE}에 기록된 모델과 다릅니다 (기록 → 파일: {differs})"
        raise ArtifactError(why, path)
    return model


def _history(folder: Path, info: Mapping) -> training.History:
    raw = _read(folder, HISTORY_FILE, info)
    return _parse(training.History.from_dict, raw, folder / HISTORY_FILE)


def load_model(directory: Folder = None) -> Any:
    """4장이 저장한 모델을 불러옵니다 (묶음의 해시·구조 확인, ``safe_mode`` 켬). (4장, 5·6장)"""
    with _reading(folder := artifacts_dir(directory)):
        return _model(folder, load_run_info(folder))


def load_history(directory: Folder = None) -> training.History:
    """4장이 저장한 훈련 기록을 ``training.History``로 불러옵니다. (4장, 5·6장)"""
    with _reading(folder := artifacts_dir(directory)):
        return _history(folder, load_run_info(folder))


def _train_config(folder: Path, info: Mapping) -> training.TrainConfig:
    return _parse(training.TrainConfig.from_dict, info["train_config"], folder / CONFIG_FILE)


def load_config(directory: Folder = None) -> training.TrainConfig:
    """4장이 저장한 훈련 설정을 ``training.TrainConfig``로 불러옵니다. (4장, 5·6장)"""
    return _train_config(folder := artifacts_dir(directory), load_run_info(folder))


def _changes(folder: Path, info: Mapping, wanted: Mapping, cfg: training.TrainConfig) -> str:
    """저장된 실행과 요청의 설정·데이터·속도 설정 차이 ('항목 저장 → 요청', 같으면 '')."""
    diffs = _train_config(folder, info).differences(cfg)
    diffs.update({f"data.{k}": (info["data"].get(k), v) for k, v in wanted.items()})
    diffs[_SPEED_KEY] = (info.get(_SPEED_KEY), speed.current_splits())
    return ", ".join(f"{k} {a!r} → {b!r}" for k, (a, b) in diffs.items() if a != b)


def find_run(directory: Folder, data: Any, cfg: training.TrainConfig, *,
             build: Callable[[], Any] | None = None,
             chapter: int = TRAINING_CHAPTER) -> tuple[RunOutcome | None, str]:  # fmt: skip
    """완전하고 설정·데이터·모델 구조가 같은 저장 묶음이면 불러오고, 아니면 ``None``과 이유. (4장)

    ``build``: 요청한 모델을 만드는 함수 (``None``이면 ``model.build_lenet5``, 7장은 표의 그 줄).
    ``chapter``: 이유·오류가 가리키는 장 (7장의 줄은 7)."""
    _expect(cfg, training.TrainConfig, "cfg", "training.TrainConfig()")
    _expect(build := build_lenet5 if build is None else build, Callable, "build", "build_lenet5")
    folder, wanted = artifacts_dir(directory), data_fingerprint(data)
    if not (folder / CONFIG_FILE).exists():
        return None, f"{folder}에 저장된 모델이 없습니다."
    with _reading(folder, chapter):  # 다른 프로세스가 저장하는 중이면 끝나기를 기다림
        try:
            info = load_run_info(folder)
            if not (changed := _changes(folder, info, wanted, cfg)):
                model, history = _model(folder, info), _history(folder, info)
        except ArtifactError as exc:
            return None, f"저장된 모델을 쓸 수 없습니다: {exc.problem}: {exc.path}."
    if changed:
        return None, f"저장된 모델과 설정·데이터가 다릅니다 (저장 → 요청: {changed})."
    got, asked = describe_model(model), describe_model(build())
    if (got["params"], got["architecture"]) != (asked["params"], asked["architecture"]):
        other = _differences(got, asked)  # 다른 줄·다른 구조의 묶음을 복사해 온 경우 등
        return None, f"저장된 모델의 구조가 요청한 모델과 다릅니다 (저장 → 요청: {other})."
    reason = (
        f"저장된 모델을 불러왔습니다 (같은 설정·같은 데이터, {chapter}장에서 {info['saved_at']} "
        "저장). 다시 훈련하려면 FORCE_RETRAIN = True로 바꾸세요."
    )
    return RunOutcome(model, history, False, reason, folder), reason


def check_data(data: Any, splits: Sequence[str] = ("train", "val")) -> None:
    """훈련 전에 ``data``와 ``splits`` 세트가 모델 입력·원-핫 레이블인지 봅니다. (4장, 7장)"""
    data_fingerprint(data)  # data의 형식과 레이블
    for split in splits:
        x, y = getattr(data, f"x_{split}"), getattr(data, f"y_{split}")
        training.check_fit_data(x, y, _SPLITS[split])


def get_or_train(directory: Folder, data: Any, cfg: training.TrainConfig, *, force: bool = False,
                 progress: str = "auto") -> RunOutcome:  # fmt: skip
    """맞는 저장 모델이 있으면 불러오고, 없으면 훈련해 한 묶음으로 저장합니다. (4장, 5·6장도 씀)"""
    training.resolve_progress(progress)  # 인자와 데이터는 폴더를 만들거나 읽기 전에 모두 확인
    folder, force = artifacts_dir(directory), check_bool(force, "force")
    check_data(data)
    found, reason = find_run(folder, data, cfg)  # cfg 검사도 여기서 (훈련 전에)
    if force:
        found, reason = None, "FORCE_RETRAIN(force=True)에 따라 저장된 모델을 쓰지 않습니다."
    if found is not None:
        return found
    check_writable(folder)
    config.set_seed(cfg.seed)
    history = training.train(model := build_lenet5(), data, cfg, progress=progress)
    save_run(folder, model, history, cfg, data)
    return RunOutcome(model, history, True, f"{reason} 새로 훈련해 저장했습니다.", folder)


def save_metrics(directory: Folder, metrics: Mapping[str, Any]) -> Path:
    """테스트 지표를 지금 저장된 실행(run_id)의 것으로 ``metrics.json``에 저장합니다. (5장)"""
    _expect(metrics, Mapping, "metrics", "{'test_accuracy': 0.99}")
    run_id = load_run_info(folder := artifacts_dir(directory))["run_id"]  # 없으면 4장을 하라는 오류
    with _writing(folder, EVALUATION_CHAPTER):
        return atomic.write_json(folder / METRICS_FILE, {**metrics, "run_id": run_id})


def load_metrics(directory: Folder = None) -> dict[str, Any]:
    """5장이 저장한 테스트 지표. 지금 저장된 모델의 것이 아니면 ``ArtifactError``. (5장, 6장)"""
    with _reading(folder := artifacts_dir(directory), EVALUATION_CHAPTER):
        metrics = _read(folder, METRICS_FILE, chapter=EVALUATION_CHAPTER)
        info = load_run_info(folder)
        _read(folder, MODEL_FILE, info, parse=bytes)  # 묶음이 완전한지 (끊긴 저장이면 4장을 다시)
    if not isinstance(metrics, dict) or metrics.get("run_id") != info["run_id"]:
        problem = "테스트 지표가 지금 저장된 모델의 것이 아닙니다 (모델을 다시 훈련함)"
        raise ArtifactError(problem, folder / METRICS_FILE, EVALUATION_CHAPTER)
    return metrics
