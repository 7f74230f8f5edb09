"""장 노트북의 구조 검사: 여덟 장과 부록, 공통 준비 블록, parameters 셀, 학습 목표와 연습 문제,
노트북 안 도우미 함수 금지, 원래 노트북의 모든 단계가 어느 장엔가 있는지.

(노트북을 실제로 실행하는 검사는 `make test-notebooks`: papermill + nbval)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = [
    "01_data.ipynb",
    "02_preprocessing.ipynb",
    "03_model.ipynb",
    "04_training.ipynb",
    "05_evaluation.ipynb",
    "06_error_analysis.ipynb",
    "07_paper.ipynb",
    "08_handwriting.ipynb",
    "A1_speed.ipynb",
]

#: 원래 노트북(../shared/seed)의 단계 → 그 단계를 하는 lenetlib 호출 (여럿이면 그중 하나)
SEED_STEPS: dict[str, str | tuple[str, ...]] = {
    "MNIST 로드": "data.load_mnist(",
    "샘플 이미지 4×4": "plotting.plot_samples(",
    "클래스 분포": "plotting.plot_class_distribution(",
    "정규화·패딩·채널": ("preprocessing.preprocess_images(", "preprocessing.prepare_mnist("),
    "원-핫 레이블": "preprocessing.encode_labels(",
    "전처리된 이미지": "plotting.plot_preprocessed(",
    "LeNet-5 생성": "model.build_lenet5(",
    "층별 출력 크기와 파라미터": "model.layer_table(",
    "구조도(plot_model)": "plotting.save_architecture_diagram(",
    "컴파일과 콜백": "training.make_callbacks(",
    "훈련 (Keras 그대로)": "trainer.fit(",
    "훈련 곡선(학습률 포함)": "plotting.plot_history(",
    "최고 훈련/검증 지표": "training.best_metrics(",
    "테스트 평가": "evaluation.evaluate_model(",
    "혼동 행렬 두 가지": "plotting.plot_confusion_matrices(",
    "예측 결과 그리드": "plotting.plot_predictions(",
    "가장 확신한 오분류": "plotting.plot_confident_errors(",
    "결과 요약": "error_analysis.run_summary(",
}


def _load(name: str) -> dict:
    return json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))


def _code(nb: dict) -> list[str]:
    return [c["source"] for c in nb["cells"] if c["cell_type"] == "code"]


def test_all_chapters_present():
    present = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert present == CHAPTERS


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_shape(name):
    nb = _load(name)
    cells = nb["cells"]
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert cells[0]["cell_type"] == "markdown" and "학습 목표" in cells[0]["source"]
    title = f"# 부록 {name[0]}." if name[0].isalpha() else f"# {int(name[:2])}장."
    assert cells[0]["source"].startswith(title)
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1 and "SEED = 42" in tagged[0]["source"]
    assert any("config.setup(SEED)" in src for src in _code(nb))
    closing = "".join(c["source"] for c in cells[-3:] if c["cell_type"] == "markdown")
    assert "정리" in closing and "연습 문제" in closing
    for src in _code(nb):
        assert not any(line.startswith(("def ", "class ")) for line in src.splitlines()), (
            f"{name}: 노트북 안에 도우미 코드를 정의하지 말고 lenetlib에 두세요"
        )


def test_setup_block_is_identical():
    setups = {name: _code(_load(name))[0] for name in CHAPTERS}
    assert len(set(setups.values())) == 1, "모든 장의 준비 블록은 같아야 합니다"


def test_chapter4_shows_keras_compile_and_fit():
    """이슈 #9: 4장은 훈련을 Keras 코드 그대로 보여 줍니다 (compile과 fit, 그 인자들)."""
    code = "\n".join(_code(_load("04_training.ipynb")))
    pieces = [".compile(", "optimizer=keras.optimizers.Adam(", 'loss="categorical_crossentropy"',
              ".fit(", "validation_data=", "epochs=", "batch_size=", "callbacks="]  # fmt: skip
    for piece in pieces:
        assert piece in code, f"4장 코드에 {piece}가 보이지 않습니다"
    assert code.count("speed.") == 2, (
        "속도 설정은 켜는 한 줄(speed.enable)과 훈련용 모델(speed.training_model)뿐"
    )
    assert "get_or_train(" not in code, "4장은 훈련을 함수 뒤에 숨기지 않습니다"


TRAINING_CALLS = ("get_or_train(", ".fit(", "paper.run")


def test_chapters_that_may_train_turn_speed_on_first_and_others_leave_it_alone():
    """훈련할 수 있는 장(4장, 모델이 없으면 스스로 훈련하는 5·6·8장, 7장)은 4장과 같은 모델을 얻도록
    훈련 전에 보이는 한 줄 ``speed.enable()``을 부르고, 다른 장은 속도 설정을 건드리지 않습니다."""
    for name in CHAPTERS:
        code = "\n".join(_code(_load(name))[1:])  # 준비 블록의 import는 빼고
        trains = [code.find(call) for call in TRAINING_CALLS if call in code]
        if name == "A1_speed.ipynb":
            continue  # 속도 설정 자체를 설명하는 부록
        if trains:
            assert "speed.enable()" in code, f"{name}: 훈련 전에 speed.enable()"
            assert code.index("speed.enable()") < min(trains), f"{name}: speed.enable()을 먼저"
        else:
            assert "speed." not in code, f"{name}: 훈련하지 않는 장은 속도 설정을 건드리지 않음"


def test_colab_badges_first_cells_and_readme_follow_one_address():
    """이슈 #11: 배지, 첫 셀의 설치 주소, README의 Colab 안내가 주소 하나에서 나옵니다."""
    from tools import nbtools

    repo = nbtools.repository()
    assert repo.startswith("https://github.com/") and repo.count("/") == 4
    solutions = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "solutions").glob("*.ipynb"))
    for name in [f"notebooks/{c}" for c in CHAPTERS] + solutions:
        nb = json.loads((ROOT / name).read_text(encoding="utf-8"))
        badge = nbtools.badge(repo, name)
        assert badge in nb["cells"][0]["source"], f"{name}: 배지가 주소나 파일 경로와 다릅니다"
        assert f"/blob/main/{name})" in badge
        setup = nbtools.SETUP_TEMPLATE.format(source=nbtools.pip_source(repo))
        assert _code(nb)[0] == setup, f"{name}: 첫 셀이 make colab의 준비 블록과 다릅니다"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert nbtools.readme_block(repo) in readme, (
        "README의 Colab 안내가 주소와 다릅니다 (make colab)"
    )


def test_colab_check_notices_a_changed_address(tmp_path):
    from tools import nbtools

    assert (
        nbtools.badge("https://github.com/a/b", "notebooks/01_data.ipynb")
        not in _load("01_data.ipynb")["cells"][0]["source"]
    )
    assert (
        nbtools.pip_source("https://github.com/a/b") == "lenetlib @ git+https://github.com/a/b.git"
    )


def test_every_seed_step_survives():
    everything = "\n".join(src for name in CHAPTERS for src in _code(_load(name)))
    missing = [
        step
        for step, calls in SEED_STEPS.items()
        if not any(call in everything for call in ((calls,) if isinstance(calls, str) else calls))
    ]
    assert not missing, f"원래 노트북의 단계가 빠졌습니다: {missing}"


def test_checked_cells_have_expected_output():
    for name in CHAPTERS:
        for cell in _load(name)["cells"]:
            if cell["cell_type"] == "code" and "# NBVAL_CHECK_OUTPUT" in cell["source"]:
                assert cell["outputs"], f"{name}: 검사 셀에 기대 출력이 없습니다 (make record)"


def test_headers_state_the_measured_run_times():
    """이슈 #12, #17: 머리말 실행 시간 = docs/timings.json의 CPU 종류별 값 (make timings)."""
    from tools import nbtools

    measured = json.loads(nbtools.TIMINGS.read_text(encoding="utf-8"))
    paths = [ROOT / "notebooks" / name for name in CHAPTERS]
    paths += sorted((ROOT / "solutions").glob("*.ipynb"))
    for path in paths:
        key = nbtools.timing_key(path)
        assert nbtools.measured_times(key, measured), f"{key}: docs/timings.json에 시간이 없음"
        line = nbtools.time_line(nbtools.measured_times(key, measured))
        head = "".join(json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"])
        assert line in head, f"{key}: 머리말의 실행 시간 (make timings)"


def test_run_time_report_notes_but_never_fails(tmp_path, monkeypatch):
    """이슈 #17: make run은 시간 차이를 '참고'로 보여 줄 뿐 실패하지 않습니다."""
    from tools import nbtools

    fake = tmp_path / "timings.json"
    full = {"a.ipynb": 100, "b.ipynb": 100, "c.ipynb": 100}
    fake.write_text(json.dumps({"kinds": {"AVX2": {"full": full, "fast": full}}}))
    monkeypatch.setattr(nbtools, "TIMINGS", fake)
    lines = nbtools.timing_report({"a.ipynb": 190, "b.ipynb": 450, "d.ipynb": 5}, kind="AVX2")
    assert ["참고" in line for line in lines] == [False, True, False]
    assert "머리말에 AVX2 CPU의 시간이 없음" in lines[2]
    assert (
        "머리말에 AVX-512 CPU의 시간이 없음" in nbtools.timing_report({"a.ipynb": 1}, "AVX-512")[0]
    )
    assert nbtools.time_line({"AVX-512": (125, 20)}) == (
        "⏱ 실행 시간 (이 강의를 만든 컴퓨터가 한가할 때 잰 값: 2코어, GPU 없음, 처음부터 끝까지; "
        "CPU 종류는 부록 A 0절): "
        "AVX-512 CPU에서 기본 매개변수 약 2분 10초, 빠른 매개변수(자동 테스트) 약 20초 "
        "(AVX2 CPU에서는 아직 재지 않았습니다)"
    )
    both = nbtools.time_line({"AVX-512": (125, 20), "AVX2": (300, 40)})
    assert "AVX2 CPU에서 기본 매개변수 약 5분" in both and "아직" not in both


def _missing_exercise_parts(root: Path) -> list[str]:
    """연습 문제 확인 셀(exercises.check)이나 풀이 노트북(solutions/같은 이름)이 없는 장."""
    missing = []
    for name in CHAPTERS:
        nb = json.loads((root / "notebooks" / name).read_text(encoding="utf-8"))
        code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        if "exercises.check(" not in code:
            missing.append(f"{name}: exercises.check 셀 없음")
        if not (root / "solutions" / name).is_file():
            missing.append(f"{name}: solutions/{name} 없음")
    return missing


def test_every_chapter_has_checkable_exercises_and_a_solution(tmp_path):
    """README의 약속 (이슈 #20): 모든 장과 부록에 exercises.check 셀과 풀이 노트북."""
    assert _missing_exercise_parts(ROOT) == []
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "solutions").mkdir()
    for name in CHAPTERS:  # 검사가 실패할 수 있는지: 빈 장, 풀이 없음
        (tmp_path / "notebooks" / name).write_text('{"cells": []}', encoding="utf-8")
    assert len(_missing_exercise_parts(tmp_path)) == 2 * len(CHAPTERS)
