"""lenetlib.evaluation 테스트: 지표가 scikit-learn·Keras·손 계산과 같은지, 입력 검사."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, classification_report, confusion_matrix, log_loss

from lenetlib import evaluation
from lenetlib.evaluation import EvaluationResult
from tests.conftest import prepare_small, raises_korean, train_small

NOUNS = ("혼동 행렬", "모델 출력", "데이터", "이미지", "레이블")


def raises(fragment: str, func, *args, **kwargs) -> str:
    return raises_korean(fragment, func, *args, nouns=NOUNS, **kwargs)


class NoPredict:
    """predict가 불리면 실패하는 가짜 모델: 검사가 예측 전에 끝나는지 확인합니다."""

    layers = ()

    def predict(self, *args, **kwargs):
        raise AssertionError("검사 전에 predict가 불렸습니다")


@pytest.fixture(scope="module")
def data(mnist_small):
    return prepare_small(mnist_small, train_limit=1000)


@pytest.fixture(scope="module")
def model(data):
    """실제 MNIST 900장으로 2 에포크 훈련한 작은 모델 (테스트 정확도는 100%가 아님)."""
    return train_small(data, seed=11, epochs=2)[0]


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

    assert result.accuracy == accuracy_score(y_true, y_pred)
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
    np.testing.assert_allclose(result.confidences, proba.max(axis=1), atol=1e-6)
    # 정수 레이블로 평가해도 같음
    same = evaluation.evaluate_model(model, data.x_test, y_true, batch_size=100)
    assert same.accuracy == result.accuracy


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
    assert list(table.columns) == ["숫자", "맞힌 개수", "전체", "정확도"]
    np.testing.assert_array_equal(table["숫자"], np.arange(10))
    np.testing.assert_array_equal(table["맞힌 개수"], np.diag(cm))
    np.testing.assert_array_equal(table["전체"], np.bincount(result.y_true, minlength=10))
    np.testing.assert_allclose(table["정확도"], np.diag(cm) / cm.sum(axis=1))
    assert table["맞힌 개수"].sum() == round(result.accuracy * 500)


def test_predict_classes(model, data):
    y_pred, proba = evaluation.predict_classes(model, data.x_test[:7], batch_size=3)
    assert y_pred.shape == (7,) and proba.shape == (7, 10)
    np.testing.assert_array_equal(y_pred, proba.argmax(axis=1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    raises(r"x\[None\]", evaluation.predict_classes, model, data.x_test[0])
    raises("add_channel_axis", evaluation.predict_classes, model, data.x_test[:3, ..., 0])
    raises("batch_size", evaluation.predict_classes, model, data.x_test[:3], batch_size=0)
    raises("Keras 모델", evaluation.predict_classes, "model", data.x_test[:3])


def test_to_metrics_is_json_ready(result):
    m = result.to_metrics()
    text = json.dumps(m)
    assert json.loads(text)["test_accuracy"] == pytest.approx(result.accuracy)
    assert m["test_loss"] == pytest.approx(result.loss)
    assert m["n_test"] == 500 and m["n_errors"] == result.n_errors
    assert len(m["per_class_accuracy"]) == 10
    assert m["confusion"] == result.confusion.tolist()


# ---------------------------------------------------------------------------
# 정답 레이블 + 일부러 틀린 예측: 손 계산과 비교
# ---------------------------------------------------------------------------


def test_perturbed_predictions_hand_computed(perturbed):
    y, pred, proba, wrong = perturbed
    r = evaluation.evaluate_predictions(y, proba)
    assert r.accuracy == 0.9  # 500개 중 50개 틀림
    np.testing.assert_array_equal(r.y_pred, pred)
    expected = np.zeros((10, 10), dtype=np.int64)
    np.add.at(expected, (y, pred), 1)
    np.testing.assert_array_equal(r.confusion, expected)
    for i in range(10):
        assert r.confusion[i, (i + 1) % 10] == int(np.sum(y[wrong] == i))
    # 손실: 맞힌 것은 -log(0.82), 틀린 것은 -log(0.02)
    hand = -(450 * np.log(0.82) + 50 * np.log(0.02)) / 500
    assert r.loss == pytest.approx(hand, rel=1e-5)
    assert evaluation.cross_entropy(y, proba) == pytest.approx(hand, rel=1e-5)
    one_hot = np.eye(10, dtype=np.float32)[y]
    assert evaluation.evaluate_predictions(one_hot, proba).accuracy == 0.9
    assert evaluation.evaluate_predictions(y, proba, loss=0.123).loss == 0.123
    raises("loss", evaluation.evaluate_predictions, y, proba, loss=float("nan"))


def test_zero_sample_rows_are_guarded(perturbed):
    y, _, proba, _ = perturbed
    keep = y != 9  # 숫자 9가 하나도 없는 테스트 세트
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 0으로 나누기 경고가 나면 실패
        r = evaluation.evaluate_predictions(y[keep], proba[keep])
    assert r.confusion[9].sum() == 0
    np.testing.assert_array_equal(r.confusion_normalized[9], np.zeros(10))
    assert np.isnan(r.per_class.loc[9, "정확도"])
    assert r.per_class.loc[9, "전체"] == 0
    assert r.to_metrics()["per_class_accuracy"][9] is None
    np.testing.assert_allclose(r.confusion_normalized[:9].sum(axis=1), 1.0)


def test_never_predicted_class_gives_zero_not_nan_without_warning():
    """5장을 아주 작은 훈련 세트로 돌리면 나오던 RuntimeWarning과 'F1 = nan' (이슈 #10)."""
    y = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    proba = np.full((10, 10), 0.05)
    proba[:, 1] = 0.55  # 모두 1로 예측: 나머지 숫자는 한 번도 예측되지 않음
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = evaluation.evaluate_predictions(y, proba)
        table = evaluation.classification_table(y, r.y_pred)
        counts, normalized = evaluation.confusion_matrices(y, r.y_pred)
    numbers = table.loc[[str(d) for d in range(10)], ["precision", "recall", "f1-score"]]
    assert not numbers.isna().any().any()
    assert table.loc["0", "f1-score"] == 0.0 and table.loc["0", "precision"] == 0.0
    assert table.loc["1", "recall"] == 1.0
    np.testing.assert_array_equal(counts[:, 1], np.ones(10))
    np.testing.assert_allclose(normalized.sum(axis=1), 1.0)


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
        (np.zeros((4, 3)), np.eye(10)[:4], "\\(N, 10\\)"),
        (np.zeros((4, 1, 1), int), np.eye(10)[:4], "모양"),
        (np.zeros(5, int), np.eye(10)[:4], "길이"),  # 길이 다름
        (np.zeros(0, int), np.zeros((0, 10)), "0"),  # 빈 배열
        # 이슈 #10-10: 문자열 배열은 NumPy/scikit-learn의 영어 오류 대신 한국어로
        (np.zeros(4, int), np.full((4, 10), "x"), "probabilities.*dtype"),
        (np.full((4, 10), "x"), np.eye(10)[:4], "y_true.*dtype"),
        (np.full((4, 2), "x"), np.eye(10)[:4], "y_true.*dtype"),
    ],
)
def test_evaluate_predictions_rejects_bad_input(y_true, proba, match):
    raises(match, evaluation.evaluate_predictions, y_true, proba)


BAD_NUMBERS = [  # 이슈 #10-8: 예전에는 조용히 평가됨 (모두 NaN인 이미지 → 정확도 0.33 등)
    ("x", lambda x, y: (np.full_like(x, np.nan), y), "NaN"),
    ("x", lambda x, y: (x * 255, y), "0~1"),
    ("y", lambda x, y: (x, np.zeros_like(y)), "합이 1"),  # 모두 0인 원-핫
    ("y", lambda x, y: (x, y * 5), "0~1"),
    ("y", lambda x, y: (x, np.full_like(y, np.nan)), "NaN"),
    ("y", lambda x, y: (x, y.argmax(axis=1) + 0.5), "정수"),
    # 이슈 #10-9: Keras의 영어 오류나 UnboundLocalError 대신 한국어로
    ("x", lambda x, y: (x[:, 2:30, 2:30], y), "28×28"),
    ("x", lambda x, y: (np.moveaxis(x, -1, 1), y), r"\(N, 32, 32, 1\)"),
    ("x", lambda x, y: (x[:0], y[:0]), "비어 있습니다"),
    ("x", lambda x, y: (x[..., 0], y), r"\(N, 32, 32, 1\) 모양"),
    ("x", lambda x, y: (x.astype(str), y), "dtype"),
    ("y", lambda x, y: (x, y[:-1]), "길이"),
]


@pytest.mark.parametrize("which, change, match", BAD_NUMBERS)
def test_evaluate_model_checks_before_predicting(data, which, change, match):
    x, y = change(data.x_test[:20], data.y_test[:20])
    message = raises(match, evaluation.evaluate_model, NoPredict(), x, y)
    assert re.match(rf"{which}(의|에|은\(는\)| \d+개)|길이", message), message
    if which == "x":
        raises(match, evaluation.predict_classes, NoPredict(), x)


def test_other_validators():
    raises("길이", evaluation.confusion_matrices, [0, 1], [0])
    raises("\\(10, 10\\)", evaluation.per_class_table, np.zeros((9, 9)))
    raises("혼동 행렬", evaluation.per_class_table, np.full((10, 10), "x"))
    x3 = np.zeros((3, 32, 32, 1))
    raises("Keras 모델", evaluation.evaluate_model, None, x3, np.zeros(3, int))
    raises("길이가 서로 다릅니다: x 3개, y 2개", evaluation.evaluate_model, NoPredict(), x3, [0, 1])
    assert isinstance(evaluation.classification_table([0, 1, 1], [0, 1, 0]), pd.DataFrame)


def test_importing_evaluation_does_not_import_tensorflow():
    code = (
        "import sys, lenetlib.evaluation, lenetlib.error_analysis; "
        "sys.exit(1 if 'tensorflow' in sys.modules or 'keras' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == 0
