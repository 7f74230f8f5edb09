"""lenetlib.error_analysis 테스트: 오분류, 확신한 오답, 헷갈린 쌍, 특성 맵, 필터, 실행 요약."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from lenetlib import error_analysis as errors
from lenetlib import evaluation
from lenetlib._internal.backend import keras
from tests.conftest import prepare_small, raises_korean, train_small

NOUNS = ("층 이름", "이미지", "레이블", "확률")


def raises(fragment: str, func, *args, **kwargs) -> str:
    return raises_korean(fragment, func, *args, nouns=NOUNS, **kwargs)


@pytest.fixture(scope="module")
def data(mnist_small):
    return prepare_small(mnist_small, train_limit=600)


@pytest.fixture(scope="module")
def run(data):
    """실제 MNIST 540장으로 1 에포크 훈련: 틀린 예측이 충분히 많은 모델."""
    model, fit = train_small(data, seed=3, epochs=1)
    # training.History와 같은 모양 (run_summary는 덕 타이핑으로 읽음)
    history = SimpleNamespace(
        history=fit.history, epochs_run=1, best_epoch=1, stopped_early=False, seconds=1.0
    )  # fmt: skip
    config = SimpleNamespace(epochs=3, batch_size=64, learning_rate=1e-3)
    result = evaluation.evaluate_model(model, data.x_test, data.y_test)
    return model, history, result, config


# ---------------------------------------------------------------------------
# 오분류
# ---------------------------------------------------------------------------


def test_misclassified_matches_numpy(run):
    _, _, r, _ = run
    got = errors.misclassified(r.y_true, r.y_pred)
    np.testing.assert_array_equal(got, np.where(r.y_true != r.y_pred)[0])
    assert got.dtype == np.int64
    assert len(got) == r.n_errors > 16  # 아래 테스트가 의미 있으려면 오답이 충분해야 함
    one_hot = np.eye(10)[r.y_true]
    np.testing.assert_array_equal(errors.misclassified(one_hot, r.y_pred), got)


def test_most_confident_errors_match_seed_method(run):
    _, _, r, _ = run
    proba = r.probabilities
    got = errors.most_confident_errors(r.y_true, proba, k=16)
    # 원본 노트북: 오분류 중 확신도 argsort의 마지막 16개 (오름차순) → 우리는 내림차순
    wrong = np.where(r.y_true != r.y_pred)[0]
    seed_way = wrong[np.argsort(np.max(proba[wrong], axis=1))[-16:]]
    assert set(got.tolist()) == set(seed_way.tolist())
    conf = proba[got].max(axis=1)
    assert np.all(np.diff(conf) <= 0)  # 가장 확신한 것이 먼저
    assert np.all(r.y_pred[got] != r.y_true[got])
    # 남은 오답은 모두 16번째보다 확신도가 낮거나 같음
    rest = np.setdiff1d(wrong, got)
    assert proba[rest].max(axis=1).max() <= conf[-1]
    # k가 오답 수보다 크면 오답 전부
    assert len(errors.most_confident_errors(r.y_true, proba, k=10_000)) == r.n_errors


def test_most_confident_errors_small_hand_example():
    y = np.array([0, 1, 2, 3])
    p = np.full((4, 10), 0.0)
    p[0, 0] = 1.0  # 맞음
    p[1, [1, 5]] = [0.1, 0.9]  # 틀림, 확신 0.9
    p[2, [2, 7]] = [0.4, 0.6]  # 틀림, 확신 0.6
    p[3, [3, 8]] = [0.05, 0.95]  # 틀림, 확신 0.95
    np.testing.assert_array_equal(errors.most_confident_errors(y, p, k=2), [3, 1])
    np.testing.assert_array_equal(errors.most_confident_errors(y, p), [3, 1, 2])
    assert len(errors.most_confident_errors(y, np.eye(10)[y])) == 0


def test_confused_pairs_match_counter(run):
    _, _, r, _ = run
    table = errors.confused_pairs(r.y_true, r.y_pred, k=5)
    assert list(table.columns) == ["실제", "예측", "개수"]
    counts = Counter((int(t), int(p)) for t, p in zip(r.y_true, r.y_pred, strict=True) if t != p)
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    assert [(a, b, c) for a, b, c in table.itertuples(index=False)] == [
        (a, b, c) for (a, b), c in top
    ]
    full = errors.confused_pairs(r.y_true, r.y_pred, k=100)
    assert full["개수"].sum() == r.n_errors
    assert (full["실제"] != full["예측"]).all()
    # 혼동 행렬의 비대각 원소와 같음
    cm = r.confusion
    for a, b, c in full.itertuples(index=False):
        assert cm[a, b] == c


def test_probability_breakdown(run):
    _, _, r, _ = run
    i = int(errors.misclassified(r.y_true, r.y_pred)[0])
    table = errors.probability_breakdown(r.probabilities, i)
    assert list(table.columns) == ["숫자", "확률"] and len(table) == 10
    assert table.loc[0, "숫자"] == r.y_pred[i]
    assert np.all(np.diff(table["확률"]) <= 0)
    assert table["확률"].sum() == pytest.approx(1.0, abs=1e-5)
    assert sorted(table["숫자"]) == list(range(10))
    np.testing.assert_allclose(table.set_index("숫자").sort_index()["확률"], r.probabilities[i])
    for bad in (-1, 500, 1.5, True):
        raises(r"index은\(는\) 0~499 범위", errors.probability_breakdown, r.probabilities, bad)


# ---------------------------------------------------------------------------
# 특성 맵과 필터
# ---------------------------------------------------------------------------


def _conv_valid(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """NumPy로 직접 계산한 'valid' 합성곱 + tanh (비교용)."""
    kh, kw = kernel.shape[:2]
    windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(0, 1))
    # windows: (H', W', C, kh, kw)
    return np.tanh(np.einsum("hwcij,ijco->hwo", windows, kernel) + bias)


def test_feature_maps_shapes_and_values(run, data):
    model, _, _, _ = run
    x = data.x_test[0]
    maps = errors.feature_maps(model, x)
    assert list(maps) == ["C1", "C3"]
    assert maps["C1"].shape == (28, 28, 6)
    assert maps["C3"].shape == (10, 10, 16)
    assert isinstance(maps["C1"], np.ndarray)
    w, b = model.get_layer("C1").get_weights()
    np.testing.assert_allclose(maps["C1"], _conv_valid(x.astype(np.float64), w, b), atol=1e-5)
    # S2(최대 풀링) 뒤 C3도 손으로
    s2 = maps["C1"].reshape(14, 2, 14, 2, 6).max(axis=(1, 3))
    w3, b3 = model.get_layer("C3").get_weights()
    np.testing.assert_allclose(maps["C3"], _conv_valid(s2.astype(np.float64), w3, b3), atol=1e-4)
    # (1, 32, 32, 1)도 되고, 층 하나만 골라도 됨
    again = errors.feature_maps(model, x[None], layer_names="S2")
    np.testing.assert_allclose(again["S2"], s2, atol=1e-6)


def test_feature_maps_on_unbuilt_sequential(data):
    """Input 층 없이 만든 Sequential(아직 호출 전)도 동작합니다."""
    layers = keras.layers
    model = keras.Sequential(
        [
            layers.Conv2D(6, 5, activation="tanh", name="C1"),
            layers.MaxPooling2D(2, name="S2"),
            layers.Conv2D(16, 5, activation="tanh", name="C3"),
        ]
    )
    maps = errors.feature_maps(model, data.x_test[1])
    assert maps["C1"].shape == (28, 28, 6) and maps["C3"].shape == (10, 10, 16)


def test_feature_maps_bad_input(run, data):
    model, _, _, _ = run
    x = data.x_test[0]
    raises(r"층 이름은 'C1', 'S2'.* 받은 값: 'C9'", errors.feature_maps, model, x, ("C9",))
    raises("받은 값: 3", errors.feature_maps, model, x, (3,))
    raises("한 장만", errors.feature_maps, model, data.x_test[:2])
    raises("32×32", errors.feature_maps, model, np.zeros((28, 28, 1)))
    raises("0~1", errors.feature_maps, model, x * 255)
    raises("NaN", errors.feature_maps, model, np.full_like(x, np.nan))
    raises("dtype", errors.feature_maps, model, x.astype(str))
    raises("특성 맵이 아닙니다", errors.feature_maps, model, x, layer_names=("C5",))
    raises("비어", errors.feature_maps, model, x, layer_names=())
    raises("Keras 모델", errors.feature_maps, None, x)


def test_layer_filters(run):
    model, _, _, _ = run
    c1 = errors.layer_filters(model, "C1")
    c3 = errors.layer_filters(model, "C3")
    assert c1.shape == (5, 5, 1, 6) and c3.shape == (5, 5, 6, 16)
    np.testing.assert_array_equal(c1, model.get_layer("C1").get_weights()[0])
    raises("합성곱 필터", errors.layer_filters, model, "S2")
    raises("합성곱 필터", errors.layer_filters, model, "C5")  # Dense: 2차원 가중치
    raises(r"층 이름은 .*'C3'.* 받은 값: 'conv1'", errors.layer_filters, model, "conv1")


# ---------------------------------------------------------------------------
# 실행 요약과 입력 검사
# ---------------------------------------------------------------------------


def test_run_summary(run, data):
    model, history, r, config = run
    s = errors.run_summary(model, history, r, config, data=data)
    expected_keys = [
        "모델 아키텍처", "훈련 데이터 수", "검증 데이터 수", "테스트 데이터 수", "입력 크기",
        "총 파라미터", "훈련 에포크", "최대 에포크", "최고 에포크", "배치 크기", "옵티마이저",
        "학습률", "테스트 정확도", "테스트 손실", "오분류 개수", "오분류율", "클래스별 성능",
    ]  # fmt: skip
    assert list(s) == expected_keys
    assert s["총 파라미터"] == 61_706 == model.count_params()
    assert s["입력 크기"] == (32, 32, 1)
    assert (s["훈련 데이터 수"], s["검증 데이터 수"], s["테스트 데이터 수"]) == (540, 60, 500)
    assert s["훈련 에포크"] == 1 and s["최고 에포크"] == 1
    assert s["최대 에포크"] == 3 and s["배치 크기"] == 64 and s["학습률"] == 1e-3
    assert s["옵티마이저"] == "Adam"
    assert s["테스트 정확도"] == r.accuracy and s["테스트 손실"] == r.loss
    assert s["오분류 개수"] == len(errors.misclassified(r.y_true, r.y_pred))
    assert s["오분류율"] == pytest.approx(s["오분류 개수"] / 500)
    pd.testing.assert_frame_equal(s["클래스별 성능"], r.per_class)
    # data 없이: 개수는 None, 사전 기록이면 에포크는 그 길이
    assert errors.run_summary(model, history, r, config)["훈련 데이터 수"] is None
    plain = errors.run_summary(model, {"loss": [0.9, 0.5]}, r, config)
    assert plain["훈련 에포크"] == 2 and plain["훈련 데이터 수"] is None
    assert plain["최고 에포크"] is None
    raises("EvaluationResult", errors.run_summary, model, history, {"accuracy": 1.0}, config)
    raises("history", errors.run_summary, model, [0.1, 0.2], r, config)
    raises("Keras 모델", errors.run_summary, "model", history, r, config)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: errors.misclassified([0, 1, 2], [0, 1]), "길이"),
        (lambda: errors.misclassified([0, 11], [0, 1]), "0~9"),
        (lambda: errors.misclassified(np.full(2, "a"), [0, 1]), "dtype"),
        (lambda: errors.most_confident_errors([0, 1], np.eye(10)[:2], k=0), "1 이상"),
        (lambda: errors.most_confident_errors([0, 1], np.eye(10)[:2], k=-5), "1 이상"),
        (lambda: errors.most_confident_errors([0, 1], np.full((2, 10), 0.5)), "합이 1"),
        (lambda: errors.most_confident_errors([0, 1], np.eye(8)[:2]), "\\(N, 10\\)"),
        (lambda: errors.most_confident_errors([0, 1, 2], np.eye(10)[:2]), "길이"),
        (lambda: errors.most_confident_errors([0, 1], np.full((2, 10), "x")), "dtype"),
        (lambda: errors.confused_pairs([0, 1], [1, 0], k=0), "1 이상"),
        (lambda: errors.confused_pairs([0, 1], [1, 0, 3]), "길이"),
        (lambda: errors.probability_breakdown(np.eye(10)[0], 0), "\\(N, 10\\)"),
        (lambda: errors.probability_breakdown(np.zeros((0, 10)), 0), "0개"),
    ],
)
def test_bad_input_korean_errors(call, match):
    raises(match, call)
