"""8장의 손글씨 견본 그림을 만듭니다: 숫자 0~9를 획으로 직접 그려 휴대폰으로 찍은 종이처럼.

사용법 (저장소 루트에서)::

    .venv/bin/python scripts/make_handwriting_samples.py          # 숫자마다 5장, 시드 2026
    .venv/bin/python scripts/make_handwriting_samples.py --per-digit 3 --out /tmp/hw

숫자마다 뼈대 획(단위 정사각형 안의 점)을 정해 두고, 장마다 점을 조금씩 흔들고(손떨림),
기울기·회전·가로세로 비율·크기·위치·획 굵기·잉크 색·종이 색과 그늘을 바꿔 그립니다.
부드러운 획은 Catmull-Rom 곡선으로 잇습니다. 4배 크게 그린 뒤 줄여서 가장자리를 부드럽게 합니다.
결과: ``lenetlib/_data/handwriting/digit_<숫자>_<k>.png`` (96×96 RGB). 같은 시드면 같은 그림.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

SIZE = 96  # 저장하는 그림의 한 변
SCALE = 4  # 이만큼 크게 그린 뒤 줄임 (안티에일리어싱)
OUT = Path(__file__).resolve().parent.parent / "lenetlib" / "_data" / "handwriting"

# 숫자마다 쓰는 방식(변형) 목록, 변형마다 획 목록: (부드럽게 이을지, 점들).
# 좌표는 (x, y), 0~1, y는 아래로. 사람·나라마다 다른 모양(받침 있는 1, 가로줄 7, 닫힌 4)도.
Stroke = tuple[bool, list[tuple[float, float]]]
LOOP_9 = (
    True,
    [(0.76, 0.28), (0.6, 0.06), (0.34, 0.07), (0.22, 0.3), (0.4, 0.5), (0.66, 0.44), (0.76, 0.22)],
)
DIGITS: dict[int, list[list[Stroke]]] = {
    0: [[(True, [(0.5, 0.03), (0.2, 0.2), (0.14, 0.55), (0.3, 0.92), (0.55, 0.97), (0.8, 0.75),
                 (0.85, 0.4), (0.7, 0.1), (0.45, 0.04)])]],
    1: [[(False, [(0.32, 0.25), (0.55, 0.03), (0.55, 0.97)])],
        [(False, [(0.5, 0.03), (0.5, 0.97)])],
        [(False, [(0.3, 0.22), (0.55, 0.03), (0.55, 0.97)]), (False, [(0.3, 0.97), (0.8, 0.97)])]],
    2: [[(True, [(0.18, 0.28), (0.35, 0.07), (0.6, 0.05), (0.78, 0.22), (0.7, 0.45),
                 (0.45, 0.7), (0.18, 0.95)]), (False, [(0.18, 0.95), (0.86, 0.93)])]],
    3: [[(True, [(0.2, 0.15), (0.48, 0.03), (0.76, 0.16), (0.7, 0.38), (0.42, 0.48)]),
         (True, [(0.42, 0.48), (0.75, 0.58), (0.8, 0.82), (0.5, 0.97), (0.17, 0.86)])],
        [(False, [(0.2, 0.05), (0.8, 0.05), (0.42, 0.45)]),
         (True, [(0.42, 0.45), (0.75, 0.55), (0.8, 0.82), (0.5, 0.97), (0.17, 0.86)])]],
    4: [[(False, [(0.58, 0.03), (0.15, 0.65), (0.88, 0.65)]), (False, [(0.64, 0.3), (0.64, 0.97)])],
        [(False, [(0.64, 0.03), (0.15, 0.65), (0.88, 0.65)]),
         (False, [(0.64, 0.03), (0.64, 0.97)])],
        [(False, [(0.25, 0.03), (0.2, 0.6), (0.85, 0.6)]), (False, [(0.66, 0.2), (0.66, 0.97)])]],
    5: [[(False, [(0.8, 0.05), (0.3, 0.05), (0.26, 0.45)]),
         (True, [(0.26, 0.45), (0.55, 0.37), (0.8, 0.55), (0.78, 0.83), (0.5, 0.97),
                 (0.18, 0.87)])]],
    6: [[(True, [(0.72, 0.04), (0.42, 0.22), (0.22, 0.58), (0.3, 0.9), (0.55, 0.97),
                 (0.77, 0.8), (0.7, 0.57), (0.45, 0.51), (0.24, 0.66)])]],
    7: [[(False, [(0.14, 0.06), (0.86, 0.06), (0.38, 0.97)])],
        [(False, [(0.14, 0.06), (0.86, 0.06), (0.38, 0.97)]),
         (False, [(0.35, 0.52), (0.78, 0.52)])],
        [(False, [(0.14, 0.22), (0.14, 0.06), (0.86, 0.06), (0.4, 0.97)])]],
    8: [[(True, [(0.5, 0.48), (0.26, 0.32), (0.3, 0.08), (0.5, 0.03), (0.7, 0.09), (0.72, 0.3),
                 (0.5, 0.48), (0.22, 0.7), (0.3, 0.93), (0.52, 0.97), (0.76, 0.9), (0.78, 0.68),
                 (0.5, 0.48)])]],
    9: [[LOOP_9, (True, [(0.76, 0.2), (0.72, 0.6), (0.64, 0.97)])],
        [LOOP_9, (True, [(0.76, 0.2), (0.74, 0.7), (0.52, 0.97), (0.26, 0.88)])]],
}  # fmt: skip


def catmull_rom(points: np.ndarray, per_segment: int = 12) -> np.ndarray:
    """점들을 지나는 부드러운 곡선 (끝점은 복제해 곡선이 끝점에서 멈추게)."""
    p = np.vstack([points[:1], points, points[-1:]])
    t = np.linspace(0, 1, per_segment, endpoint=False)[:, None]
    out = []
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        out.append(
            0.5
            * (
                2 * p1
                + (p2 - p0) * t
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                + (3 * p1 - p0 - 3 * p2 + p3) * t**3
            )
        )
    return np.vstack([*out, points[-1:]])


def transform(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """손글씨 한 장의 기하 변환: 기울기, 회전, 가로세로 비율, 크기, 위치 (2×2 행렬과 이동)."""
    slant = rng.uniform(-0.1, 0.35)  # 오른쪽으로 누운 글씨가 많음
    angle = np.deg2rad(rng.uniform(-8, 8))
    height = rng.uniform(0.45, 0.75) * SIZE
    width = height * rng.uniform(0.7, 1.0)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    matrix = rot @ np.array([[width, -slant * height], [0.0, height]])
    centre = SIZE / 2 + rng.uniform(-0.12, 0.12, size=2) * SIZE
    return matrix, centre - matrix @ np.array([0.5, 0.5])


def paper(rng: np.random.Generator) -> np.ndarray:
    """휴대폰으로 찍은 흰 종이: 약간 누런 색, 한쪽에서 드는 그늘, 약한 잡음."""
    base = np.array([242, 238, 226]) + rng.uniform(-8, 8, size=3)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    direction = rng.normal(size=2)
    shade = 18 * (direction[0] * (xx - 0.5) + direction[1] * (yy - 0.5)) / np.hypot(*direction)
    noise = rng.normal(0, 1.0, size=(SIZE, SIZE, 1))
    return np.clip(base + shade[..., None] + noise, 0, 255)


def draw_digit(digit: int, variant: int, rng: np.random.Generator) -> Image.Image:
    """숫자 하나를 ``variant``번째 쓰는 방식으로, 손글씨처럼 그린 96×96 RGB 그림."""
    matrix, offset = transform(rng)
    big = Image.new("L", (SIZE * SCALE, SIZE * SCALE), 0)
    pen = ImageDraw.Draw(big)
    width = rng.uniform(0.03, 0.11) * SIZE * SCALE
    for smooth, points in DIGITS[digit][variant % len(DIGITS[digit])]:
        ctrl = np.asarray(points) + rng.normal(0, 0.025, size=(len(points), 2))
        line = catmull_rom(ctrl) if smooth else ctrl
        xy = (line @ matrix.T + offset) * SCALE
        pen.line([tuple(p) for p in xy], fill=255, width=round(width), joint="curve")
        for x, y in xy[[0, -1]]:  # 둥근 획 끝
            pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=255)
    alpha = np.asarray(big.resize((SIZE, SIZE), Image.Resampling.LANCZOS), dtype=float) / 255
    ink = np.array([[25, 25, 30], [20, 35, 110], [70, 70, 75]])[rng.integers(3)]  # 검정, 파랑, 연필
    strength = rng.uniform(0.75, 1.0)  # 펜을 누른 세기
    image = paper(rng) * (1 - strength * alpha[..., None]) + ink * strength * alpha[..., None]
    return Image.fromarray(np.round(image).astype(np.uint8))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-digit", type=int, default=5, help="숫자마다 몇 장 (기본 5)")
    parser.add_argument("--seed", type=int, default=2026, help="난수 시드 (기본 2026)")
    parser.add_argument("--out", type=Path, default=OUT, help="저장할 폴더")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("digit_*.png"):
        old.unlink()
    total = 0
    for digit in range(10):
        for k in range(args.per_digit):
            path = args.out / f"digit_{digit}_{k}.png"
            draw_digit(digit, k, rng).save(path, optimize=True)
            total += path.stat().st_size
    print(f"{10 * args.per_digit}장을 {args.out}에 저장 ({total / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
