"""`bench/bench.py`의 순수 도우미를 빠르게 검사합니다.

(PyTorch 기준 모델이 61,706개 파라미터인지는 `make bench`가 실행할 때 확인합니다. torch는
단위 테스트 환경에 설치하지 않습니다.)"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from bench import bench
from bench.torch_lenet import to_nchw


def test_median_odd_even_and_empty():
    assert bench.median([3.0, 1.0, 2.0]) == 2.0
    assert bench.median([4.0, 1.0, 3.0, 2.0]) == 2.5
    with pytest.raises(ValueError, match="중앙값"):
        bench.median([])


def test_samples_per_second_and_ratio():
    assert bench.samples_per_second(54000, 6.0) == pytest.approx(9000.0)
    with pytest.raises(ValueError, match="0보다 큰"):
        bench.samples_per_second(54000, 0.0)
    with pytest.raises(ValueError):
        bench.samples_per_second(54000, float("nan"))
    assert bench.ratio(9000.0, 6000.0) == pytest.approx(1.5)
    assert bench.ratio(None, 6000.0) is None
    assert bench.ratio(9000.0, None) is None
    assert bench.ratio(9000.0, 0.0) is None


def test_measurement_medians_and_dict():
    m = bench.Measurement("B", n_train=54000, epoch_seconds=[6.0, 5.0, 9.0])
    assert m.median_epoch_seconds == 6.0
    assert m.samples_per_second == pytest.approx(9000.0)
    d = m.to_dict()
    assert d["samples_per_second"] == pytest.approx(9000.0)
    assert d["epoch_seconds"] == [6.0, 5.0, 9.0]
    json.dumps(d)  # JSON으로 쓸 수 있어야 함
    empty = bench.Measurement("C", n_train=0, skipped="없음")
    assert empty.samples_per_second is None


def _results(with_c: bool) -> dict:
    a = bench.Measurement(bench.LABEL_A, 54000, epoch_seconds=[12.0, 11.0, 13.0])
    b = bench.Measurement(bench.LABEL_B, 54000, epoch_seconds=[6.0, 6.5, 5.5])
    if with_c:
        c = bench.Measurement(bench.LABEL_C, 54000, epoch_seconds=[6.0, 6.0, 6.0])
    else:
        c = bench.Measurement(bench.LABEL_C, 0, skipped="PyTorch(torch)를 불러올 수 없어")
    ms = [a.to_dict(), b.to_dict(), c.to_dict()]
    return {
        "machine": "테스트",
        "n_train": 54000,
        "n_val": 6000,
        "repeats": 3,
        "measurements": ms,
        "ratios": {
            "B/A": bench.ratio(b.samples_per_second, a.samples_per_second),
            "B/C": bench.ratio(b.samples_per_second, c.samples_per_second),
        },
        "time_to_target": {
            "target": 0.99,
            "reached": True,
            "epochs": 4,
            "seconds": 21.5,
            "accuracy": 0.9905,
            "max_epochs": 20,
        },
        "lenetlib": {
            "config": {"epochs": 3, "batch_size": 128},
            "overrides": {"splits": 1},
            "speed": {"steps_per_execution": 32, "validation_batch_size": 1024, "splits": 2},
        },
        "torch": {"torch_version": "2.13.0+cpu", "torch_threads": 2},
        "peak_memory_mib": 1500.0,
        "import_lenetlib": {"seconds": 0.0021, "tensorflow_loaded": False},
    }


def test_format_markdown_table_and_ratios():
    md = bench.format_markdown(_results(with_c=True))
    assert "| 방식 |" in md
    assert bench.LABEL_A in md and bench.LABEL_B in md and bench.LABEL_C in md
    assert "**2.00배**" in md  # B/A = 12.0 / 6.0
    assert "**1.00배**" in md  # B/C
    assert "4 에포크" in md and "21.5초" in md
    assert "2.1 ms" in md
    assert "steps_per_execution=32, validation_batch_size=1024" in md
    assert "2조각" in md and "--set으로 바꿈: {'splits': 1}" in md
    assert "스레드 2개" in md
    table_rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert len(table_rows) == 5  # 머리글, 구분선, A, B, C


def test_format_markdown_skipped_torch_and_not_reached():
    res = _results(with_c=False)
    res["time_to_target"] = {
        "target": 0.99,
        "reached": False,
        "best_accuracy": 0.985,
        "max_epochs": 2,
    }
    md = bench.format_markdown(res)
    assert "건너뜀" in md
    assert "B/C (4장 ÷ PyTorch): **—배**" in md
    assert "도달하지 못했습니다" in md
    console = bench.format_console(res)
    assert "건너뜀" in console and "B/A = 2.00배" in console


def test_parse_args_validates():
    args = bench.parse_args(["--quick", "--repeats", "2", "--images", "20000"])
    assert args.quick and args.repeats == 2 and args.images == 20000
    with pytest.raises(SystemExit):
        bench.parse_args(["--repeats", "0"])
    with pytest.raises(SystemExit):
        bench.parse_args(["--images", "70000"])


def test_to_nchw_shapes():
    x = np.zeros((3, 32, 32, 1), np.float32)
    assert to_nchw(x).shape == (3, 1, 32, 32)
    assert to_nchw(x[..., 0]).shape == (3, 1, 32, 32)
    with pytest.raises(ValueError, match="모양"):
        to_nchw(np.zeros((32, 32), np.float32))


def test_parse_overrides_reads_json_values():
    got = bench.parse_overrides(["jit_compile=False", "steps_per_execution=32", "x=abc"])
    assert got == {"jit_compile": False, "steps_per_execution": 32, "x": "abc"}
    assert bench.parse_overrides(["jit_compile=auto"]) == {"jit_compile": "auto"}
    with pytest.raises(ValueError, match="이름=값"):
        bench.parse_overrides(["steps_per_execution"])


def test_chapter_config_applies_overrides_and_rejects_old_speed_fields():
    cfg = bench._chapter_config({"batch_size": 256, "splits": 1}, epochs=3)
    assert (cfg.batch_size, cfg.epochs, cfg.seed) == (256, 3, 42)
    with pytest.raises(ValueError, match="TrainConfig에 없는 이름") as info:
        bench._chapter_config({"steps_per_execution": 32})  # 속도 설정은 이제 speed 모듈에
    assert "splits" in str(info.value)


def test_format_markdown_one_piece():
    res = _results(with_c=True)
    res["lenetlib"]["speed"]["splits"] = 1
    assert "배치를 나누지 않음" in bench.format_markdown(res)


def test_ratios_cover_every_arm_and_tolerate_missing_ones():
    got = bench.ratios({"A": 4000.0, "A1": 8000.0, "B": 16000.0, "C": 10000.0, "D": None})
    assert got == {"B/A": 4.0, "B/A'": 2.0, "B/C": 1.6, "B/D": None, "A'/A": 2.0}


def test_worker_environment_sets_onednn_per_arm(monkeypatch):
    """A는 TensorFlow 기본값(사용자 값), A'는 oneDNN 강제, AVX2 흉내는 oneDNN ISA를 제한합니다."""
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "1")  # lenetlib이 부모 프로세스에 정한 기본값
    monkeypatch.setattr(bench, "USER_ONEDNN", None)
    # A의 자식도 import lenetlib을 하므로 TensorFlow만의 기본값을 알아내 명시 (AVX2 CPU: "0")
    asked = []
    monkeypatch.setattr(
        bench, "tensorflow_default_onednn", lambda env: asked.append(dict(env)) or "0"
    )
    assert bench.worker_environment("A", False)["TF_ENABLE_ONEDNN_OPTS"] == "0"
    assert "TF_ENABLE_ONEDNN_OPTS" not in asked[0]  # 물을 때는 부모의 기본값 1을 빼고
    monkeypatch.setattr(bench, "tensorflow_default_onednn", lambda env: None)
    assert "TF_ENABLE_ONEDNN_OPTS" not in bench.worker_environment("A", False)  # 모르면 정하지 않음
    assert bench.worker_environment("A1", False)["TF_ENABLE_ONEDNN_OPTS"] == "1"
    emulated = bench.worker_environment("A", True)
    assert emulated["TF_ENABLE_ONEDNN_OPTS"] == "0" and emulated["ONEDNN_MAX_CPU_ISA"] == "AVX2"
    assert bench.worker_environment("A1", True)["TF_ENABLE_ONEDNN_OPTS"] == "1"
    monkeypatch.setattr(bench, "USER_ONEDNN", "0")  # 사용자가 끈 값은 A, B에서 그대로
    assert bench.worker_environment("A", True)["TF_ENABLE_ONEDNN_OPTS"] == "0"
    assert bench.worker_environment("B", False)["TF_ENABLE_ONEDNN_OPTS"] == "0"


def test_tensorflow_default_onednn_matches_this_cpu():
    """lenetlib 없이 TensorFlow만 부른 기본값: VNNI·AMX가 있는 CPU에서만 "1" (이슈 #17의 규칙)."""
    from lenetlib._internal.cpu import cpu_info

    env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
    flags = cpu_info()["flags"]
    neural = ("avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile")
    wanted = "1" if any(flags[f] for f in neural) else "0"
    assert bench.tensorflow_default_onednn(env) == wanted


def test_machine_description_names_the_cpu_kind():
    from lenetlib._internal.cpu import cpu_kind

    text = bench.machine_description()
    assert cpu_kind() in text and "코어" in text and "avx2" in text
    assert "AVX2 흉내" in bench.machine_description(emulate_avx2=True)
