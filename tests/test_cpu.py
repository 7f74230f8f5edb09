"""lenetlib._internal.cpu: CPU 종류 읽기와 oneDNN 기본값 (부록 A, make bench)."""

from __future__ import annotations

import platform

import pytest

from lenetlib._internal import cpu

AVX2_CPUINFO = "processor\t: 0\nmodel name\t: AMD Ryzen 5 5600U\nflags\t\t: fpu sse2 avx avx2 fma\n"
AVX512_CPUINFO = (
    "processor\t: 0\nmodel name\t: Intel Xeon\n"
    "flags\t\t: avx2 fma avx512f avx512_vnni avx512_bf16\n"
)


@pytest.mark.parametrize(
    "text, kind, model",
    [(AVX2_CPUINFO, "AVX2", "AMD Ryzen 5 5600U"), (AVX512_CPUINFO, "AVX-512 (VNNI)", "Intel Xeon")],
)
def test_cpu_info_reads_model_and_flags(tmp_path, text, kind, model):
    path = tmp_path / "cpuinfo"
    path.write_text(text, encoding="utf-8")
    info = cpu.cpu_info(path)
    assert info["model"] == model
    assert info["flags"]["avx2"] and info["flags"]["avx512f"] == (kind != "AVX2")
    assert cpu.cpu_kind(info) == kind


def test_cpu_info_without_proc_falls_back_to_platform(tmp_path):
    info = cpu.cpu_info(tmp_path / "없음")
    assert info["flags"] == {} and info["model"]
    assert cpu.cpu_kind(info) == platform.machine()


def test_set_onednn_default_only_fills_an_empty_value(monkeypatch):
    monkeypatch.setattr(platform, "machine", lambda: "x86_64")
    env: dict[str, str] = {}
    assert cpu.set_onednn_default(env) == "1" and env == {cpu.ONEDNN_ENV: "1"}
    kept = {cpu.ONEDNN_ENV: "0"}
    assert cpu.set_onednn_default(kept) == "0" and kept == {cpu.ONEDNN_ENV: "0"}
    monkeypatch.setattr(platform, "machine", lambda: "arm64")
    other: dict[str, str] = {}
    assert cpu.set_onednn_default(other) is None and other == {}
