"""lenetlib.paper: 논문 표, 시드 퍼짐, 비교표. (7장, 5장)"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from lenetlib import paper
from tests.conftest import raises_korean

FAKE_RUNS = [
    {"seed": 42, "test_accuracy": 0.99, "test_error_percent": 1.0, "epochs_run": 9,
     "best_epoch": 4, "seconds": 30.0},
    {"seed": 1, "test_accuracy": 0.988, "test_error_percent": 1.2, "epochs_run": 12,
     "best_epoch": 7, "seconds": 40.0},
    {"seed": 2, "test_accuracy": 0.992, "test_error_percent": 0.8, "epochs_run": 10,
     "best_epoch": 5, "seconds": 35.0},
]  # fmt: skip


@pytest.fixture
def fake_spread(tmp_path):
    path = tmp_path / "spread.json"
    path.write_text(json.dumps({"recipe": "가짜", "runs": FAKE_RUNS}), encoding="utf-8")
    return path


def test_paper_rows_are_the_papers_numbers():
    assert paper.PAPER_ROWS == {
        "LeNet-1": 1.7, "LeNet-4": 1.1, "LeNet-5": 0.95, "LeNet-5 + 왜곡(distortions)": 0.8,
    }  # fmt: skip


def test_spread_summary_uses_sample_std():
    got = paper.spread_summary([1.0, 1.2, 0.8])
    assert got["n"] == 3
    assert got["mean"] == pytest.approx(1.0)
    assert got["std"] == pytest.approx(np.std([1.0, 1.2, 0.8], ddof=1))
    assert (got["min"], got["max"]) == (0.8, 1.2)
    assert paper.spread_summary([0.9])["std"] == 0.0


def test_seed_spread_reads_a_given_file(fake_spread):
    got = paper.seed_spread(fake_spread)
    assert [r["seed"] for r in got["runs"]] == [42, 1, 2]
    assert got["summary"]["mean"] == pytest.approx(1.0)
    assert got["recipe"] == "가짜"


def test_packaged_seed_spread_has_at_least_five_seeds():
    got = paper.seed_spread()
    seeds = [r["seed"] for r in got["runs"]]
    assert len(set(seeds)) >= 5 and 42 in seeds
    for run in got["runs"]:
        assert run["test_error_percent"] == pytest.approx(
            100 * (1 - run["test_accuracy"]), abs=1e-3
        )
        assert 1 <= run["best_epoch"] <= run["epochs_run"] <= 20
    assert 0.5 < got["summary"]["mean"] < 2.0  # 4장 기본 설정: 99% 안팎


def test_compare_table(fake_spread):
    table = paper.compare(0.87, spread=paper.seed_spread(fake_spread))
    assert list(table.columns) == paper.COLUMNS
    assert len(table) == len(paper.PAPER_ROWS) + 2
    assert table["테스트 오류율(%)"].tolist()[:4] == list(paper.PAPER_ROWS.values())
    assert table.iloc[4]["테스트 오류율(%)"] == 0.87
    assert table.iloc[5]["테스트 오류율(%)"] == pytest.approx(1.0)
    assert "± 0.20" in table.iloc[5]["시드별 퍼짐"] and "0.80–1.20" in table.iloc[5]["시드별 퍼짐"]


def test_compare_uses_packaged_spread_by_default():
    table = paper.compare(1.0)
    assert table.iloc[5]["테스트 오류율(%)"] == pytest.approx(
        paper.seed_spread()["summary"]["mean"]
    )


def test_bad_inputs_are_korean(tmp_path, fake_spread):
    raises_korean("퍼센트", paper.compare, 140.0, spread=paper.seed_spread(fake_spread))
    raises_korean("읽을 수 없습니다", paper.seed_spread, tmp_path / "없음.json")
    (broken := tmp_path / "broken.json").write_text('{"runs": [{"seed": 1}]}', encoding="utf-8")
    raises_korean("test_error_percent", paper.seed_spread, broken)
    (empty := tmp_path / "empty.json").write_text('{"runs": []}', encoding="utf-8")
    raises_korean("runs", paper.seed_spread, empty)
    raises_korean("1차원", paper.spread_summary, [])


# --- 7장: 표의 줄 만들기·훈련·기준 결과 ---


def test_every_row_stays_within_the_parameter_budget():
    from lenetlib._internal.backend import keras

    kinds = {}
    for label, recipe in paper.ROWS.items():
        net = paper.build_row(label, seed=0)
        assert net.count_params() <= paper.MAX_PARAMS == 62_000, label
        names = [type(layer).__name__ for layer in net.layers]
        assert (names[0] == "Sequential" and net.layers[0].name == "distortions") == recipe.distort
        inner = net.layers[-1] if recipe.distort else net
        kinds[label] = {type(layer).__name__ for layer in inner.layers}
        relu = [la for la in inner.layers if isinstance(la, keras.layers.Activation)]
        assert bool(relu) == recipe.relu or recipe.batch_norm
    assert "Subsampling" in kinds["1998 원형 (논문판 LeNet-5)"]
    assert "BatchNormalization" in kinds["+ 배치 정규화(batch normalization)"]
    assert "Dropout" in kinds["+ 드롭아웃(dropout)"]
    assert "Dropout" not in kinds["+ 배치 정규화(batch normalization)"]
    assert list(paper.ROWS)[1] == "이 강의의 LeNet-5"


def test_each_row_adds_one_piece_to_the_row_above():
    recipes = list(paper.ROWS.values())[1:]
    flags = ("distort", "relu", "batch_norm", "dropout", "schedule")
    for above, row in itertools.pairwise(recipes):
        changed = [f for f in flags if bool(getattr(above, f)) != bool(getattr(row, f))]
        assert len(changed) == 1, (above.label, row.label, changed)


def test_unknown_row_is_a_korean_error():
    raises_korean("표에 없는 줄", paper.build_row, "LeNet-7")
    raises_korean("seed", paper.row_folder, "이 강의의 LeNet-5", -3)


def test_run_row_trains_saves_and_then_loads(tmp_path, mnist_small):
    from tests.conftest import prepare_small

    data = prepare_small(mnist_small, train_limit=400)
    label = "+ 학습률 스케줄(learning-rate schedule)"
    first = paper.run_row(label, data, seed=3, epochs=2, directory=tmp_path, progress="none")
    assert first.trained_now and first.label == label and first.seed == 3
    assert (paper.row_folder(label, 3, tmp_path) / "lenet5.keras").is_file()
    assert 0 <= first.test_error_percent <= 100 and first.params <= paper.MAX_PARAMS
    rates = first.history.history["learning_rate"]
    assert rates == pytest.approx([1e-3, 5e-4], rel=1e-4)  # 코사인: 1, (1 + cos(π/2)) / 2
    again = paper.run_row(label, data, seed=3, epochs=2, directory=tmp_path, progress="none")
    assert not again.trained_now
    assert again.test_error_percent == pytest.approx(first.test_error_percent)


FAKE_REFERENCE = {
    "date": "2026-01-01",
    "epochs": 3,
    "seeds": [42, 1],
    "rows": [
        {"label": "이 강의의 LeNet-5", "params": 61706,
         "runs": [{"seed": 42, "test_error_percent": 0.9}, {"seed": 1, "test_error_percent": 1.1}]},
        {"label": "+ 왜곡(distortions)", "params": 61706,
         "runs": [{"seed": 42, "test_error_percent": 0.7}, {"seed": 1, "test_error_percent": 0.6}]},
    ],
}  # fmt: skip


def test_table_puts_paper_this_run_and_reference_side_by_side(tmp_path):
    (path := tmp_path / "ref.json").write_text(json.dumps(FAKE_REFERENCE), encoding="utf-8")
    ref = paper.reference(path)
    assert ref["rows"][0]["summary"]["mean"] == pytest.approx(1.0)
    run = paper.RowRun("+ 왜곡(distortions)", 42, 0.55, 61706, None, True, None)
    table = paper.table([run], ref=ref).set_index("모델")
    assert list(table.columns) == paper.TABLE_COLUMNS[1:]
    assert list(table.index) == [*paper.PAPER_ROWS, *paper.ROWS]
    assert table.loc["LeNet-5", "논문(%)"] == 0.95
    row = table.loc["+ 왜곡(distortions)"]
    assert row["이번 실행(%)"] == 0.55 and row["기준 평균(%)"] == pytest.approx(0.65)
    assert row["기준 표준편차(%p)"] == pytest.approx(np.std([0.7, 0.6], ddof=1))
    assert row["기준 시드별(%)"] == "0.70 / 0.60"
    assert np.isnan(table.loc["+ ReLU", "기준 평균(%)"]) and np.isnan(
        table.loc["+ ReLU", "이번 실행(%)"]
    )
    raises_korean("RowRun", paper.table, [0.5], ref=ref)


def test_packaged_reference_has_every_row_and_three_seeds():
    ref = paper.reference()
    assert [row["label"] for row in ref["rows"]] == list(paper.ROWS)
    for row in ref["rows"]:
        assert [r["seed"] for r in row["runs"]] == ref["seeds"] and len(ref["seeds"]) >= 3
        assert 0.2 < row["summary"]["mean"] < 3.0 and row["params"] <= paper.MAX_PARAMS
