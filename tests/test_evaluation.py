"""lenetlib.evaluation 테스트: 지표가 scikit-learn·Keras·손 계산과 같은지, 입력 검사."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import (
    accuracy_score,
    classification_report,
    confusion_matrix,
    log_loss,
)

from lenetlib import evaluation, training
from lenetlib.evaluation import EvaluationResult
from lenetlib.model import build_lenet5
from lenetlib.preprocessing import prepare_mnist

HANGUL = "[가-힣]"


@pytest.fixture(scope="module")
def data(mnist_small):
    return prepare_mnist(
        (mnist_small["x_train"], mnist_small["y_train"]),
        (mnist_small["x_test"], mnist_small["y_test"]),
        train_limit=1000,
    )


@pytest.fixture(scope="module")
def model(data):
    """실제 MNIST 900장으로 2 에포크 훈련한 작은 모델 (테스트 정확도는 100%가 아님)."""
    config = training.TrainConfig(epochs=2, seed=11, batch_size=64, jit_compile=False)
    training.set_seed(config.seed)
    m = build_lenet5()
    training.train(
        m, data.x_train, data.y_train, config,
        validation_data=(data.x_val, data.y_val), progress="none",
    )  # fmt: skip
    return m


@pytest.fixture(scope="module")
def result(model, data) -> EvaluationResult:
    return evaluation.evaluate_model(model, data.x_test, data.y_test)


@pytest.fixture()
def perturbed(mnist_small):
    """실제 테스트 레이블 500개 중 50개를 (y+1)%10으로 틀리게 만든 확률."""
    y = mnist_small["y_test"].astype(np.int64)
    pred = y.copy()
    wrong = np.arange(0, 500, 10)
    pred[wrong] = (y[wrong] + 1) % 10
    proba = np.full((500, 10), 0.02, dtype=np.float32)
    proba[np.arange(500), pred] = 0.82
    return y, pred, proba, wrong


# ---------------------------------------------------------------------------
# 실제 모델 예측과 비교
# ---------------------------------------------------------------------------


def test_evaluate_model_matches_keras_and_sklearn(model, data, result):
    y_true = data.y_test.argmax(axis=1)
    proba = model.predict(data.x_test, verbose=0)
    y_pred = proba.argmax(axis=1)
    keras_loss, keras_acc = model.evaluate(data.x_test, data.y_test, verbose=0)

    assert result.accuracy == pytest.approx(accuracy_score(y_true, y_pred), abs=0)
    assert result.accuracy == pytest.approx(keras_acc, abs=1e-6)
    assert result.loss == pytest.approx(keras_loss, abs=1e-4)
    assert result.loss == pytest.approx(log_loss(y_true, proba, labels=range(10)), abs=1e-4)
    np.testing.assert_array_equal(result.y_true, y_true)
    np.testing.assert_array_equal(result.y_pred, y_pred)
    np.testing.assert_allclose(result.probabilities, proba, atol=1e-6)
    assert result.y_pred.dtype == np.int64 and isinstance(result.probabilities, np.ndarray)
    assert 0.3 < result.accuracy < 1.0  # 실제로 배운 모델, 그러나 완벽하지는 않음
    assert result.n_samples == 500
    assert result.n_errors == int((y_true != y_pred).sum())
    assert result.error_rate == pytest.approx(1 - result.accuracy)


def test_report_matches_sklearn(result):
    expected = classification_report(
        result.y_true, result.y_pred, output_dict=True, zero_division=0
    )
    report = result.report
    assert list(report.columns) == ["precision", "recall", "f1-score", "support"]
    assert list(report.index) == [*map(str, range(10)), "accuracy", "macro avg", "weighted avg"]
    for key in [*map(str, range(10)), "macro avg", "weighted avg"]:
        for col in ["precision", "recall", "f1-score", "support"]:
            assert report.loc[key, col] == pytest.approx(expected[key][col])
    assert report.loc["accuracy", "f1-score"] == pytest.approx(expected["accuracy"])
    assert report.loc["accuracy", "support"] == 500
    assert np.isnan(report.loc["accuracy", "precision"])
    assert report["support"].dtype == np.int64


def test_confusion_and_per_class_match_sklearn(result):
    cm = confusion_matrix(result.y_true, result.y_pred, labels=range(10))
    np.testing.assert_array_equal(result.confusion, cm)
    assert result.confusion.dtype == np.int64
    np.testing.assert_allclose(result.confusion_normalized, cm / cm.sum(axis=1, keepdims=True))
    np.testing.assert_allclose(result.confusion_normalized.sum(axis=1), 1.0)

    table = result.per_class
    assert list(table.columns) == ["숫자", "정답 수", "전체 수", "정확도"]
    np.testing.assert_array_equal(table["숫자"], np.arange(10))
    np.testing.assert_array_equal(table["정답 수"], np.diag(cm))
    np.testing.assert_array_equal(table["전체 수"], np.bincount(result.y_true, minlength=10))
    np.testing.assert_allclose(table["정확도"], np.diag(cm) / cm.sum(axis=1))
    assert table["정답 수"].sum() == round(result.accuracy * 500)


def test_predict_classes(model, data):
    y_pred, proba = evaluation.predict_classes(model, data.x_test[:7], batch_size=3)
    assert y_pred.shape == (7,) and proba.shape == (7, 10)
    np.testing.assert_array_equal(y_pred, proba.argmax(axis=1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    with pytest.raises(ValueError, match="x\\[None\\]"):
        evaluation.predict_classes(model, data.x_test[0])
    with pytest.raises(ValueError, match="채널"):
        evaluation.predict_classes(model, data.x_test[:3, ..., 0])
    with pytest.raises(ValueError, match=HANGUL):
        evaluation.predict_classes(model, data.x_test[:3], batch_size=0)


def test_to_metrics_is_json_ready(result):
    m = result.to_metrics()
    text = json.dumps(m)
    assert json.loads(text)["test_accuracy"] == pytest.approx(result.accuracy)
    assert m["n_test"] == 500 and len(m["per_class_accuracy"]) == 10
    assert m["confusion"] == result.confusion.tolist()


# ---------------------------------------------------------------------------
# 정답 레이블 + 일부러 틀린 예측: 손 계산과 비교
# ---------------------------------------------------------------------------


def test_perturbed_predictions_hand_computed(perturbed):
    y, pred, proba, wrong = perturbed
    r = evaluation.evaluate_predictions(y, proba)
    assert r.accuracy == 0.9  # 500개 중 50개 틀림
    np.testing.assert_array_equal(r.y_pred, pred)
    # 틀린 쌍은 (y, y+1)에만
    expected = np.zeros((10, 10), dtype=np.int64)
    np.add.at(expected, (y, pred), 1)
    np.testing.assert_array_equal(r.confusion, expected)
    for i in range(10):
        assert r.confusion[i, (i + 1) % 10] == int(np.sum(y[wrong] == i))
    # 손실: 맞힌 것은 -log(0.82), 틀린 것은 -log(0.02)
    hand = -(450 * np.log(0.82) + 50 * np.log(0.02)) / 500
    assert r.loss == pytest.approx(hand, rel=1e-5)
    assert evaluation.cross_entropy(y, proba) == pytest.approx(hand, rel=1e-5)
    # 원-핫 레이블도 같은 결과
    one_hot = np.eye(10, dtype=np.float32)[y]
    assert evaluation.evaluate_predictions(one_hot, proba).accuracy == 0.9
    # 이미 계산한 손실을 넘기면 그대로 씀
    assert evaluation.evaluate_predictions(y, proba, loss=0.123).loss == 0.123


def test_zero_sample_rows_are_guarded(perturbed):
    y, _, proba, _ = perturbed
    keep = y != 9  # 숫자 9가 하나도 없는 테스트 세트
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 0으로 나누기 경고가 나면 실패
        r = evaluation.evaluate_predictions(y[keep], proba[keep])
    assert r.confusion[9].sum() == 0
    np.testing.assert_array_equal(r.confusion_normalized[9], np.zeros(10))
    assert np.isnan(r.per_class.loc[9, "정확도"])
    assert r.per_class.loc[9, "전체 수"] == 0
    assert r.to_metrics()["per_class_accuracy"][9] is None
    np.testing.assert_allclose(r.confusion_normalized[:9].sum(axis=1), 1.0)


def test_sample_indices_match_seed_notebook():
    np.random.seed(0)
    before = np.random.get_state()
    got = evaluation.sample_indices(10000, 16, seed=42)
    after = np.random.get_state()
    np.testing.assert_array_equal(before[1], after[1])  # 전역 난수 상태는 그대로
    assert before[2] == after[2]
    np.random.seed(42)
    expected = np.random.choice(10000, 16, replace=False)  # 원본 노트북의 방식
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(np.sort(evaluation.sample_indices(5, 5)), np.arange(5))


# ---------------------------------------------------------------------------
# 잘못된 입력 → 한국어 ValueError
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "y_true, proba, match",
    [
        (np.zeros(4, int), np.full((4, 9), 1 / 9), "\\(N, 10\\)"),  # 너비 틀림
        (np.zeros(4, int), np.full((4, 10), 0.2), "합이 1"),  # 합이 2
        (np.zeros(4, int), np.full(10, 0.1), "p\\[None\\]"),  # 1차원
        (np.zeros(4, int), np.full((4, 10), np.nan), "NaN"),
        (np.zeros(4, int), -np.eye(10)[:4], "0~1"),
        (np.array([0, 1, 10, 2]), np.eye(10)[:4], "0~9"),  # 레이블 범위 밖
        (np.array([0, -1, 1, 2]), np.eye(10)[:4], "0~9"),
        (np.array([0.5, 1, 1, 2]), np.eye(10)[:4], "정수"),
        (np.array(["a", "b", "c", "d"]), np.eye(10)[:4], "정수"),
        (np.zeros((4, 3)), np.eye(10)[:4], "원-핫"),
        (np.zeros((4, 1, 1), int), np.eye(10)[:4], "모양"),
        (np.zeros(5, int), np.eye(10)[:4], "길이"),  # 길이 다름
        (np.zeros(0, int), np.zeros((0, 10)), "0"),  # 빈 배열
    ],
)
def test_evaluate_predictions_rejects_bad_input(y_true, proba, match):
    with pytest.raises(ValueError, match=match) as info:
        evaluation.evaluate_predictions(y_true, proba)
    assert "받은" in str(info.value)


def test_other_validators():
    with pytest.raises(ValueError, match="길이"):
        evaluation.confusion_matrices([0, 1], [0])
    with pytest.raises(ValueError, match="\\(10, 10\\)"):
        evaluation.per_class_table(np.zeros((9, 9)))
    with pytest.raises(ValueError, match="k는 n 이하"):
        evaluation.sample_indices(5, 6)
    for bad in (0, -3, 2.0, True):
        with pytest.raises(ValueError, match="1 이상의 정수"):
            evaluation.sample_indices(100, bad)
    with pytest.raises(ValueError, match="seed"):
        evaluation.sample_indices(100, 3, seed=-1)
    with pytest.raises(ValueError, match="길이"):
        evaluation.evaluate_model(None, np.zeros((3, 32, 32, 1)), np.zeros(2, int))
    assert isinstance(evaluation.classification_table([0, 1, 1], [0, 1, 0]), pd.DataFrame)
