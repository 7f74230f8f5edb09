"""8장 lenetlib.canvas: 브라우저 없이 위젯의 파이썬 쪽(획 → 예측·그림·안내)과 그림 함수."""

from __future__ import annotations

import re
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from lenetlib import canvas, handwriting, plotting
from lenetlib.preprocessing import preprocess_images
from tests.conftest import raises_korean

SEVEN = [[[60.0, 50.0], [220.0, 50.0], [120.0, 250.0]]]
PREDICTION = re.compile(r"^예측: \d \((>99\.9|\d{1,2}\.\d)%\)$")


@pytest.fixture(scope="module")
def model(lenet5):
    """훈련하지 않은 LeNet-5: 파이썬 쪽 흐름만 보므로 예측이 맞을 필요는 없음."""
    return lenet5


def test_read_digit_matches_model_predict(model):
    drawn = handwriting.Strokes(SEVEN)
    reading = canvas.read_digit(model, drawn)
    expected = model.predict(preprocess_images(handwriting.to_mnist(drawn)[None]), verbose=0)[0]
    np.testing.assert_allclose(reading.probabilities, expected, atol=1e-6)
    assert reading.digit == int(expected.argmax())
    assert reading.mnist.shape == (28, 28) and reading.c1.shape == (28, 28, 6)
    assert PREDICTION.match(reading.text), reading.text


def test_reading_text_never_rounds_up_to_100():
    p = np.full(10, 1e-5)
    p[3] = 1 - p.sum() + 1e-5
    sure = canvas.Reading(3, p, np.zeros((28, 28)), np.zeros((28, 28, 6)))
    assert sure.text == "예측: 3 (>99.9%)"
    half = canvas.Reading(1, np.r_[0.25, 0.75, np.zeros(8)], np.zeros((28, 28)), np.zeros((1,)))
    assert half.text == "예측: 1 (75.0%)"


def test_widget_predicts_on_each_stroke_and_clears(model):
    board = canvas.DigitCanvas(model)
    assert board.prediction == "" and "그려 보세요" in board.message
    board.strokes = SEVEN  # 브라우저가 획을 뗄 때 보내는 것과 같은 값
    assert PREDICTION.match(board.prediction), board.prediction
    assert board.prediction == board.reading.text and board.message == ""
    assert board.image.startswith("data:image/png;base64,") and len(board.image) > 5000
    assert board.reading.digit == canvas.read_digit(model, handwriting.Strokes(SEVEN)).digit
    board.strokes = []  # 지우기 버튼
    assert board.prediction == "" and board.image == "" and board.reading is None
    assert "캔버스가 비어 있습니다" in board.message
    board.strokes = [[[1, 2, 3]]]  # 망가진 획: 예외 대신 안내
    assert board.prediction == "" and "(x, y) 점의 목록" in board.message
    assert not plt.get_fignums()  # 위젯이 만든 그림은 닫혀서 셀 출력에 끼지 않음


def test_widget_uses_its_stroke_width_and_size(model):
    board = canvas.DigitCanvas(model, stroke_width=6.0, size=200)
    board.strokes = [[[100.0, 20.0], [100.0, 180.0]]]
    assert board.reading is not None
    drawn = handwriting.Strokes(board.strokes, 6.0, (200, 200))
    np.testing.assert_array_equal(board.reading.mnist, handwriting.to_mnist(drawn))


def test_widget_headless_display_is_korean(model):
    """브라우저 없이 실행한 셀 출력: 객체 주소 대신 한국어 한 줄."""
    board = canvas.DigitCanvas(model)
    assert repr(board).startswith("손글씨 캔버스")
    data, _ = board._repr_mimebundle_()  # anywidget: (데이터, 메타데이터)
    assert data["text/plain"] == repr(board)
    assert "application/vnd.jupyter.widget-view+json" in data  # 브라우저에서는 그대로 위젯


def test_front_end_has_stable_class_names_and_pointer_events():
    """브라우저 테스트가 찾는 이름과 마우스·터치 공통의 포인터 이벤트."""
    for name in ("lenet-canvas", "lenet-prediction", "lenet-clear", "lenet-message"):
        assert f'"{name}"' in canvas.DigitCanvas._esm
    for event in ("pointerdown", "pointermove", "pointerup", "pointercancel", "save_changes"):
        assert event in canvas.DigitCanvas._esm
    assert "touch-action: none" in canvas.DigitCanvas._css


def test_plot_steps_and_plot_reading(model):
    images, _ = handwriting.load_samples()
    steps = [handwriting.mnist_steps(images[i]) for i in (0, 12)]
    fig = canvas.plot_steps(steps)
    assert isinstance(fig, Figure) and len(fig.axes) == 2 * 7
    assert fig.axes[6].images[0].get_array().shape == (32, 32)
    assert [a.get_title() for a in fig.axes[:2]] == ["원본", "① 회색조"]
    assert len(canvas.plot_steps(steps[0]).axes) == 7
    reading = canvas.read_digit(model, images[0])
    fig = canvas.plot_reading(reading)
    assert isinstance(fig, Figure) and sum(bool(a.images) for a in fig.axes) == 1 + 6
    assert "32×32" in fig.axes[0].get_title()  # 28×28은 모델 입력 그대로가 아님
    plt.close("all")


def test_reading_panel_follows_chapter_6_colours_and_its_colour_bar_is_readable(model):
    """이슈 #20: C1 맵은 6장의 plot_feature_maps와 같은 색 규칙(특성 맵 = viridis, 같은 범위)이고,
    색 막대의 이름은 눈금 글자에 붙지 않고 막대 위에 있습니다."""
    images, _ = handwriting.load_samples()
    reading = canvas.read_digit(model, images[0])
    fig = canvas.plot_reading(reading)
    maps = [a for a in fig.axes[1:] if a.images]
    chapter_6 = plotting.plot_feature_maps(reading.c1)
    assert [m.images[0].get_cmap().name for m in maps] == ["viridis"] * 6
    assert {m.images[0].get_clim() for m in maps} == {chapter_6.axes[0].images[0].get_clim()}
    bar = fig.axes[-1]
    assert bar.get_label() == "<colorbar>" and bar.get_title() == chapter_6.axes[-1].get_title()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    label = bar.title.get_window_extent(renderer)
    low, high = bar.get_ylim()
    ticks = [t.get_window_extent(renderer) for t in bar.get_yticklabels()
             if t.get_text() and low <= t.get_position()[1] <= high]  # fmt: skip
    assert ticks and label.y0 > max(t.y1 for t in ticks), "색 막대 이름이 눈금 글자와 겹침"
    assert any(f._suptitle and "C1" in f._suptitle.get_text() for f in fig.subfigs)
    plt.close("all")


def test_bad_input(model):
    raises_korean("Keras 모델", canvas.DigitCanvas, "model")
    raises_korean("HandwritingSteps", canvas.plot_steps, [np.zeros((28, 28))])
    raises_korean("HandwritingSteps", canvas.plot_steps, [])
    raises_korean("canvas.Reading", canvas.plot_reading, np.zeros((28, 28)))
    raises_korean("캔버스가 비어 있습니다", canvas.read_digit, model, handwriting.Strokes([]))


# --- 이슈 #18 (7, 8): 캔버스에 맞지 않는 모델, 위젯 배관 ---


def _net(input_shape, outputs=10, activation="softmax"):
    from lenetlib._internal.backend import keras

    kl = keras.layers
    return keras.Sequential([keras.Input(input_shape), kl.Conv2D(6, 5, name="C1"), kl.Flatten(),
                             kl.Dense(outputs, activation=activation)])  # fmt: skip


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda: _net((28, 28, 1)), r"\(N, 32, 32, 1\).*입력 \(None, 28, 28, 1\)"),
        (lambda: _net((32, 32, 3)), r"입력 \(None, 32, 32, 3\)"),
        (lambda: _net((32, 32, 1), outputs=3), r"출력 \(None, 3\)"),
        (lambda: SimpleNamespace(predict=print, layers=[]), "model\\(x\\)로 부를 수 있는"),
    ],
    ids=["28x28", "rgb", "3-class", "not-callable"],
)
def test_models_that_do_not_fit_the_canvas_are_korean_errors(make, fragment):
    net = make()
    for call in (canvas.read_digit, lambda m, _: canvas.DigitCanvas(m)):
        message = raises_korean(fragment, call, net, handwriting.Strokes(SEVEN))
        assert "\x1b" not in message  # Keras의 ANSI 색 코드가 섞이지 않음


def test_a_logits_model_is_not_read_as_probabilities():
    logits = _net((32, 32, 1), activation=None)
    raises_korean("softmax", canvas.read_digit, logits, handwriting.Strokes(SEVEN))
    board = canvas.DigitCanvas(logits)
    board.strokes = SEVEN  # 위젯 안: 예외 대신 한국어 안내
    assert board.prediction == "" and board.reading is None and "softmax" in board.message


def test_no_exception_escapes_the_widget_observer(model, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("그림 실패")

    monkeypatch.setattr(canvas, "plot_reading", broken)
    board = canvas.DigitCanvas(model)
    board.strokes = SEVEN
    assert board.prediction == "" and board.image == "" and board.reading is None
    assert "예상하지 못한 오류" in board.message and "RuntimeError" in board.message


def test_strokes_given_at_creation_are_read(model):
    board = canvas.DigitCanvas(model, strokes=SEVEN, stroke_width=12.0)
    assert PREDICTION.match(board.prediction), board.message
    expected = handwriting.to_mnist(handwriting.Strokes(SEVEN, 12.0))
    np.testing.assert_array_equal(board.reading.mnist, expected)


def test_wrong_type_settings_are_korean_errors(model):
    raises_korean("size.*정수 형식", canvas.DigitCanvas, model, size="큰")
    raises_korean("stroke_width.*실수 형식", canvas.DigitCanvas, model, stroke_width="굵게")
    raises_korean("strokes.*list 형식", canvas.DigitCanvas, model, strokes=7)
    board = canvas.DigitCanvas(model)
    raises_korean("size.*정수 형식", setattr, board, "size", 280.5)
    raises_korean("strokes.*list 형식", setattr, board, "strokes", 7)
    raises_korean("HandwritingSteps", canvas.plot_steps, None)
    raises_korean("HandwritingSteps", canvas.plot_steps, "steps")


# --- tools/probe.py(make probe)가 찾은 것 ---


@pytest.mark.parametrize(
    ("setting", "fragment"),
    [({"size": 0}, "size.*28~5000"), ({"size": -280}, "size.*28~5000"),
     ({"size": 10**6}, "size.*28~5000"), ({"stroke_width": 0.0}, r"stroke_width.*\(0, 200\]"),
     ({"stroke_width": float("nan")}, "stroke_width"), ({"stroke_width": 500.0}, "stroke_width"),
     ({"stroke_widht": 8.0}, "모르는 인자입니다: stroke_widht")],
    ids=["size-0", "size-negative", "size-huge", "width-0", "width-nan", "width-500", "typo"],
)  # fmt: skip
def test_impossible_or_misspelled_settings_are_refused_at_creation(model, setting, fragment):
    """크기 0·음수, 굵기 0·NaN, 오타(stroke_widht)를 말없이 받았음 (획을 그린 뒤에야 안내)."""
    raises_korean(fragment, canvas.DigitCanvas, model, **setting)


def test_a_refused_setting_leaves_the_canvas_as_it_was(model):
    board = canvas.DigitCanvas(model, size=200)
    raises_korean("size", setattr, board, "size", 3)
    assert board.size == 200


@pytest.mark.parametrize("label", [11, "7", 7.5])
def test_plot_reading_with_a_bad_true_label_leaves_no_half_drawn_figure(model, label):
    """그림을 만든 뒤에 true_label을 거절해 빈 그림이 셀 아래에 남았음."""
    reading = canvas.read_digit(model, handwriting.Strokes(SEVEN))
    before = plt.get_fignums()
    raises_korean("true_label", canvas.plot_reading, reading, true_label=label)
    assert plt.get_fignums() == before


def test_a_subclassed_model_is_a_korean_error_not_a_keras_attribute_error():
    """서브클래스 모델은 C1 층의 출력을 꺼낼 수 없어 Keras의 영어 AttributeError가 났음."""
    from lenetlib._internal.backend import keras

    class Tiny(keras.Model):
        def __init__(self):
            super().__init__()
            self.c1 = keras.layers.Conv2D(6, 5, name="C1")
            self.out = keras.layers.Dense(10, activation="softmax")

        def call(self, x, training=False):
            return self.out(keras.ops.reshape(self.c1(x), (-1, 28 * 28 * 6)))

    raises_korean("Sequential이나 함수형", canvas.read_digit, Tiny(), handwriting.Strokes(SEVEN))
    board = canvas.DigitCanvas(Tiny())
    board.strokes = SEVEN
    assert board.reading is None and "Sequential이나 함수형" in board.message
