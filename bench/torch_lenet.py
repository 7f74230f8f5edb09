"""비교 기준: 같은 LeNet-5를 PyTorch(즉시 실행, eager)로 훈련합니다.

원본 노트북과 같은 구조(tanh, 2x2 최대 풀링, 61,706개 파라미터)와 같은 최적화기
(Adam, 학습률 1e-3, Keras와 같은 eps=1e-7), 배치 128, 매 에포크 검증을 씁니다.
``torch``는 이 모듈의 함수 안에서만 import 하므로, torch가 없어도 모듈 자체는 import 됩니다.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

TORCH_MISSING_MESSAGE = (
    "PyTorch(torch)를 import 할 수 없어 PyTorch 비교(C)를 건너뜁니다. "
    "`make bench`가 설치하며, 직접 설치하려면 `.venv/bin/pip install torch==2.13.0`을 실행하세요."
)


def torch_available() -> bool:
    """torch를 import 할 수 있으면 True를 돌려줍니다."""
    try:
        import torch  # noqa: F401
    except Exception:  # ImportError뿐 아니라 깨진 설치(OSError 등)도 '없음'으로 봅니다.
        return False
    return True


def build_torch_lenet5() -> Any:
    """원본 노트북의 LeNet-5와 같은 PyTorch 모델(61,706개 파라미터)을 만듭니다.

    Keras의 ``Flatten``은 (H, W, C) 순서로 펼치지만 여기서는 (C, H, W) 순서입니다.
    가중치 수와 계산량은 같으므로 속도 비교에는 영향이 없습니다.
    """
    from torch import nn

    return nn.Sequential(
        nn.Conv2d(1, 6, 5),  # C1
        nn.Tanh(),
        nn.MaxPool2d(2, 2),  # S2
        nn.Conv2d(6, 16, 5),  # C3
        nn.Tanh(),
        nn.MaxPool2d(2, 2),  # S4
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120),  # C5
        nn.Tanh(),
        nn.Linear(120, 84),  # F6
        nn.Tanh(),
        nn.Linear(84, 10),  # Output (softmax는 손실 함수 안에서)
    )


def count_params(model: Any) -> int:
    """PyTorch 모델의 학습 가능한 파라미터 수를 셉니다."""
    return int(sum(p.numel() for p in model.parameters() if p.requires_grad))


@dataclass
class TorchRun:
    """PyTorch 훈련 결과: 에포크별 시간(초, 검증 포함)과 마지막 검증 정확도."""

    epoch_seconds: list[float]
    val_accuracy: list[float]


def to_nchw(x: np.ndarray) -> np.ndarray:
    """(N, 32, 32, 1) 또는 (N, 32, 32) float32 이미지를 (N, 1, 32, 32)로 바꿉니다."""
    if x.ndim == 4 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 3:
        raise ValueError(
            f"이미지는 (N, 32, 32) 또는 (N, 32, 32, 1) 모양이어야 합니다. 받은 모양: {x.shape}."
        )
    return np.ascontiguousarray(x[:, None, :, :], dtype=np.float32)


def train_torch(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    *,
    epochs: int = 1,
    batch_size: int = 128,
    learning_rate: float = 1e-3,
    seed: int = 42,
    model: Any = None,
) -> TorchRun:
    """PyTorch로 LeNet-5를 훈련하고 에포크별 시간(훈련 + 검증)을 잽니다.

    Parameters
    ----------
    x_train, x_val : np.ndarray
        (N, 32, 32, 1) float32, [0, 1]로 정규화·패딩된 이미지.
    y_train, y_val : np.ndarray
        정수 레이블 (N,).
    epochs, batch_size, learning_rate, seed
        Keras 쪽과 같은 값을 씁니다.
    model
        이미 만든 모델(없으면 새로 만듭니다).
    """
    import torch
    from torch import nn

    torch.manual_seed(seed)
    if model is None:
        model = build_torch_lenet5()
    xt = torch.from_numpy(to_nchw(x_train))
    yt = torch.from_numpy(np.asarray(y_train, dtype=np.int64))
    xv = torch.from_numpy(to_nchw(x_val))
    yv = torch.from_numpy(np.asarray(y_val, dtype=np.int64))
    opt = torch.optim.Adam(model.parameters(), lr=learning_rate, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(seed)
    n = xt.shape[0]
    times: list[float] = []
    accs: list[float] = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        model.train()
        perm = torch.randperm(n, generator=gen)
        for start in range(0, n, batch_size):
            idx = perm[start : start + batch_size]
            xb, yb = xt[idx], yt[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for start in range(0, xv.shape[0], 1024):
                pred = model(xv[start : start + 1024]).argmax(1)
                correct += int((pred == yv[start : start + 1024]).sum())
        times.append(time.perf_counter() - t0)
        accs.append(correct / max(1, xv.shape[0]))
    return TorchRun(epoch_seconds=times, val_accuracy=accs)


def pick_num_threads(
    x_train: np.ndarray,
    y_train: np.ndarray,
    *,
    candidates: tuple[int, ...] = (1, 2),
    batches: int = 30,
    batch_size: int = 128,
) -> tuple[int, dict[int, float]]:
    """짧은 시험 훈련으로 가장 빠른 PyTorch 스레드 수를 고르고 설정합니다.

    PyTorch의 OpenMP 스레드는 다른 프로세스와 CPU를 나눠 쓰면(코어보다 실행 중인 스레드가
    많으면) 크게 느려질 수 있습니다. 공정한 비교를 위해 후보마다 ``batches``개 배치를 돌려
    배치당 시간이 가장 짧은 스레드 수를 씁니다.

    Returns
    -------
    (int, dict)
        고른 스레드 수, 후보별 배치당 시간(초).
    """
    import torch
    from torch import nn

    model = build_torch_lenet5()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    n = min(len(x_train), batches * batch_size)
    xt = torch.from_numpy(to_nchw(x_train[:n]))
    yt = torch.from_numpy(np.asarray(y_train[:n], dtype=np.int64))
    timings: dict[int, float] = {}
    for threads in candidates:
        torch.set_num_threads(threads)
        steps = 0
        t0 = 0.0
        for i, start in enumerate(range(0, n, batch_size)):
            if i == 3:  # 처음 몇 배치는 워밍업
                t0 = time.perf_counter()
                steps = 0
            opt.zero_grad(set_to_none=True)
            loss_fn(
                model(xt[start : start + batch_size]), yt[start : start + batch_size]
            ).backward()
            opt.step()
            steps += 1
        timings[threads] = (time.perf_counter() - t0) / max(1, steps)
    best = min(timings, key=timings.__getitem__)
    torch.set_num_threads(best)
    return best, timings
