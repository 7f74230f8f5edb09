"""7장 표의 모든 줄을 시드 여러 개로 훈련해 ``lenetlib/_data/paper_reference.json``을 만듭니다.

각 실행은 산출물 폴더의 ``paper/<줄>-seed<시드>``에 저장되므로, 멈췄다가 다시 실행하면 저장된
실행은 불러오고 나머지만 훈련합니다 (7장 노트북도 같은 저장본을 씀). 시드 하나(모든 줄)를 다
돌 때마다 JSON을 다시 씁니다. 2코어 CPU에서 시드 하나(일곱 줄)에 한가하면 약 8분, 다른 일과
CPU를 나누면 15~20분.

    python scripts/paper_reference.py                   # 시드 42 1 2, 전체 데이터
    python scripts/paper_reference.py --seeds 42 --train-limit 3000 --epochs 2 --out build/ref.json
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "lenetlib" / "_data" / "paper_reference.json"
DEFAULT_SEEDS = (42, 1, 2)


def environment() -> dict:
    """기계와 버전 정보."""
    code = "import json; from lenetlib import config; print(json.dumps(config.environment_info()))"
    versions = json.loads(subprocess.check_output([sys.executable, "-c", code], text=True))
    return {"machine": platform.machine(), "platform": platform.platform(), **versions}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(DEFAULT_SEEDS))
    parser.add_argument(
        "--epochs", type=int, default=None, help="줄마다 최대 에포크 (기본: 7장과 같음)"
    )
    parser.add_argument("--train-limit", type=int, default=None)
    parser.add_argument(
        "--artifacts", type=Path, default=None, help="산출물 폴더 (기본: artifacts/)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    from lenetlib import config, data, paper, preprocessing, speed
    from lenetlib._internal import atomic
    from lenetlib._internal.backend import keras

    config.setup(args.seeds[0])
    speed.enable()
    train, test = data.load_mnist()
    prepared = preprocessing.prepare_mnist(train, test, train_limit=args.train_limit)
    epochs = args.epochs or paper.ROW_EPOCHS
    rows = {label: {"label": label, "params": 0, "runs": []} for label in paper.ROWS}
    report = {
        "date": time.strftime("%Y-%m-%d"),
        "environment": environment(),
        "epochs": epochs,
        "train_limit": args.train_limit,
        "seeds": [],  # 모든 줄을 마친 시드
        "rows": list(rows.values()),
    }
    for seed in args.seeds:
        for label in paper.ROWS:
            keras.backend.clear_session()
            run = paper.run_row(label, prepared, seed=seed, epochs=epochs,
                                directory=args.artifacts, progress="none")  # fmt: skip
            rows[label]["params"] = run.params
            rows[label]["runs"].append({
                "seed": seed,
                "test_error_percent": round(run.test_error_percent, 4),
                "epochs_run": run.history.epochs_run,
                "best_epoch": run.history.best_epoch,
                "seconds": round(run.history.seconds, 1),
            })  # fmt: skip
            state = "훈련" if run.trained_now else "저장본"
            print(f"시드 {seed} {label}: {run.test_error_percent:.2f}% "
                  f"({run.history.epochs_run} 에포크, {run.history.seconds:.0f}초, {state})",
                  flush=True)  # fmt: skip
        report["seeds"].append(seed)
        atomic.write_json(args.out, report)
    print(f"저장: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
