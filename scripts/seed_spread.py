"""4장 기본 설정을 시드 여러 개로 훈련해 ``lenetlib/_data/seed_spread.json``을 만듭니다. (5장, 7장)

시드마다 새 프로세스에서 4장 노트북과 같은 코드를 실행합니다 (TrainConfig 기본값,
``model.build_lenet5``, ``speed.enable()`` + ``speed.training_model``, ``compile``/``fit``,
``training.make_callbacks``, 전체 데이터). 시드 하나마다 1~3분 (2코어 CPU).

    python scripts/seed_spread.py                      # 시드 42 1 2 3 4
    python scripts/seed_spread.py --seeds 42 1 2 3 4 5 6 --out build/seed_spread.json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from _record import environment, save_json

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "lenetlib" / "_data" / "seed_spread.json"
DEFAULT_SEEDS = (42, 1, 2, 3, 4)


def train_one(seed: int) -> dict:
    """4장의 기본 훈련을 시드 ``seed``로 한 번 하고 테스트 결과를 돌려줍니다."""
    from lenetlib import config, data, evaluation, model, preprocessing, speed, training

    config.setup(seed)
    speed.enable()
    train, test = data.load_mnist()
    prepared = preprocessing.prepare_mnist(train, test)
    cfg = training.TrainConfig(seed=seed)
    config.set_seed(cfg.seed)
    lenet = model.build_lenet5()
    history = training.train(lenet, prepared, cfg, progress="none")  # 4장의 compile + fit
    result = evaluation.evaluate_model(lenet, prepared.x_test, prepared.y_test)
    return {
        "seed": seed,
        "test_accuracy": round(result.accuracy, 6),
        "test_error_percent": round(100 * result.error_rate, 4),
        "epochs_run": history.epochs_run,
        "best_epoch": history.best_epoch,
        "seconds": round(history.seconds, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(DEFAULT_SEEDS))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # 자식 프로세스: 시드 하나
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(train_one(args.one)))
        return 0
    report = {
        "recipe": "4장 기본 설정: TrainConfig 기본값, build_lenet5, speed.enable(), 전체 데이터",
        "date": time.strftime("%Y-%m-%d"),
        "environment": environment(),
        "runs": [],
    }
    for seed in args.seeds:
        cmd = [sys.executable, __file__, "--one", str(seed)]
        line = subprocess.check_output(cmd, text=True).strip().splitlines()[-1]
        report["runs"].append(run := json.loads(line))
        print(f"시드 {seed}: 테스트 오류율 {run['test_error_percent']:.2f}% "
              f"({run['epochs_run']} 에포크, {run['seconds']:.0f}초)", flush=True)  # fmt: skip
        save_json(args.out, report)  # 시드마다 저장 (중간에 멈춰도 앞의 결과는 남음)
    print(f"저장: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
