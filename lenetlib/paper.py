"""LeCun 외(1998) 논문의 결과(그림 9)와 이 강의의 결과를 한 표에. (7장 ``07_paper.ipynb``, 5장)

시드 퍼짐(``seed_spread``)과 기준 결과표(``reference``)는 저장소가 미리 재어 패키지에 넣은 JSON
(``lenetlib/_data/``, 다시 재는 스크립트는 ``scripts/``). 표의 함수는 TensorFlow를 불러오지 않음.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from lenetlib._internal import checks
from lenetlib._internal.korean import subj, topic

__all__ = [
    "LIVE_ROWS",
    "MAX_PARAMS",
    "PAPER_ROWS",
    "ROWS",
    "ROW_EPOCHS",
    "Recipe",
    "RowRun",
    "build_row",
    "error_table",
    "reference",
    "row_folder",
    "rows_table",
    "run_row",
    "seed_spread",
    "spread_summary",
]  # fmt: skip

#: 논문 그림 9(막대그래프)의 테스트 오류율(%): LeCun, Bottou, Bengio, Haffner 1998. 그림에는
#: "[16x16] LeNet-1", "LeNet-5 [dist]"로 적혀 있고, 불확실성은 약 0.1%. 7장과 5장이 씀
PAPER_ROWS: dict[str, float] = {"LeNet-1": 1.7, "LeNet-4": 1.1, "LeNet-5": 0.95,
                                "LeNet-5 + 왜곡(distortions)": 0.8}  # fmt: skip
PAPER_SOURCE = "LeCun 외 1998"
COLUMNS = ["모델", "출처", "테스트 오류율(%)", "시드별 퍼짐"]
Source = str | os.PathLike[str] | None


def _read_json(path: Source, packaged: str, script: str) -> Any:
    """``path``(없으면 패키지에 든 ``packaged``)의 JSON. 내용은 읽는 쪽이 확인합니다."""
    if path is not None and not isinstance(path, str | os.PathLike):
        raise checks.wrong_type("path", path, "파일 경로(str 또는 Path)", f"예: path='{packaged}'")
    where = resources.files("lenetlib") / "_data" / packaged if path is None else Path(path)
    where = where.expanduser() if isinstance(where, Path) else where
    if isinstance(where, Path) and where.exists() and not where.is_file():  # 파이프는 열면 멈춤
        raise ValueError(
            f"결과 파일을 읽을 수 없습니다: {topic(repr(str(where)))} 보통 파일이 아닙니다 "
            "(폴더, 이름 있는 파이프, 장치 등). JSON 파일의 경로를 넣으세요."
        )
    try:
        return json.loads(where.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(
            f"결과 파일을 읽을 수 없습니다: {where} ({exc}). 저장소에서 "
            f"`python {script}`로 다시 만드세요."
        ) from None


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


def seed_spread(path: Source = None) -> dict[str, Any]:
    """4장 기본 설정을 시드 여러 개로 훈련한 결과 (``seed_spread.json``, ``path``: 다른 JSON). (5장)

    ``runs``: 시드마다 seed, test_error_percent, epochs_run 등, ``summary``: 그 요약."""
    found = _read_json(path, "seed_spread.json", "scripts/seed_spread.py")
    fix = "`python scripts/seed_spread.py`로 다시 만드세요."
    return _summarized(found, "seed_spread.json", fix)


def _summarized(found: Any, where: str, fix: str) -> dict[str, Any]:
    """``runs``(항목마다 test_error_percent)가 있는 사전에 ``summary``를 더한 사본. 아니면 오류."""
    try:
        runs = [{**r, "test_error_percent": float(r["test_error_percent"])} for r in found["runs"]]
        errors = [run["test_error_percent"] for run in runs]
        return {**found, "runs": runs, "summary": spread_summary(errors)}
    except (TypeError, KeyError, ValueError):
        raise ValueError(
            f"{where}에는 runs 목록이 있고, 그 항목마다 test_error_percent(유한한 숫자)가 있어야 "
            f"합니다. 받은 형식: {type(found).__name__}. {fix}"
        ) from None


def error_table(
    test_error_percent: float, *, spread: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """논문 네 줄 + "이번 실행" + 4장 기본 설정의 시드 퍼짐을 한 표로. (5장, 7장)

    ``test_error_percent``: 이번 실행의 테스트 오류율(%), 예: ``result.error_rate * 100``.
    ``spread``: :func:`seed_spread`의 결과 (기본: 패키지에 든 측정값).
    """
    mine = checks.check_float(test_error_percent, "test_error_percent", low=0, high=100,
                              hint="퍼센트로 넣으세요. 예: result.error_rate * 100")  # fmt: skip
    fix = "paper.seed_spread()의 결과를 넘기세요 (예: spread=paper.seed_spread())."
    found = seed_spread() if spread is None else _summarized(spread, "spread", fix)
    s = found["summary"]
    spread_text = (f"평균 {s['mean']:.2f} ± {s['std']:.2f}, 범위 {s['min']:.2f}–{s['max']:.2f} "
                   f"(시드 {s['n']}개)")  # fmt: skip
    rows = [(name, PAPER_SOURCE, err, "") for name, err in PAPER_ROWS.items()]
    rows.append(("이번 실행 (이 강의의 LeNet-5)", "이 컴퓨터", mine, ""))
    rows.append(("이 강의의 LeNet-5, 4장 기본 설정", "기준 결과 (AVX-512)", s["mean"], spread_text))
    return pd.DataFrame(rows, columns=COLUMNS)


# --- 7장: 표의 한 줄을 훈련하기 ---
#: 7장 모든 줄의 파라미터 상한 (LeNet-5의 61,706개 안팎)
MAX_PARAMS = 62_000
#: 7장 한 줄의 기본 최대 에포크 (조기 종료가 더 일찍 멈출 수 있음)
ROW_EPOCHS = 15
#: 7장이 기본으로 지금 훈련하는 줄 (나머지 줄은 기준 결과로 보여 줌: 2코어 AVX2 CPU에서 10분 안에).
#: 7장의 ``TRAIN_ALL_ROWS = True``면 일곱 줄을 모두 훈련합니다.
LIVE_ROWS = ("이 강의의 LeNet-5", "+ 왜곡(distortions)", "+ 학습률 스케줄(learning-rate schedule)")


_FOLDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")  # 7장 줄의 폴더 이름: 한 단계, ASCII만


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

    def __post_init__(self) -> None:
        if not isinstance(self.label, str) or not self.label.strip():
            raise ValueError(
                f"Recipe의 label은 비어 있지 않은 문자열이어야 합니다. 받은 값: {self.label!r}."
            )
        if not isinstance(self.folder, str) or not _FOLDER.fullmatch(self.folder):
            raise ValueError(
                f"{topic('Recipe의 folder')} 영문자·숫자·-·_로 된 폴더 이름 하나여야 합니다 "
                f"(산출물 폴더 밖에 쓰지 않도록 /, .., 빈 이름은 안 됨). 받은 값: {self.folder!r}. "
                "예: folder='my-row'"
            )
        for flag in ("classic", "distort", "relu", "batch_norm", "schedule"):
            checks.check_bool(getattr(self, flag), f"Recipe의 {flag}")
        checks.check_float(self.dropout, "Recipe의 dropout", low=0, high=1, open_high=True)
        modern = [f for f in ("relu", "batch_norm", "dropout") if getattr(self, f)]
        if self.classic and modern:  # build_row는 논문판을 그대로 만듦: 말없이 빠지지 않게
            raise ValueError(
                f"Recipe의 classic(1998 논문판 LeNet-5)에는 {', '.join(modern)}을(를) 더할 수 "
                "없습니다 (논문판에는 distort와 schedule만). 현대 부품은 classic=False로 하세요."
            )


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
    if not isinstance(row, Recipe) and (not isinstance(row, str) or row not in ROWS):
        names = ", ".join(repr(k) for k in ROWS)
        raise ValueError(f"표에 없는 줄입니다: {row!r}. 다음 중 하나를 쓰세요: {names}.")
    return row if isinstance(row, Recipe) else ROWS[row]


def _modern_lenet5(recipe: Recipe) -> Any:
    """강의의 LeNet-5에 ReLU, 배치 정규화(C1·C3 뒤), 드롭아웃(C5·F6 뒤)을 고른 대로 더한 모델."""
    from lenetlib._internal.backend import keras

    act = "relu" if recipe.relu else "tanh"
    stack: list[Any] = [keras.layers.Input(shape=(32, 32, 1))]
    for name, filters, pool in (("C1", 6, "S2"), ("C3", 16, "S4")):
        stack.append(keras.layers.Conv2D(filters, 5, use_bias=not recipe.batch_norm, name=name))
        stack += [keras.layers.BatchNormalization(name=f"{name}_bn")] if recipe.batch_norm else []
        stack.append(keras.layers.Activation(act, name=f"{name}_{act}"))
        stack.append(keras.layers.MaxPooling2D(2, name=pool))
    stack.append(keras.layers.Flatten(name="Flatten"))
    for name, units in (("C5", 120), ("F6", 84)):
        stack.append(keras.layers.Dense(units, activation=act, name=name))
        if recipe.dropout:
            stack.append(keras.layers.Dropout(recipe.dropout, name=f"{name}_dropout"))
    stack.append(keras.layers.Dense(10, activation="softmax", name="Output"))
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
    if (params := net.count_params()) > MAX_PARAMS:
        raise ValueError(
            f"{recipe.label}: 파라미터 {params:,}개가 상한 {MAX_PARAMS:,}개를 넘습니다."
        )
    return net


def row_folder(row: str | Recipe, seed: int, directory: Source = None) -> Path:
    """한 줄·시드 하나의 산출물 폴더: ``<산출물 폴더>/paper/<줄>-seed<시드>``. (7장)"""
    from lenetlib import artifacts

    seed = checks.check_seed(seed)
    return artifacts.artifacts_dir(directory) / "paper" / f"{_recipe(row).folder}-seed{seed}"


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

    training.resolve_progress(progress)  # 인자는 폴더를 만들거나 읽기 전에 모두 확인
    force = checks.check_bool(force, "force")
    recipe, folder = _recipe(row), row_folder(row, seed, directory)
    artifacts.check_data(data, splits=("train", "val", "test"))  # 폴더를 만들기 전에 (4장과 같음)
    schedule = "cosine" if recipe.schedule else "plateau"  # 학습률 스케줄 줄: 코사인 감소
    cfg = training.TrainConfig(epochs=epochs, seed=seed, lr_schedule=schedule)
    build = functools.partial(build_row, recipe, seed=seed)
    found = None if force else artifacts.find_run(folder, data, cfg, build=build, chapter=7)[0]
    if found is None:  # 4장과 같은 training.train(compile + fit)으로 훈련하고 한 묶음으로 저장
        artifacts.check_writable(folder, chapter=7)  # 오류 메시지가 가리키는 장: 7장
        history = training.train(net := build(), data, cfg, progress=progress)
        artifacts.save_run(folder, net, history, cfg, data, chapter=7)
    else:
        net, history = found.model, found.history
    result = evaluation.evaluate_model(net, data.x_test, data.y_test)
    return RowRun(recipe.label, cfg.seed, 100 * result.error_rate, int(net.count_params()),
                  history, found is None, net)  # fmt: skip


def reference(path: Source = None) -> dict[str, Any]:
    """모든 줄을 시드 여러 개로 잰 기준 결과 (``paper_reference.json``). (7장)

    ``rows``: 줄마다 label, params, runs (seed, test_error_percent, epochs_run, seconds), 요약."""
    script = "scripts/paper_reference.py"
    found = _read_json(path, "paper_reference.json", script)
    rows = _reference_rows(found, "paper_reference.json", f"`python {script}`로 다시 만드세요.")
    return {**found, "rows": rows}


def _reference_rows(found: Any, where: str, fix: str) -> list[dict[str, Any]]:
    """기준 결과의 ``rows``: 줄마다 label, params(없어도 됨), runs를 확인하고 summary를 더함."""
    rows = found.get("rows") if isinstance(found, Mapping) else None
    if not isinstance(rows, list) or not rows:
        raise ValueError(
            f"{where}에 'rows' 목록이 없습니다. 받은 형식: {type(found).__name__}. {fix}"
        )
    out = [_summarized(row, f"{where}의 rows 항목", fix) for row in rows]
    for row in out:
        if not isinstance(row.get("label"), str):
            raise ValueError(
                f"{where}의 rows 항목마다 label(줄 이름 문자열)이 있어야 합니다. {fix}"
            )
        if row.get("params") is not None:
            checks.check_int(row["params"], f"{where}의 params", minimum=0, example=61706)
    return out


TABLE_COLUMNS = ["모델", "파라미터 수", "논문(%)", "이번 실행(%)", "기준 평균(%)",
                 "기준 표준편차(%p)", "기준 시드별(%)"]  # fmt: skip


def rows_table(
    runs: Sequence[RowRun] = (), *, ref: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """논문의 네 줄 + 7장의 줄들: 이번 실행과 기준(시드 여러 개의 평균·표준편차). (7장)

    ``runs``: :func:`run_row`의 결과들 (줄마다 하나, 직접 만든 :class:`Recipe`의 줄은 맨 아래에),
    ``ref``: :func:`reference`의 결과 (기본: 패키지의 측정값).
    """
    if not isinstance(runs, Sequence | None) or isinstance(runs, str):
        raise checks.wrong_type("runs", runs, "RowRun 목록", "예: paper.rows_table([run1, run2])")
    mine: dict[str, RowRun] = {}
    for run in runs or ():
        checks.check_type(run, RowRun, "runs의 항목", "RowRun", "run_row(...)의 결과")
        if (twice := mine.get(run.label)) is not None:  # 한 칸에 한 실행: 말없이 덮어쓰지 않음
            raise ValueError(
                f"runs에 같은 줄 {subj(repr(run.label))} 두 번 있습니다 (시드 {twice.seed}, "
                f"{run.seed}). 표에는 줄마다 실행 하나만 넣으세요. 시드 여러 개는 "
                "paper.spread_summary([r.test_error_percent for r in 그 줄의 실행들])로 요약하세요."
            )
        mine[run.label] = run
    fix = "paper.reference()의 결과를 넘기세요 (예: ref=paper.reference())."
    rows = reference()["rows"] if ref is None else _reference_rows(ref, "ref", fix)
    ref_rows = {row["label"]: row for row in rows}
    out = [(name, pd.NA, err, *[float("nan")] * 3, "") for name, err in PAPER_ROWS.items()]
    for label in dict.fromkeys([*ROWS, *mine, *ref_rows]):  # 직접 만든 Recipe의 줄은 맨 아래에
        run, row = mine.get(label), ref_rows.get(label)
        seeds = " / ".join(f"{r['test_error_percent']:.2f}" for r in row["runs"]) if row else ""
        stats = (row["summary"]["mean"], row["summary"]["std"]) if row else (float("nan"),) * 2
        params = run.params if run else row.get("params") if row else None
        out.append((label, params, float("nan"), run.test_error_percent if run else float("nan"),
                    *stats, seeds))  # fmt: skip
    frame = pd.DataFrame(out, columns=TABLE_COLUMNS)
    return frame.astype({"파라미터 수": "Int64"})
