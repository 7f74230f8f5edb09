"""훈련 속도 레버 탐색 스크립트 (개발용, `make bench`와는 별개).

각 변형(variant)마다 모델을 하나씩 만들고 워밍업 에포크(추적·XLA 컴파일 포함)를 뺀 뒤,
A B C ... A B C ... 순서로 번갈아 1 에포크씩 돌려 에포크 시간의 중앙값을 냅니다.
스레드 설정처럼 프로세스 시작 전에 정해야 하는 레버는 ``--subprocess`` 모드로
변형마다 새 프로세스를 띄워 번갈아 잽니다.

사용 예::

    .venv/bin/python bench/explore.py --images 20000 --repeats 3
    .venv/bin/python bench/explore.py --threads --images 20000 --repeats 3
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "mnist.npz"


def load(images: int):
    import numpy as np

    with np.load(DATA) as f:
        x = f["x_train"][:images]
        y = f["y_train"][:images]
    return x, y


def seed_model():
    from bench.bench import create_seed_lenet5

    return create_seed_lenet5()


def seed_callbacks():
    import keras

    return [
        keras.callbacks.EarlyStopping(
            monitor="val_accuracy", patience=5, restore_best_weights=True, verbose=0
        ),
        keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss", factor=0.5, patience=3, min_lr=1e-7, verbose=0
        ),
    ]


class EpochTimer:
    """on_epoch_begin → on_epoch_end 시간(검증 포함)을 기록하는 콜백을 만듭니다."""

    @staticmethod
    def make():
        import keras

        class _Timer(keras.callbacks.Callback):
            def __init__(self):
                super().__init__()
                self.times: list[float] = []
                self._t0 = 0.0

            def on_epoch_begin(self, epoch, logs=None):
                self._t0 = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                self.times.append(time.perf_counter() - self._t0)

        return _Timer()


def build_variants(x_raw, y_raw):
    """변형 이름 → (준비 함수) 사전을 만듭니다. 준비 함수는 한 에포크를 도는 함수를 돌려줍니다."""
    import keras
    import numpy as np
    import tensorflow as tf

    n = len(x_raw)
    n_val = int(n * 0.1)
    n_tr = n - n_val
    # 원본 노트북 방식: float32/255 → tf.pad → expand_dims (tf.Tensor), one-hot
    x_orig = tf.expand_dims(tf.pad(x_raw.astype("float32") / 255.0, [[0, 0], [2, 2], [2, 2]]), -1)
    y_orig = keras.utils.to_categorical(y_raw, 10)
    # numpy 한 번만 패딩·스케일
    x_np = np.zeros((n, 32, 32, 1), np.float32)
    x_np[:, 2:30, 2:30, 0] = x_raw.astype(np.float32) / 255.0
    y_np = y_orig.astype(np.float32)
    x_tr, y_tr, x_va, y_va = x_np[:n_tr], y_np[:n_tr], x_np[n_tr:], y_np[n_tr:]
    y_tr_sparse = y_raw[:n_tr].astype(np.int32)
    y_va_sparse = y_raw[n_tr:].astype(np.int32)

    def compiled(jit=False, spe=1, sparse=False, policy=None):
        keras.utils.set_random_seed(42)
        if policy:
            keras.config.set_dtype_policy(policy)
        m = seed_model()
        keras.config.set_dtype_policy("float32")
        m.compile(
            optimizer=keras.optimizers.Adam(1e-3),
            loss="sparse_categorical_crossentropy" if sparse else "categorical_crossentropy",
            metrics=["accuracy"],
            jit_compile=jit,
            steps_per_execution=spe,
        )
        return m

    def fit_fn(model, fit_kwargs, verbose=0, callbacks=True):
        def run():
            timer = EpochTimer.make()
            cbs = (seed_callbacks() if callbacks else []) + [timer]
            t0 = time.perf_counter()
            with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
                model.fit(epochs=1, verbose=verbose, callbacks=cbs, **fit_kwargs)
            return timer.times[0], time.perf_counter() - t0

        return run

    def ds(x, y, batch, shuffle):
        d = tf.data.Dataset.from_tensor_slices((x, y)).cache()
        if shuffle:
            d = d.shuffle(len(x), seed=42, reshuffle_each_iteration=True)
        return d.batch(batch).prefetch(tf.data.AUTOTUNE)

    npv = dict(x=x_tr, y=y_tr, batch_size=128, validation_data=(x_va, y_va))
    v = {}
    v["orig(tf.Tensor,val_split,verbose1)"] = lambda: fit_fn(
        compiled(),
        dict(x=x_orig, y=y_orig, batch_size=128, validation_split=0.1),
        verbose=1,
    )
    v["np,val_split,verbose0"] = lambda: fit_fn(
        compiled(), dict(x=x_np, y=y_np, batch_size=128, validation_split=0.1)
    )
    v["np,val_data"] = lambda: fit_fn(compiled(), npv)
    v["np,val_data,spe32"] = lambda: fit_fn(compiled(spe=32), npv)
    v["np,val_data,spe8"] = lambda: fit_fn(compiled(spe=8), npv)
    v["np,val_data,spe128"] = lambda: fit_fn(compiled(spe=128), npv)
    v["np,val_data,spe32,vbs1024"] = lambda: fit_fn(
        compiled(spe=32), dict(npv, validation_batch_size=1024)
    )
    v["np,sparse,spe32"] = lambda: fit_fn(
        compiled(spe=32, sparse=True),
        dict(x=x_tr, y=y_tr_sparse, batch_size=128, validation_data=(x_va, y_va_sparse)),
    )
    v["tfdata(cache,shuffle,prefetch),spe32"] = lambda: fit_fn(
        compiled(spe=32),
        dict(x=ds(x_tr, y_tr, 128, True), validation_data=ds(x_va, y_va, 1024, False)),
    )
    v["np,NO val,spe32"] = lambda: fit_fn(
        compiled(spe=32), dict(x=x_tr, y=y_tr, batch_size=128), callbacks=False
    )
    v["np,val_data,spe32,no callbacks"] = lambda: fit_fn(compiled(spe=32), npv, callbacks=False)
    v["np,val_data,spe128,vbs1024"] = lambda: fit_fn(
        compiled(spe=128), dict(npv, validation_batch_size=1024)
    )
    v["np,val_data,spe32,vbs1024,bf16"] = lambda: fit_fn(
        compiled(spe=32, policy="mixed_bfloat16"), dict(npv, validation_batch_size=1024)
    )
    v["tfdata(cache,shuffle,prefetch),spe128"] = lambda: fit_fn(
        compiled(spe=128),
        dict(x=ds(x_tr, y_tr, 128, True), validation_data=ds(x_va, y_va, 1024, False)),
    )
    v["np,val_data,xla"] = lambda: fit_fn(compiled(jit=True), npv)
    v["np,val_data,xla,spe8"] = lambda: fit_fn(compiled(jit=True, spe=8), npv)
    v["np,val_data,xla,spe32"] = lambda: fit_fn(compiled(jit=True, spe=32), npv)
    v["np,val_data,xla,spe128"] = lambda: fit_fn(compiled(jit=True, spe=128), npv)
    v["np,val_data,xla,spe32,vbs1024"] = lambda: fit_fn(
        compiled(jit=True, spe=32), dict(npv, validation_batch_size=1024)
    )
    v["np,sparse,xla,spe32"] = lambda: fit_fn(
        compiled(jit=True, spe=32, sparse=True),
        dict(x=x_tr, y=y_tr_sparse, batch_size=128, validation_data=(x_va, y_va_sparse)),
    )
    v["tfdata(cache,shuffle,prefetch),xla,spe32"] = lambda: fit_fn(
        compiled(jit=True, spe=32),
        dict(x=ds(x_tr, y_tr, 128, True), validation_data=ds(x_va, y_va, 1024, False)),
    )
    v["np,NO val,xla,spe32"] = lambda: fit_fn(
        compiled(jit=True, spe=32), dict(x=x_tr, y=y_tr, batch_size=128), callbacks=False
    )
    v["np,val_data,xla,spe32,no callbacks"] = lambda: fit_fn(
        compiled(jit=True, spe=32), npv, callbacks=False
    )
    return v, n_tr


def run_inprocess(args) -> dict:
    x, y = load(args.images)
    variants, n_tr = build_variants(x, y)
    if args.only:
        keep = [k for k in variants if k in args.only.split("|")]
        variants = {k: variants[k] for k in keep}
    runners = {}
    warm = {}
    for name, make in variants.items():
        run = make()
        t_epoch, t_fit = run()  # 워밍업(추적, XLA 컴파일) — 집계 제외
        warm[name] = t_fit
        runners[name] = run
        print(f"[warm] {name}: {t_fit:.2f}s", file=sys.stderr, flush=True)
    res = {k: {"epoch": [], "fit": []} for k in runners}
    for r in range(args.repeats):
        for name, run in runners.items():
            t_epoch, t_fit = run()
            res[name]["epoch"].append(t_epoch)
            res[name]["fit"].append(t_fit)
            print(
                f"[{r}] {name}: epoch {t_epoch:.2f}s fit {t_fit:.2f}s", file=sys.stderr, flush=True
            )
    out = {}
    for name, d in res.items():
        med = statistics.median(d["epoch"])
        out[name] = {
            "n_train": n_tr,
            "epoch_s": d["epoch"],
            "fit_s": d["fit"],
            "median_epoch_s": med,
            "median_fit_s": statistics.median(d["fit"]),
            "samples_per_s": n_tr / med,
            "warmup_fit_s": warm[name],
        }
    return out


def profile(args) -> dict:
    """한 배치 학습 단계, 예측만, 입력 파이프라인만의 시간을 잽니다."""
    import keras
    import numpy as np
    import tensorflow as tf

    x, y = load(args.images)
    xn = np.zeros((len(x), 32, 32, 1), np.float32)
    xn[:, 2:30, 2:30, 0] = x / 255.0
    yn = keras.utils.to_categorical(y, 10).astype(np.float32)
    xb, yb = xn[:128], yn[:128]
    out = {}
    for jit in (False, True):
        keras.utils.set_random_seed(42)
        m = seed_model()
        m.compile(
            optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"], jit_compile=jit
        )
        m.train_on_batch(xb, yb)
        m.predict_on_batch(xb)
        reps = 300
        ts, ps = [], []
        for _ in range(3):
            t0 = time.perf_counter()
            for _ in range(reps):
                m.train_on_batch(xb, yb)
            ts.append((time.perf_counter() - t0) / reps)
            t0 = time.perf_counter()
            for _ in range(reps):
                m.predict_on_batch(xb)
            ps.append((time.perf_counter() - t0) / reps)
        out[f"train_on_batch(128) jit={jit} ms"] = statistics.median(ts) * 1e3
        out[f"predict_on_batch(128) jit={jit} ms"] = statistics.median(ps) * 1e3
        # 그래프 안에서 여러 단계를 도는 순수 계산 시간 (파이썬 오버헤드 최소)
        opt = keras.optimizers.Adam(1e-3)
        loss_fn = keras.losses.CategoricalCrossentropy()
        opt.build(m.trainable_variables)

        def _step(xb_, yb_, m=m, opt=opt, loss_fn=loss_fn):
            with tf.GradientTape() as tape:
                loss = loss_fn(yb_, m(xb_, training=True))
            grads = tape.gradient(loss, m.trainable_variables)
            opt.apply(grads, m.trainable_variables)
            return loss

        step = tf.function(_step, jit_compile=jit)

        @tf.function
        def loop(n, step=step):
            for _ in tf.range(n):
                step(xb, yb)
            return 0

        loop(tf.constant(5))
        rs = []
        for _ in range(3):
            t0 = time.perf_counter()
            loop(tf.constant(reps))
            rs.append((time.perf_counter() - t0) / reps)
        out[f"in-graph step(128) jit={jit} ms"] = statistics.median(rs) * 1e3
    # PyTorch: 같은 배치로 순전파+역전파+Adam 한 단계 (스레드 1, 2)
    try:
        import torch

        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from torch_lenet import build_torch_lenet5, to_nchw

        tm = build_torch_lenet5()
        topt = torch.optim.Adam(tm.parameters(), lr=1e-3, eps=1e-7)
        tl = torch.nn.CrossEntropyLoss()
        txb = torch.from_numpy(to_nchw(xb))
        tyb = torch.from_numpy(y[:128].astype("int64"))
        for nt in (1, 2):
            torch.set_num_threads(nt)
            rs, ps = [], []
            for _ in range(3):
                t0 = time.perf_counter()
                for _ in range(reps):
                    topt.zero_grad(set_to_none=True)
                    tl(tm(txb), tyb).backward()
                    topt.step()
                rs.append((time.perf_counter() - t0) / reps)
                t0 = time.perf_counter()
                with torch.no_grad():
                    for _ in range(reps):
                        tm(txb)
                ps.append((time.perf_counter() - t0) / reps)
            out[f"torch train step(128) threads={nt} ms"] = statistics.median(rs) * 1e3
            out[f"torch predict(128) threads={nt} ms"] = statistics.median(ps) * 1e3
    except ImportError:
        pass
    # 입력 파이프라인만: Keras numpy 어댑터가 만드는 데이터셋을 한 바퀴 도는 시간
    from keras.src.trainers.data_adapters import get_data_adapter

    da = get_data_adapter(xn, yn, batch_size=128, shuffle=True)
    rs = []
    for _ in range(3):
        t0 = time.perf_counter()
        nb = 0
        for _ in da.get_tf_dataset():
            nb += 1
        rs.append((time.perf_counter() - t0) / nb)
    out["keras numpy adapter, per batch ms"] = statistics.median(rs) * 1e3
    return out


def run_subprocess(args) -> dict:
    """스레드·oneDNN 설정별로 새 프로세스를 띄워 번갈아 잽니다."""
    configs = {
        "default threads (TF auto)": {},
        "intra=2,inter=1": {"LB_INTRA": "2", "LB_INTER": "1"},
        "intra=1,inter=1": {"LB_INTRA": "1", "LB_INTER": "1"},
        "intra=2,inter=2": {"LB_INTRA": "2", "LB_INTER": "2"},
        "TF_ENABLE_ONEDNN_OPTS=0": {"TF_ENABLE_ONEDNN_OPTS": "0"},
    }
    if args.only:
        configs = {k: v for k, v in configs.items() if any(s in k for s in args.only.split("|"))}
    res = {k: [] for k in configs}
    for r in range(args.repeats):
        for name, env in configs.items():
            e = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", **env)
            cmd = [
                sys.executable,
                __file__,
                "--images",
                str(args.images),
                "--repeats",
                "2",
                "--only",
                args.variant,
                "--json",
            ]
            p = subprocess.run(cmd, env=e, capture_output=True, text=True, check=True)
            d = json.loads(p.stdout.strip().splitlines()[-1])
            (k,) = d.keys()
            res[name].append(d[k]["median_epoch_s"])
            print(f"[{r}] {name}: {d[k]['median_epoch_s']:.2f}s", file=sys.stderr, flush=True)
            n_tr = d[k]["n_train"]
    return {
        k: {
            "epoch_s": v,
            "median_epoch_s": statistics.median(v),
            "samples_per_s": n_tr / statistics.median(v),
        }
        for k, v in res.items()
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--images", type=int, default=20000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--only", default="")
    p.add_argument("--threads", action="store_true")
    p.add_argument("--variant", default="np,val_data,xla,spe32,vbs1024")
    p.add_argument("--profile", action="store_true")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    if "LB_INTRA" in os.environ:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(int(os.environ["LB_INTRA"]))
        tf.config.threading.set_inter_op_parallelism_threads(int(os.environ["LB_INTER"]))
    if args.threads:
        out = run_subprocess(args)
    elif args.profile:
        out = profile(args)
    else:
        out = run_inprocess(args)
    if args.json:
        print(json.dumps(out))
    else:
        for k, d in out.items():
            if isinstance(d, dict):
                print(
                    f"{k:45s} {d['median_epoch_s']:7.2f} s/epoch "
                    f"{d['samples_per_s']:8.0f} samples/s"
                )
            else:
                print(f"{k:45s} {d:8.3f}")


if __name__ == "__main__":
    main()
