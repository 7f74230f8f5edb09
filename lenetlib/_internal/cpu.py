"""CPU 종류와 oneDNN 기본값. (내부용; ``import lenetlib``, 부록 A, ``make bench``)

TensorFlow는 리눅스의 x86 CPU 중 신경망 계산용 명령(AVX-512 VNNI·BF16, AVX-VNNI, AMX)이
있는 CPU에서만 oneDNN 커널을 저절로 켭니다. 그런 명령이 없는 AVX2 CPU(학생 노트북 대부분)에서는
꺼져 있어 합성곱이 2~4배 느립니다.
``import lenetlib``은 TensorFlow를 불러오기 전에 환경 변수 ``TF_ENABLE_ONEDNN_OPTS``의 **기본값**만
``1``로 정합니다: 사용자가 정한 값은 그대로 두고, 스레드 수도 바꾸지 않습니다.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

#: TensorFlow가 oneDNN 커널을 쓸지 정하는 환경 변수 (TensorFlow를 불러오기 전에만 효과)
ONEDNN_ENV = "TF_ENABLE_ONEDNN_OPTS"
#: oneDNN을 기본으로 켜는 CPU (``platform.machine()``의 값, 소문자)
X86_MACHINES = frozenset({"x86_64", "amd64", "i386", "i686", "x86"})
#: ``cpu_info``가 알려 주는 명령어 집합 (``/proc/cpuinfo``의 flags 이름)
FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile")


def usable_cores() -> int:
    """이 프로세스가 쓸 수 있는 CPU 코어 수 (macOS, Windows는 전체 코어 수). (부록 A)"""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1


def set_onednn_default(environ: dict[str, str] | None = None) -> str | None:
    """x86 CPU면 ``TF_ENABLE_ONEDNN_OPTS``의 기본값을 ``"1"``로 정하고 최종 값을 돌려줍니다.

    이미 정해진 값(사용자의 ``0`` 포함)은 바꾸지 않습니다. (``import lenetlib``, 부록 A)"""
    env = os.environ if environ is None else environ
    if platform.machine().lower() in X86_MACHINES:
        env.setdefault(ONEDNN_ENV, "1")
    return env.get(ONEDNN_ENV)


def cpu_info(cpuinfo: str | Path = "/proc/cpuinfo") -> dict[str, object]:
    """CPU 모델 이름, 코어 수, 주요 명령어 집합(AVX2, AVX-512, VNNI 등)의 유무. (부록 A, bench)

    ``/proc/cpuinfo``가 없는 운영체제(macOS, Windows)에서는 모델 이름만 ``platform``에서 읽음."""
    try:
        text = Path(cpuinfo).read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    fields = dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(":") for line in text.splitlines())
        if value
    )
    flags = set(fields.get("flags", "").split())
    return {
        "model": fields.get("model name") or platform.processor() or platform.machine(),
        "machine": platform.machine(),
        "cores": usable_cores(),
        "flags": {name: name in flags for name in FLAGS} if flags else {},
    }


def cpu_kind(info: dict[str, object] | None = None) -> str:
    """CPU 종류를 짧은 이름으로: ``"AVX-512 (VNNI)"``, ``"AVX-512"``, ``"AVX2"``, 모르면 기계 이름.

    (부록 A, ``make bench``, ``make timings``)"""
    info = cpu_info() if info is None else info
    flags = info.get("flags") or {}
    if flags.get("avx512f"):
        return "AVX-512 (VNNI)" if flags.get("avx512_vnni") else "AVX-512"
    if flags.get("avx2"):
        return "AVX2"
    return str(info.get("machine") or "?")
