"""숫자를 그리면 LeNet-5가 읽는 캔버스와 8장의 그림. (8장 ``08_handwriting.ipynb``)

:class:`DigitCanvas`는 anywidget 위젯(JupyterLab, Notebook 7, VS Code, Colab): 마우스·터치·펜으로
그리면 획을 뗄 때마다 ``handwriting``으로 바꿔 예측합니다. 브라우저 없이도 ``strokes``로 씁니다.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import anywidget
import matplotlib.pyplot as plt
import numpy as np
import traitlets
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from lenetlib import handwriting, plotting
from lenetlib._internal import checks
from lenetlib._internal.constants import IMAGE_SIZE
from lenetlib._internal.fonts import with_korean_font
from lenetlib.error_analysis import feature_maps
from lenetlib.preprocessing import PAD, preprocess_images

__all__ = ["DigitCanvas", "Reading", "plot_reading", "plot_steps", "read_digit"]

_STEP_TITLES = ("원본", "① 회색조", "② 반전·배경 빼기", "③ 경계 상자로 자르기",
                "④ 20×20에 맞추기", "⑤ 무게중심을 가운데로", "⑥ 패딩: 모델 입력")  # fmt: skip


@dataclass(frozen=True)
class Reading:
    """그림 한 장을 읽은 결과: ``digit``, ``probabilities`` (10,), ``mnist``, ``c1`` 맵. (8장)"""

    digit: int
    probabilities: np.ndarray
    mnist: np.ndarray
    c1: np.ndarray

    @property
    def text(self) -> str:
        """캔버스에 쓰는 한 줄, 예: ``"예측: 7 (98.2%)"``."""
        p = float(self.probabilities[self.digit])  # 반올림한 100.0%는 쓰지 않음
        return f"예측: {self.digit} ({p:.1%})" if p < 0.9995 else f"예측: {self.digit} (>99.9%)"


def read_digit(model: Any, image: Any) -> Reading:
    """숫자 그림 하나를 MNIST처럼 바꿔 예측하고 C1 특성 맵까지 구합니다. (8장)

    ``model``: 32×32×1 입력, softmax로 끝나는 10개 출력 (로짓을 내는 모델은 한국어 오류).
    """
    checks.check_digit_model(model)
    mnist = handwriting.to_mnist(image)
    x = preprocess_images(mnist[None])
    output = np.asarray(model(x, training=False))  # 한 장이라 predict보다 빠름
    if getattr(model, "inputs", None) is None:  # 서브클래스 모델: 층의 출력(C1 맵)을 꺼낼 수 없음
        raise checks.wrong_type(
            "model", model, "Sequential이나 함수형 Keras 모델",
            "C1 특성 맵을 구하려면 층의 출력이 필요합니다 (keras.Model을 상속한 서브클래스 모델은 "
            "안 됨). model.build_lenet5()나 artifacts.load_model()의 LeNet-5를 넘기세요.",
        )  # fmt: skip
    try:
        probabilities = checks.check_probabilities(output, "모델 출력")[0]
    except ValueError as exc:
        raise ValueError(
            f"{exc} read_digit에는 마지막 층이 softmax인 모델을 넘기세요 (로짓을 내는 모델이라면 "
            "keras.Sequential([model, keras.layers.Softmax()])로 감싸서)."
        ) from None
    c1 = feature_maps(model, x[0], ("C1",))["C1"]
    return Reading(int(probabilities.argmax()), probabilities, mnist, c1)


@with_korean_font
def plot_reading(reading: Reading, *, true_label: int | None = None) -> Figure:
    """캔버스 옆 그림: MNIST 방식 28×28, 숫자별 확률 막대, C1 특성 맵 6장(같은 색 눈금). (8장)

    모델에는 이 28×28을 2칸씩 패딩한 32×32가 들어갑니다. C1 맵은 6장의 ``plot_feature_maps``와
    같은 색 규칙(viridis: 어두운 보라 = 작은 값, 노랑 = 큰 값)과 색 막대를 씁니다.

    ``true_label``을 주면 확률 막대에 정답을 표시하고, 틀린 예측 막대는 빨강입니다.
    """
    checks.check_type(
        reading, Reading, "reading", "canvas.Reading", "read_digit()의 결과를 넘기세요."
    )
    fig = plt.figure(figsize=(11.5, 3.6), layout="constrained")
    try:  # 잘못된 true_label 등으로 멈추면 반쯤 그린 그림이 셀 아래에 남지 않게 닫음
        left, middle, right = fig.subfigures(1, 3, width_ratios=[1, 1.9, 2.2])
        ax = left.subplots()
        ax.imshow(reading.mnist, cmap="gray", vmin=0, vmax=255)
        ax.set(xticks=[], yticks=[], title="MNIST 방식 28×28\n(모델에는 32×32로 패딩)")
        bars = middle.subplots()
        plotting.plot_probability_bars(reading.probabilities, bars, true_label=true_label)
        plotting.plot_feature_maps(reading.c1, "C1 특성 맵 (28×28, 6개)", ncols=3, fig=right)
    except BaseException:
        plt.close(fig)
        raise
    return fig


@with_korean_font
def plot_steps(steps: Any, *, title: str = "내 손글씨를 MNIST처럼 바꾸는 단계") -> Figure:
    """``handwriting.mnist_steps``의 결과(하나나 여럿)를 단계마다 한 칸씩, 한 장에 한 줄로. (8장)

    ② 칸의 빨간 상자는 잉크의 경계 상자, ⑤ 칸의 +는 무게중심이 옮겨 간 (14, 14)입니다.
    """
    rows = list(steps) if isinstance(steps, Iterable) and not isinstance(steps, str) else [steps]
    for s in rows or [None]:  # 빈 목록도 같은 안내로
        checks.check_type(s, handwriting.HandwritingSteps, "steps", "HandwritingSteps",
                          "handwriting.mnist_steps(그림)의 결과를 넘기세요.")  # fmt: skip
    n = len(_STEP_TITLES)
    fig, grid = plt.subplots(len(rows), n, figsize=(1.75 * n, 2.0 * len(rows) + 0.5),
                             squeeze=False, layout="constrained")  # fmt: skip
    for axes, s in zip(grid, rows, strict=True):
        padded = np.pad(s.centred, PAD)
        images = (s.original, s.grey, s.ink, s.cropped, s.resized, s.centred, padded)
        for ax, image, name in zip(axes, images, _STEP_TITLES, strict=True):
            gray = {} if image.ndim == 3 else {"cmap": "gray", "vmin": 0, "vmax": 1}
            ax.imshow(image, **gray)
            shape = "×".join(str(d) for d in image.shape[:2])
            ax.set(xticks=[], yticks=[], title=name, xlabel=shape)
        top, bottom, left, right = s.bbox
        box = Rectangle((left - 0.5, top - 0.5), right - left, bottom - top, fill=False, ec="red")
        axes[2].add_patch(box)
        axes[5].plot(14, 14, "r+", markersize=12)  # 무게중심이 옮겨 간 칸 (행 14, 열 14)
        axes[2].set_xlabel(f"{axes[2].get_xlabel()}, {'반전함' if s.inverted else '반전 안 함'}")
    fig.suptitle(title, fontsize=14)
    return fig


def _png_data_url(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=72)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


_ESM = """
function render({ model, el }) {
  const make = (tag, cls, text = "") => Object.assign(document.createElement(tag),
                                                      { className: cls, textContent: text });
  const size = model.get("size"), root = make("div", "lenet-widget");
  const canvas = Object.assign(make("canvas", "lenet-canvas"), { width: size, height: size });
  const side = make("div", "lenet-side"), clear = make("button", "lenet-clear", "지우기");
  const prediction = make("div", "lenet-prediction"), message = make("div", "lenet-message");
  const result = make("img", "lenet-result");
  result.alt = "MNIST 방식 28×28 이미지, 숫자별 확률, C1 특성 맵";
  const ctx = canvas.getContext("2d");
  let strokes = model.get("strokes"), current = null;
  const paint = () => {  // 흰 바탕에 지금까지의 획을 모두 다시 그림 (점 하나짜리 획은 동그라미)
    const width = model.get("stroke_width");
    ctx.fillStyle = "white"; ctx.fillRect(0, 0, size, size);
    Object.assign(ctx, { strokeStyle: "black", fillStyle: "black", lineWidth: width,
                         lineCap: "round", lineJoin: "round" });
    for (const line of current ? [...strokes, current] : strokes) {
      ctx.beginPath();
      line.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      if (line.length > 1) ctx.stroke();
      else { ctx.arc(line[0][0], line[0][1], width / 2, 0, 2 * Math.PI); ctx.fill(); }
    }
  };
  const point = (e) => {  // 화면 좌표 → 캔버스 좌표 (CSS로 줄어든 캔버스도)
    const r = canvas.getBoundingClientRect(), k = size / r.width;
    const round = (v) => Math.round(v * 10) / 10;
    return [round((e.clientX - r.left) * k), round((e.clientY - r.top) * k)];
  };
  const send = (lines) => {  // 획을 뗄 때·지울 때 파이썬으로 보냄
    strokes = lines; current = null; paint(); model.set("strokes", lines); model.save_changes();
  };
  canvas.addEventListener("pointerdown", (e) => {  // 마우스, 터치, 펜 모두 포인터 이벤트
    e.preventDefault(); canvas.setPointerCapture(e.pointerId); current = [point(e)]; paint();
  });
  canvas.addEventListener("pointermove", (e) => current && (current.push(point(e)), paint()));
  const end = () => { if (current) send([...strokes, current]); };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  clear.addEventListener("click", () => send([]));
  const show = () => {
    prediction.textContent = model.get("prediction"); message.textContent = model.get("message");
    result.src = model.get("image"); result.style.display = model.get("image") ? "" : "none";
  };
  for (const name of ["prediction", "message", "image"]) model.on(`change:${name}`, show);
  model.on("change:strokes", () => { strokes = model.get("strokes"); paint(); });
  side.append(prediction, message, clear); root.append(canvas, side, result); el.append(root);
  paint(); show();
}
export default { render };
"""

_CSS = """
.lenet-widget { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.lenet-canvas { border: 2px solid #888; touch-action: none; cursor: crosshair; max-width: 100%; }
.lenet-side { display: flex; flex-direction: column; gap: 8px; min-width: 160px; max-width: 260px; }
.lenet-prediction { font-size: 1.6em; font-weight: bold; } .lenet-message { color: #a33; }
.lenet-result { max-width: 100%; }
"""


def _korean_trait(trait: type, wanted: str, example: str) -> type:
    """형식이 틀린 값에 영어 TraitError 대신 한국어 ValueError를 내는 traitlets 형식."""

    class Korean(trait):
        def error(self, obj: Any, value: Any, error: Any = None, info: Any = None) -> None:
            fix = f"예: DigitCanvas(model, {self.name}={example})"
            raise checks.wrong_type(self.name, value, wanted, fix)

    return Korean


def _widget_message(exc: Exception) -> str:
    """위젯 안의 오류는 셀에 보이지 않으므로 캔버스에 쓸 한국어 안내로."""
    if isinstance(exc, ValueError):
        return str(exc)
    return (
        f"예상하지 못한 오류로 읽지 못했습니다 ({type(exc).__name__}). 셀에서 "
        "canvas.read_digit(model, handwriting.Strokes(board.strokes))를 실행해 보세요."
    )


class DigitCanvas(anywidget.AnyWidget):
    """숫자를 그리면 모델이 읽는 캔버스 (지우기 버튼, 마우스·터치). (8장)

    ``DigitCanvas(model)``을 셀의 마지막 줄에 두면 나타납니다. 획을 뗄 때마다 ``prediction``
    (예: ``"예측: 7 (98.2%)"``), ``image``(28×28·확률·C1 맵 그림, PNG data URL), 잘못된 입력이면
    ``message``(한국어 안내)가 바뀝니다. ``board.strokes = [[(x, y), ...]]``로도 그립니다.
    """

    _esm = _ESM
    _css = _CSS
    strokes = _korean_trait(traitlets.List, "list", "[[(60, 50), (220, 50)]]")().tag(sync=True)
    prediction = traitlets.Unicode("").tag(sync=True)
    message = traitlets.Unicode("숫자 하나를 마우스나 손가락으로 크게 그려 보세요.").tag(sync=True)
    image = traitlets.Unicode("").tag(sync=True)
    stroke_width = _korean_trait(traitlets.Float, "실수", "18.0")(18.0).tag(sync=True)
    size = _korean_trait(traitlets.Int, "정수", "280")(280).tag(sync=True)

    def __init__(self, model: Any, **kwargs: Any) -> None:
        self._model = checks.check_digit_model(model)  # 창을 만들기 전에 확인
        known = {name for name in self.class_trait_names() if not name.startswith("_")}
        if unknown := sorted(set(kwargs) - known):  # 오타(stroke_widht=8)를 말없이 무시하지 않게
            raise ValueError(
                f"DigitCanvas가 모르는 인자입니다: {', '.join(unknown)}. 캔버스의 설정은 strokes, "
                "stroke_width, size입니다. 예: DigitCanvas(model, stroke_width=8.0, size=280)"
            )
        self.reading: Reading | None = None
        strokes = kwargs.pop("strokes", [])
        super().__init__(**kwargs)
        self.strokes = strokes  # 모델과 크기가 정해진 뒤라야 획을 읽을 수 있음

    def __repr__(self) -> str:
        return "손글씨 캔버스 (브라우저에서 실행하면 그림판이 나타납니다)"

    @traitlets.validate("size")
    def _check_size(self, proposal: dict[str, Any]) -> int:
        """한 변: MNIST 한 장(28) 이상, 그림의 최대 화소 수(5000×5000) 이하 (창을 만들기 전에)."""
        biggest = math.isqrt(handwriting.MAX_PIXELS)
        return checks.check_int(proposal["value"], "size", minimum=IMAGE_SIZE, maximum=biggest,
                                example=280)  # fmt: skip

    @traitlets.validate("stroke_width")
    def _check_stroke_width(self, proposal: dict[str, Any]) -> float:
        return handwriting._stroke_width(proposal["value"], "stroke_width")

    @traitlets.observe("strokes")
    def _read_strokes(self, change: dict[str, Any]) -> None:
        try:  # 그림까지 모두 안에서: 예외가 traitlets 밖으로 나가면 학생에게 보이지 않음
            drawn = handwriting.Strokes(change["new"], self.stroke_width, (self.size, self.size))
            reading = read_digit(self._model, drawn)
            image = _png_data_url(plot_reading(reading))
        except Exception as exc:  # 빈 캔버스, 맞지 않는 모델 등: 오류 대신 한국어 안내
            self.reading = None
            self.prediction, self.image, self.message = "", "", _widget_message(exc)
            return
        self.reading = reading
        self.image, self.prediction, self.message = image, reading.text, ""
