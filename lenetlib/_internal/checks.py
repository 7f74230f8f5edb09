"""입력 검사와 한국어 오류 메시지의 한 곳. (내부용, 모든 장의 공개 함수가 씀)

잘못된 입력은 오래 걸리는 일을 시작하기 전에 ``ValueError``로 멈추고, 무엇이 틀렸고
어떻게 고치는지 한국어로 알려 줍니다.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from lenetlib._internal.constants import MAX_SEED, NUM_CLASSES, PADDED_SIZE
from lenetlib._internal.korean import obj, topic

#: 확률·원-핫 행의 합이 1에서 이만큼까지 벗어나는 것은 허용 (float32 반올림 오차)
SUM_TOLERANCE = 1e-3


def check_int(
    value: Any,
    name: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    example: int = 1,
) -> int:
    """``minimum``~``maximum`` 범위의 정수(bool 제외)인지 확인하고 ``int``로 돌려줍니다."""
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    if ok and (minimum is None or value >= minimum) and (maximum is None or value <= maximum):
        return int(value)
    if minimum is not None and maximum is not None:
        span = f"{minimum}~{maximum} 범위의 "
    elif minimum is not None:
        span = f"{minimum} 이상의 "
    else:
        span = f"{maximum} 이하의 " if maximum is not None else ""
    raise ValueError(
        f"{topic(name)} {span}정수여야 합니다. 받은 값: {value!r}. 예: {name}={example}"
    )


def check_float(
    value: Any,
    name: str,
    *,
    low: float,
    high: float,
    open_low: bool = False,
    open_high: bool = False,
    hint: str = "",
) -> float:
    """``low``~``high`` 범위의 유한한 실수인지 확인하고 ``float``로 돌려줍니다."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    number = float(value) if ok else float("nan")
    above = number > low if open_low else number >= low
    below = number < high if open_high else number <= high
    if ok and np.isfinite(number) and above and below:
        return number
    left, right = "(" if open_low else "[", ")" if open_high else "]"
    raise ValueError(
        f"{topic(name)} {left}{low:g}, {high:g}{right} 범위의 실수여야 합니다. "
        f"받은 값: {value!r}. {hint}".rstrip()
    )


def check_bool(value: Any, name: str) -> bool:
    """``True`` 또는 ``False``인지 확인합니다."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{topic(name)} True 또는 False여야 합니다. 받은 값: {value!r}.")
    return bool(value)


def check_seed(seed: Any, name: str = "seed") -> int:
    """시드가 0~2³²-1 범위의 정수인지 확인합니다 (NumPy와 TensorFlow가 받는 범위)."""
    return check_int(seed, name, minimum=0, maximum=MAX_SEED, example=42)


def check_choice(value: Any, name: str, choices: Sequence[str]) -> str:
    """``choices`` 중 하나인 문자열인지 확인합니다."""
    if not isinstance(value, str) or value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{topic(name)} {options} 중 하나여야 합니다. 받은 값: {value!r}.")
    return value


def as_numeric(x: Any, name: str, *, allow_nan: bool = False) -> np.ndarray:
    """정수·실수 배열로 바꿉니다. 문자열, bool, 객체, 복소수, NaN·무한대는 거절합니다."""
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"{obj(name)} 배열로 바꿀 수 없습니다 ({exc}). 모양이 고른 숫자 배열을 넘기세요."
        ) from None
    if arr.dtype.kind not in "iuf":
        raise ValueError(
            f"{topic(name)} 정수나 실수 배열이어야 합니다. 받은 dtype: {arr.dtype}. "
            "숫자 배열로 바꾼 뒤 다시 호출하세요 (예: np.asarray(x, dtype=np.float32))."
        )
    if not allow_nan and arr.dtype.kind == "f" and not np.isfinite(arr).all():
        count = int((~np.isfinite(arr)).sum())
        raise ValueError(
            f"{name}에 NaN이나 무한대가 {count}개 있습니다. 데이터를 만든 과정을 확인해 "
            "그 값을 없앤 뒤 다시 호출하세요 (훈련 결과라면 손실이 nan이 되지 않았는지 보세요)."
        )
    return arr


def check_images(
    x: Any, name: str = "이미지", *, size: int | None = None, channel: bool = False
) -> np.ndarray:
    """이미지 묶음 ``(N, H, W)`` (``channel=True``면 ``(N, H, W, 1)``)을 확인합니다.

    ``size``를 주면 한 변이 그 크기여야 합니다. 빈 묶음은 거절합니다.
    """
    arr = as_numeric(x, name)
    ndim = 4 if channel else 3
    expected = f"(N, {size or 'H'}, {size or 'W'}{', 1' if channel else ''})"
    if arr.ndim != ndim or (channel and arr.shape[-1] != 1):
        if channel and arr.ndim == 4 and arr.shape[1] == 1:
            hint = "채널 축이 맨 앞에 있습니다: np.moveaxis(x, 1, -1)로 맨 뒤로 옮기세요."
        elif channel and arr.ndim == 3 and arr.shape[-1] != 1:
            hint = "채널 축이 없습니다: preprocessing.add_channel_axis(x)를 쓰세요."
        elif arr.ndim == ndim - 1:
            hint = "한 장이라면 x[None]으로 묶음을 만드세요."
        elif not channel and arr.ndim == 4 and arr.shape[-1] == 1:
            hint = "채널 축이 있다면 x[..., 0]으로 없애세요."
        else:
            hint = "모양을 확인하세요."
        raise ValueError(
            f"{topic(name)} {expected} 모양이어야 합니다. 받은 모양: {arr.shape}. {hint}"
        )
    if size is not None and arr.shape[1:3] != (size, size):
        hint = (
            "28×28 원본이라면 preprocessing.preprocess_images(x)로 32×32 모델 입력을 만드세요."
            if size == PADDED_SIZE
            else "MNIST 원본(28×28)을 넣었는지 확인하세요. 패딩한 32×32라면 "
            "preprocessing.crop_padding(x)로 되돌릴 수 있습니다."
        )
        raise ValueError(
            f"{name}의 한 장 크기는 {size}×{size}이어야 합니다. 받은 모양: {arr.shape}. {hint}"
        )
    if arr.shape[0] == 0:
        raise ValueError(
            f"{topic(name)} 비어 있습니다 (0장). 받은 모양: {arr.shape}. 데이터를 확인하세요."
        )
    return arr


def check_model_input(x: Any, name: str = "이미지") -> np.ndarray:
    """모델 입력 ``(N, 32, 32, 1)``, 값 0~1인지 확인해 ``float32``로 돌려줍니다."""
    arr = check_images(x, name, size=PADDED_SIZE, channel=True)
    if arr.min() < 0 or arr.max() > 1:
        raise ValueError(
            f"{name}의 값은 0~1이어야 합니다. 받은 범위: {arr.min():g} ~ {arr.max():g}. "
            "preprocessing.preprocess_images(x)로 정규화하세요."
        )
    return arr.astype(np.float32, copy=False)


def _check_rows(arr: np.ndarray, name: str, fix: str) -> None:
    if arr.ndim != 2 or arr.shape[1] != NUM_CLASSES:
        raise ValueError(
            f"{topic(name)} (N, {NUM_CLASSES}) 모양이어야 합니다. 받은 모양: {arr.shape}. {fix}"
        )
    if arr.size and (arr.min() < 0 or arr.max() > 1 + 1e-6):
        raise ValueError(
            f"{name}의 값은 0~1이어야 합니다. 받은 범위: {arr.min():.3g} ~ {arr.max():.3g}. "
            "로짓(logit)이라면 softmax를 적용한 뒤 넘기세요."
        )
    sums = arr.sum(axis=1, dtype=np.float64)
    bad = np.flatnonzero(np.abs(sums - 1.0) > SUM_TOLERANCE)
    if bad.size:
        raise ValueError(
            f"{name}의 각 행은 합이 1이어야 합니다. 합이 1이 아닌 행 {bad.size}개 "
            f"(예: {bad[0]}번 행의 합 {sums[bad[0]]:.4f}). {fix}"
        )


def check_probabilities(p: Any, name: str = "확률") -> np.ndarray:
    """``(N, 10)`` 확률(값 0~1, 각 행의 합 1)인지 확인해 실수 배열로 돌려줍니다."""
    arr = as_numeric(p, name)
    _check_rows(
        arr, name, "softmax로 끝나는 모델의 model.predict(x) 결과를 넘기세요 (한 장이라면 p[None])."
    )
    return arr.astype(np.float64, copy=False) if arr.dtype.kind != "f" else arr


def check_labels(y: Any, name: str = "레이블") -> np.ndarray:
    """정수 레이블 ``(N,)``이나 원-핫 ``(N, 10)``을 확인해 ``int64 (N,)``로 돌려줍니다."""
    arr = as_numeric(y, name)
    if arr.ndim == 2:
        _check_rows(arr, name, "원-핫 레이블은 preprocessing.encode_labels(y)로 만드세요.")
        return arr.argmax(axis=1).astype(np.int64)
    if arr.ndim != 1:
        raise ValueError(
            f"{topic(name)} (N,) 정수 레이블이나 (N, {NUM_CLASSES}) 원-핫이어야 합니다. "
            f"받은 모양: {arr.shape}. 1차원이라면 y.reshape(-1)을 쓰세요."
        )
    if arr.dtype.kind == "f" and not np.all(arr == np.round(arr)):
        bad = arr[arr != np.round(arr)][:3].tolist()
        raise ValueError(
            f"{topic(name)} 정수여야 합니다. 정수가 아닌 값: {bad}. "
            "확률이라면 argmax(axis=1)로 클래스를 구하세요."
        )
    if arr.size and (arr.min() < 0 or arr.max() >= NUM_CLASSES):
        bad = np.unique(arr[(arr < 0) | (arr >= NUM_CLASSES)])[:5].tolist()
        raise ValueError(
            f"{topic(name)} 0~{NUM_CLASSES - 1} 범위여야 합니다. 범위를 벗어난 값: {bad}. "
            "MNIST 숫자 레이블을 그대로 넘기세요."
        )
    return arr.astype(np.int64)


def check_same_length(**arrays: Any) -> int:
    """배열들의 길이(첫 축)가 같은지 확인하고 그 길이를 돌려줍니다."""
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        got = ", ".join(f"{name} {n}개" for name, n in lengths.items())
        raise ValueError(f"길이가 서로 다릅니다: {got}. 같은 데이터에서 나온 배열을 넘기세요.")
    return next(iter(lengths.values()), 0)


def wrong_type(name: str, value: Any, wanted: str, fix: str) -> ValueError:
    """'name은 wanted 형식이어야 합니다. 받은 형식: …' 오류를 만듭니다 (부르는 쪽이 raise)."""
    got = type(value).__name__
    return ValueError(f"{topic(name)} {wanted} 형식이어야 합니다. 받은 형식: {got}. {fix}")


def check_type(value: Any, kind: type | tuple[type, ...], name: str, wanted: str, fix: str) -> Any:
    """``value``가 ``kind``의 인스턴스인지 확인하고 그대로 돌려줍니다."""
    if not isinstance(value, kind):
        raise wrong_type(name, value, wanted, fix)
    return value


def check_label_pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """정답과 예측 레이블을 각각 확인하고 길이가 같은지 봅니다 (``int64 (N,)`` 두 개)."""
    t, p = check_labels(y_true, "y_true"), check_labels(y_pred, "y_pred")
    check_same_length(y_true=t, y_pred=p)
    return t, p


def check_index(index: Any, n: int, name: str = "index") -> int:
    """0~n-1 범위의 번호인지 확인합니다 (음수 번호는 받지 않음)."""
    if n == 0:
        raise ValueError(f"{name}로 고를 항목이 없습니다 (0개). 데이터를 확인하세요.")
    return check_int(index, name, minimum=0, maximum=n - 1)


def check_model(model: Any, name: str = "model") -> Any:
    """Keras 모델처럼 ``predict``와 ``layers``가 있는지 확인합니다."""
    if not (hasattr(model, "predict") and hasattr(model, "layers")):
        raise ValueError(
            f"{topic(name)} Keras 모델이어야 합니다. 받은 형식: {type(model).__name__}. "
            "model.build_lenet5()나 artifacts.load_model()이 돌려준 모델을 넘기세요."
        )
    return model


def check_digit_model(model: Any, name: str = "model") -> Any:
    """(N, 32, 32, 1) 이미지를 받아 (N, 10) 숫자 점수를 내는, 부를 수 있는 Keras 모델인지 봅니다.

    모양을 모르는 모델(build 전의 서브클래스 모델 등)은 모양 검사를 건너뜁니다. (8장 캔버스)
    """
    fix = "model.build_lenet5()나 artifacts.load_model()이 돌려준 LeNet-5를 넘기세요."
    if not callable(check_model(model, name)):
        raise wrong_type(name, model, "model(x)로 부를 수 있는 Keras 모델", fix)
    try:
        shapes = tuple(model.input_shape), tuple(model.output_shape)
    except (AttributeError, ValueError, TypeError):
        return model
    if shapes[0][1:] != (PADDED_SIZE, PADDED_SIZE, 1) or shapes[1][1:] != (NUM_CLASSES,):
        raise ValueError(
            f"{topic(name)} (N, {PADDED_SIZE}, {PADDED_SIZE}, 1) 흑백 이미지를 받아 (N, "
            f"{NUM_CLASSES}) 숫자 확률을 내야 합니다. 받은 모델: 입력 {shapes[0]}, 출력 "
            f"{shapes[1]}. {fix}"
        )
    return model
