"""7장 표의 모든 줄을 시드 여러 개로 훈련해 ``lenetlib/_data/paper_reference.json``을 만듭니다.

각 실행은 산출물 폴더의 ``paper/<줄>-seed<시드>``에 저장되므로, 멈췄다가 다시 실행하면 저장된
실행은 불러오고 나머지만 훈련합니다 (7장 노트북도 같은 저장본을 씀). 시드 하나(모든 줄)를 다
돌 때마다 JSON을 다시 씁니다. 2코어 CPU에서 시드 하나(일곱 줄)에 한가하면 약 8분, 다른 일과
CPU를 나누면 15~20분.

    python scripts/paper_reference.py                   # 시드 42 1 2, 전체 데이터
    python scripts/paper_reference.py --seeds 42 --train-limit 3000 --epochs 2 --out build/ref.json
    python scripts/paper_reference.py --rows batchnorm dropout schedule   # 몇 줄만 다시 재서 합침

``--rows``(줄의 폴더 이름)로 고른 줄만 다시 재면, 기존 JSON의 다른 줄은 그대로 두고 그 줄들의
runs만 바꿉니다. 줄마다 ``measured``(날짜, lenetlib 버전, 까닭)를 남깁니다.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from _record import environment, save_json

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "lenetlib" / "_data" / "paper_reference.json"
DEFAULT_SEEDS = (42, 1, 2)


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
    parser.add_argument("--rows", nargs="+", default=None, help="다시 잴 줄의 폴더 이름")
    parser.add_argument("--reason", default="", help="--rows로 다시 잰 까닭 (JSON에 남김)")
    args = parser.parse_args(argv)

    import keras

    from lenetlib import config, data, paper, preprocessing, speed

    config.setup(args.seeds[0])
    speed.enable()
    train, test = data.load_mnist()
    prepared = preprocessing.prepare_mnist(train, test, train_limit=args.train_limit)
    epochs = args.epochs or paper.ROW_EPOCHS
    chosen = [label for label, r in paper.ROWS.items() if not args.rows or r.folder in args.rows]
    if args.rows and len(chosen) != len(set(args.rows)):
        folders = ", ".join(r.folder for r in paper.ROWS.values())
        parser.error(f"모르는 줄 이름이 있습니다: {args.rows}. 쓸 수 있는 이름: {folders}")
    rows = {label: {"label": label, "params": 0, "runs": []} for label in chosen}
    if args.rows and not args.out.is_file():
        parser.error(f"--rows는 기존 결과에 합칩니다. {args.out}이 없으니 먼저 모두 재세요.")
    if args.rows:
        return _remeasure(args, rows, prepared)
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
        save_json(args.out, report)
    print(f"저장: {args.out}")
    return 0


def _remeasure(args: argparse.Namespace, rows: dict, prepared: object) -> int:
    """고른 줄만 시드마다 다시 훈련하고 기존 JSON의 그 줄을 바꿉니다 (다른 줄은 그대로)."""
    import keras

    from lenetlib import __version__, paper

    report = json.loads(args.out.read_text(encoding="utf-8"))
    epochs = args.epochs or report["epochs"]
    for label, row in rows.items():
        for seed in args.seeds:
            keras.backend.clear_session()
            run = paper.run_row(label, prepared, seed=seed, epochs=epochs, directory=args.artifacts,
                                progress="none", force=True)  # fmt: skip
            row["params"] = run.params
            error = round(run.test_error_percent, 4)
            row["runs"].append({"seed": seed, "test_error_percent": error,
                                "epochs_run": run.history.epochs_run,
                                "best_epoch": run.history.best_epoch,
                                "seconds": round(run.history.seconds, 1)})  # fmt: skip
            print(f"시드 {seed} {label}: {run.test_error_percent:.2f}%", flush=True)
        row["measured"] = {"date": time.strftime("%Y-%m-%d"), "lenetlib": __version__,
                           "reason": args.reason}  # fmt: skip
        report["rows"] = [row if old["label"] == label else old for old in report["rows"]]
        save_json(args.out, report)
    print(f"저장: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
