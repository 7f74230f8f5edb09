"""LeCun 외(1998) 논문의 결과표와 이 강의의 결과를 나란히 놓습니다. (7장 ``07_paper.ipynb``, 5장)

시드 퍼짐(``seed_spread``)과 기준 결과표(``reference``)는 저장소가 미리 재어 패키지에 넣은 JSON
(``lenetlib/_data/``)에서 읽습니다. 다시 재는 스크립트: ``scripts/seed_spread.py``,
``scripts/paper_reference.py``. 표를 만드는 함수는 TensorFlow를 불러오지 않습니다.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from lenetlib._internal import checks

__all__ = [
    "MAX_PARAMS", "PAPER_ROWS", "ROWS", "ROW_EPOCHS", "Recipe", "RowRun", "build_row", "compare",
    "reference", "row_folder", "run_row", "seed_spread", "spread_summary", "table",
]  # fmt: skip

#: 논문 표의 테스트 오류율(%) (LeCun, Bottou, Bengio, Haffner 1998, Fig. 9). 7장과 5장이 씀
PAPER_ROWS: dict[str, float] = {
    "LeNet-1": 1.7,
    "LeNet-4": 1.1,
    "LeNet-5": 0.95,
    "LeNet-5 + 왜곡(distortions)": 0.8,
}
PAPER_SOURCE = "LeCun 외 1998"
COLUMNS = ["모델", "출처", "테스트 오류율(%)", "시드별 퍼짐"]
Source = str | os.PathLike[str] | None


def _read_json(path: Source, packaged: str, script: str, key: str = "runs") -> dict[str, Any]:
    """``path``(없으면 패키지에 든 ``packaged``)의 JSON 사전. 없거나 ``key`` 목록이 비면 오류."""
    where = resources.files("lenetlib") / "_data" / packaged if path is None else Path(path)
    try:
        found = json.loads(where.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(
            f"결과 파일을 읽을 수 없습니다: {where} ({exc}). 저장소에서 "
            f"`python {script}`로 다시 만드세요."
        ) from None
    if not isinstance(found, dict) or not isinstance(found.get(key), list) or not found[key]:
        raise ValueError(
            f"결과 파일 {where}에 {key!r} 목록이 없습니다. `python {script}`로 만드세요."
        )
    return found


def spread_summary(errors: Sequence[float]) -> dict[str, float]:
    """시드별 테스트 오류율(%) 목록의 개수·평균·표준편차(표본, ddof=1)·최소·최대. (7장, 5장)"""
    arr = checks.as_numeric(errors, "errors")
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"errors는 숫자 하나 이상의 1차원 목록이어야 합니다. 받은 모양: {arr.shape}."
        )
    std = float(arr.std(ddof=1)) if arr.size > 1 else 0.0
    return {"n": int(arr.size), "mean": float(arr.mean()), "std": std,
            "min": float(arr.min()), "max": float(arr.max())}  # fmt: skip


def _spread_text(summary: Mapping[str, float]) -> str:
    return (
        f"평균 {summary['mean']:.2f} ± {summary['std']:.2f}, "
        f"범위 {summary['min']:.2f}–{summary['max']:.2f} (시드 {summary['n']}개)"
    )


def seed_spread(path: Source = None) -> dict[str, Any]:
    """4장 기본 설정을 시드 여러 개로 훈련한 결과 (``seed_spread.json``). (5장, 7장)

    ``runs``: 시드마다 seed, test_accuracy, test_error_percent, epochs_run, best_epoch, seconds.
    ``summary``: :func:`spread_summary`를 더해 돌려줍니다. ``path``: 다른 JSON (테스트용).
    """
    found = _read_json(path, "seed_spread.json", "scripts/seed_spread.py")
    try:
        errors = [float(run["test_error_percent"]) for run in found["runs"]]
    except (TypeError, KeyError, ValueError):
        raise ValueError(
            "seed_spread.json의 runs 항목마다 test_error_percent(숫자)가 있어야 합니다. "
            "`python scripts/seed_spread.py`로 다시 만드세요."
        ) from None
    return {**found, "summary": spread_summary(errors)}


def compare(test_error_percent: float, *, spread: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """논문 네 줄 + "이번 실행" + 4장 기본 설정의 시드 퍼짐을 한 표로. (5장, 7장)

    ``test_error_percent``: 이번 실행의 테스트 오류율(%), 예: ``result.error_rate * 100``.
    ``spread``: :func:`seed_spread`의 결과 (기본: 패키지에 든 측정값).
    """
    mine = checks.check_float(test_error_percent, "test_error_percent", low=0, high=100,
                              hint="퍼센트로 넣으세요. 예: result.error_rate * 100")  # fmt: skip
    summary = (seed_spread() if spread is None else spread)["summary"]
    rows = [(name, PAPER_SOURCE, err, "") for name, err in PAPER_ROWS.items()]
    rows.append(("이번 실행 (이 강의의 LeNet-5)", "이 컴퓨터", mine, ""))
    rows.append(("이 강의의 LeNet-5, 4장 기본 설정", "저장소 측정", summary["mean"],
                 _spread_text(summary)))  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


# --- 7장: 표의 한 줄을 훈련하기 ---
#: 7장 모든 줄의 파라미터 상한 (LeNet-5의 61,706개 안팎)
MAX_PARAMS = 62_000
#: 7장 한 줄의 기본 최대 에포크 (조기 종료가 더 일찍 멈출 수 있음)
ROW_EPOCHS = 15


@dataclass(frozen=True)
class Recipe:
    """7장 표의 한 줄: 모델과 훈련 방법. 아래 줄은 위 줄에 부품 하나를 더합니다. (7장)"""

    label: str
    folder: str
    classic: bool = False
    distort: bool = False
    relu: bool = False
    batch_norm: bool = False
    dropout: float = 0.0
    schedule: bool = False


_MODERN = {"distort": True, "relu": True}
ROWS: dict[str, Recipe] = {r.label: r for r in (
    Recipe("1998 원형 (논문판 LeNet-5)", "classic", classic=True),
    Recipe("이 강의의 LeNet-5", "course"),
    Recipe("+ 왜곡(distortions)", "distort", distort=True),
    Recipe("+ ReLU", "relu", **_MODERN),
    Recipe("+ 배치 정규화(batch normalization)", "batchnorm", **_MODERN, batch_norm=True),
    Recipe("+ 드롭아웃(dropout)", "dropout", **_MODERN, batch_norm=True, dropout=0.2),
    Recipe("+ 학습률 스케줄(learning-rate schedule)", "schedule", **_MODERN, batch_norm=True,
           dropout=0.2, schedule=True),
)}  # fmt: skip


@dataclass(frozen=True)
class RowRun:
    """:func:`run_row`의 결과: 한 줄을 시드 하나로 훈련(또는 불러온) 모델과 테스트 오류율. (7장)"""

    label: str
    seed: int
    test_error_percent: float
    params: int
    history: Any
    trained_now: bool
    model: Any


def _recipe(row: str | Recipe) -> Recipe:
    if isinstance(row, Recipe):
        return row
    if row not in ROWS:
        names = ", ".join(repr(k) for k in ROWS)
        raise ValueError(f"표에 없는 줄입니다: {row!r}. 다음 중 하나를 쓰세요: {names}.")
    return ROWS[row]


def _modern_lenet5(recipe: Recipe) -> Any:
    """강의의 LeNet-5에 ReLU, 배치 정규화(C1·C3 뒤), 드롭아웃(C5·F6 뒤)을 고른 대로 더한 모델."""
    from lenetlib._internal.backend import keras

    kl, act = keras.layers, "relu" if recipe.relu else "tanh"
    stack: list[Any] = [kl.Input(shape=(32, 32, 1))]
    for name, filters, pool in (("C1", 6, "S2"), ("C3", 16, "S4")):
        stack.append(kl.Conv2D(filters, 5, use_bias=not recipe.batch_norm, name=name))
        stack += [kl.BatchNormalization(name=f"{name}_bn")] if recipe.batch_norm else []
        stack += [kl.Activation(act, name=f"{name}_{act}"), kl.MaxPooling2D(2, name=pool)]
    stack.append(kl.Flatten(name="Flatten"))
    for name, units in (("C5", 120), ("F6", 84)):
        stack.append(kl.Dense(units, activation=act, name=name))
        stack += [kl.Dropout(recipe.dropout, name=f"{name}_dropout")] if recipe.dropout else []
    stack.append(kl.Dense(10, activation="softmax", name="Output"))
    return keras.Sequential(stack, name=f"LeNet5_{recipe.folder}")


def build_row(row: str | Recipe, *, seed: int = 42) -> Any:
    """표의 한 줄의 모델 (컴파일 전, 왜곡 층이 맨 앞). 파라미터 수가 상한을 넘으면 오류. (7장)"""
    from lenetlib import augment, config, model
    from lenetlib._internal.backend import keras

    recipe = _recipe(row)
    config.set_seed(seed)
    if recipe.classic:
        net = model.build_lenet5_classic()
    elif recipe.relu or recipe.batch_norm or recipe.dropout:
        net = _modern_lenet5(recipe)
    else:
        net = model.build_lenet5()
    if recipe.distort:
        block = augment.distortions(seed=seed)
        net = keras.Sequential([keras.Input(shape=(32, 32, 1)), block, net], name=net.name + "_aug")
    if net.count_params() > MAX_PARAMS:
        raise ValueError(
            f"{recipe.label}: 파라미터 {net.count_params():,}개 > 상한 {MAX_PARAMS:,}개."
        )
    return net


def row_folder(row: str | Recipe, seed: int, directory: Source = None) -> Path:
    """한 줄·시드 하나의 산출물 폴더: ``<산출물 폴더>/paper/<줄>-seed<시드>``. (7장)"""
    from lenetlib import artifacts

    seed = checks.check_seed(seed)
    return artifacts.artifacts_dir(directory) / "paper" / f"{_recipe(row).folder}-seed{seed}"


def _train(recipe: Recipe, data: Any, cfg: Any, progress: str) -> tuple[Any, Any]:
    """4장처럼 ``compile``/``fit``. 학습률 스케줄 줄은 ReduceLROnPlateau 대신 코사인 감소."""
    from lenetlib import speed, training
    from lenetlib._internal.backend import keras, tf

    net = build_row(recipe, seed=cfg.seed)
    callbacks = training.make_callbacks(cfg, progress)
    cosine = keras.callbacks.LearningRateScheduler(  # 에포크마다 코사인 모양으로 줄어드는 학습률
        lambda epoch: cfg.learning_rate * 0.5 * (1 + math.cos(math.pi * epoch / cfg.epochs))
    )
    if recipe.schedule:  # ReduceLROnPlateau 자리에 코사인 스케줄
        plateau = keras.callbacks.ReduceLROnPlateau
        callbacks = [cosine if isinstance(c, plateau) else c for c in callbacks]
    trainer = speed.trainer(net, seed=cfg.seed)
    trainer.compile(optimizer=keras.optimizers.Adam(learning_rate=cfg.learning_rate),
                    loss="categorical_crossentropy", metrics=["accuracy"])  # fmt: skip
    start, logger = time.perf_counter(), tf.get_logger()
    level = logger.level  # 줄마다 새 모델이라 생기는 'tf.function retracing' 영어 경고를 잠시 끔
    logger.setLevel("ERROR")
    try:
        fitted = trainer.fit(
            data.x_train, data.y_train, validation_data=(data.x_val, data.y_val),
            epochs=cfg.epochs, batch_size=cfg.batch_size, shuffle=cfg.shuffle,
            callbacks=callbacks, verbose=training.fit_verbose(progress),
        )  # fmt: skip
    finally:
        logger.setLevel(level)
    return net, training.History.from_keras(fitted, seconds=time.perf_counter() - start)


def run_row(
    row: str | Recipe,
    data: Any,
    *,
    seed: int = 42,
    epochs: int = ROW_EPOCHS,
    directory: Source = None,
    force: bool = False,
    progress: str = "auto",
) -> RowRun:
    """표의 한 줄을 시드 하나로 훈련·저장하고 테스트 오류율을 잽니다 (맞는 저장본은 불러옴). (7장)

    ``data``: ``preprocessing.prepare_mnist``의 결과. 저장 위치는 :func:`row_folder`.
    """
    from lenetlib import artifacts, evaluation, training

    recipe, folder = _recipe(row), row_folder(row, seed, directory)
    cfg = training.TrainConfig(epochs=epochs, seed=seed)
    found, _ = artifacts.find_run(folder, data, cfg)
    if checks.check_bool(force, "force") or found is None:
        artifacts.check_writable(folder)
        net, history = _train(recipe, data, cfg, progress)
        artifacts.save_run(folder, net, history, cfg, data)
    else:
        net, history = found.model, found.history
    result = evaluation.evaluate_model(net, data.x_test, data.y_test)
    return RowRun(recipe.label, cfg.seed, 100 * result.error_rate, int(net.count_params()),
                  history, found is None or force, net)  # fmt: skip


def reference(path: Source = None) -> dict[str, Any]:
    """모든 줄을 시드 여러 개로 잰 기준 결과 (``paper_reference.json``, 줄마다 ``summary``). (7장)

    ``rows``: 줄마다 label, params, runs (seed, test_error_percent, epochs_run, seconds).
    """
    script = "scripts/paper_reference.py"
    found = _read_json(path, "paper_reference.json", script, key="rows")
    try:
        rows = [{**row, "summary": spread_summary([r["test_error_percent"] for r in row["runs"]])}
                for row in found["rows"]]  # fmt: skip
    except (TypeError, KeyError, ValueError):
        raise ValueError(
            f"paper_reference.json의 rows마다 runs 목록과 test_error_percent가 있어야 합니다. "
            f"`python {script}`로 다시 만드세요."
        ) from None
    return {**found, "rows": rows}


TABLE_COLUMNS = ["모델", "파라미터 수", "논문(%)", "이번 실행(%)", "기준 평균(%)",
                 "기준 표준편차(%p)", "기준 시드별(%)"]  # fmt: skip


def table(runs: Sequence[RowRun] = (), *, ref: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """논문의 네 줄 + 7장의 줄들: 이번 실행과 기준(시드 여러 개의 평균·표준편차). (7장)

    ``runs``: :func:`run_row`의 결과들, ``ref``: :func:`reference`의 결과 (기본: 패키지의 측정값).
    """
    mine = {}
    for run in runs:
        mine[
            checks.check_type(run, RowRun, "runs의 항목", "RowRun", "run_row(...)의 결과").label
        ] = run
    ref_rows = {row["label"]: row for row in (reference() if ref is None else ref)["rows"]}
    out = [(name, pd.NA, err, *[float("nan")] * 3, "") for name, err in PAPER_ROWS.items()]
    for label in ROWS:
        run, row = mine.get(label), ref_rows.get(label)
        seeds = " / ".join(f"{r['test_error_percent']:.2f}" for r in row["runs"]) if row else ""
        stats = (row["summary"]["mean"], row["summary"]["std"]) if row else (float("nan"),) * 2
        params = run.params if run else row["params"] if row else pd.NA
        out.append((label, params, float("nan"), run.test_error_percent if run else float("nan"),
                    *stats, seeds))  # fmt: skip
    frame = pd.DataFrame(out, columns=TABLE_COLUMNS)
    return frame.astype({"파라미터 수": "Int64"})
