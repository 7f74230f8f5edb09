"""구조 그림 파일: model.save_architecture_diagram, graphviz_available (3장, plotting으로도)."""

from __future__ import annotations

import sys
import types

import matplotlib
import pytest

from lenetlib import model as lm
from lenetlib import plotting
from lenetlib._internal.backend import keras

matplotlib.use("Agg")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------------------
# graphviz_available / save_architecture_diagram
# ---------------------------------------------------------------------------
class _FakeDot:
    """``pydot.Dot()``과 ``pydot.Dot.create(graph)``만 흉내 냅니다."""

    def __init__(self, create):
        self.create = create

    def __call__(self):
        return object()


def test_graphviz_available_is_false_without_pydot(monkeypatch):
    monkeypatch.setitem(sys.modules, "pydot", None)  # import pydot → ImportError
    assert lm.graphviz_available() is False


def test_graphviz_available_follows_dot(monkeypatch):
    def broken_create(*args, **kwargs):
        raise FileNotFoundError("dot not found")

    monkeypatch.setitem(sys.modules, "pydot", types.SimpleNamespace(Dot=_FakeDot(broken_create)))
    assert lm.graphviz_available() is False
    monkeypatch.setitem(sys.modules, "pydot", types.SimpleNamespace(Dot=_FakeDot(lambda g: b"")))
    assert lm.graphviz_available() is True


@pytest.fixture
def fake_plotting(monkeypatch):
    """``model.plot_architecture``를 가짜로 바꾸고 호출을 기록합니다."""
    import matplotlib.pyplot as plt

    calls = []

    def plot_architecture(model):
        calls.append(model.name)
        fig, ax = plt.subplots(figsize=(2, 2))
        ax.text(0.5, 0.5, model.name)
        return fig

    monkeypatch.setattr(lm, "plot_architecture", plot_architecture)
    return calls


def _must_not_be_called(*args, **kwargs):
    raise AssertionError("plot_model이 호출되면 안 됩니다")


def test_diagram_falls_back_to_matplotlib_without_graphviz(
    lenet5, tmp_path, monkeypatch, fake_plotting
):
    monkeypatch.setattr(lm, "graphviz_available", lambda: False)
    monkeypatch.setattr(keras.utils, "plot_model", _must_not_be_called)
    out = lm.save_architecture_diagram(lenet5, tmp_path / "sub" / "arch")
    assert out == tmp_path / "sub" / "arch.png"
    assert out.read_bytes()[:8] == PNG_MAGIC
    assert fake_plotting == ["LeNet5"]


def test_diagram_skips_graphviz_when_not_preferred(lenet5, tmp_path, monkeypatch, fake_plotting):
    monkeypatch.setattr(lm, "graphviz_available", lambda: True)
    monkeypatch.setattr(keras.utils, "plot_model", _must_not_be_called)
    out = lm.save_architecture_diagram(lenet5, str(tmp_path / "a.png"), prefer_graphviz=False)
    assert out.read_bytes()[:8] == PNG_MAGIC and fake_plotting == ["LeNet5"]


def test_diagram_falls_back_when_plot_model_fails(lenet5, tmp_path, monkeypatch, fake_plotting):
    def failing_plot_model(*args, **kwargs):
        raise OSError("dot crashed")

    monkeypatch.setattr(lm, "graphviz_available", lambda: True)
    monkeypatch.setattr(keras.utils, "plot_model", failing_plot_model)
    out = lm.save_architecture_diagram(lenet5, tmp_path / "arch.png")
    assert out.read_bytes()[:8] == PNG_MAGIC
    assert fake_plotting == ["LeNet5"]


def test_diagram_falls_back_when_plot_model_writes_nothing(
    lenet5, tmp_path, monkeypatch, fake_plotting
):
    # Jupyter 안의 plot_model은 graphviz가 없으면 파일 없이 조용히 끝납니다.
    old = tmp_path / "arch.png"
    old.write_bytes(b"old picture")  # 예전 파일이 성공처럼 보이면 안 됩니다.
    monkeypatch.setattr(lm, "graphviz_available", lambda: True)
    monkeypatch.setattr(keras.utils, "plot_model", lambda *a, **k: None)
    out = lm.save_architecture_diagram(lenet5, old)
    assert out.read_bytes()[:8] == PNG_MAGIC
    assert fake_plotting == ["LeNet5"]


def test_diagram_uses_plot_model_when_graphviz_works(lenet5, tmp_path, monkeypatch, fake_plotting):
    received = {}

    def fake_plot_model(model, to_file, **kwargs):
        received.update(kwargs, to_file=to_file)
        with open(to_file, "wb") as handle:
            handle.write(PNG_MAGIC + b"graphviz")

    monkeypatch.setattr(lm, "graphviz_available", lambda: True)
    monkeypatch.setattr(keras.utils, "plot_model", fake_plot_model)
    out = lm.save_architecture_diagram(lenet5, tmp_path / "arch.png", dpi=72)
    assert out.read_bytes() == PNG_MAGIC + b"graphviz"
    assert received["show_shapes"] is True and received["to_file"] == str(out)
    assert received["dpi"] == 72
    assert fake_plotting == []


def test_diagram_error_is_korean_when_everything_fails(lenet5, tmp_path, monkeypatch):
    def broken(model):
        raise RuntimeError("no font")

    monkeypatch.setattr(lm, "plot_architecture", broken)
    monkeypatch.setattr(lm, "graphviz_available", lambda: False)
    with pytest.raises(lm.DiagramError, match="저장하지 못했습니다") as info:
        lm.save_architecture_diagram(lenet5, tmp_path / "arch.png")
    assert "layer_table" in str(info.value) and "no font" in str(info.value)
    assert isinstance(info.value.__cause__, RuntimeError)


def test_diagram_error_when_folder_cannot_be_made(lenet5, tmp_path, fake_plotting):
    (tmp_path / "afile").write_text("파일")  # 폴더 자리에 파일이 있음
    with pytest.raises(lm.DiagramError, match="만들 수 없습니다") as info:
        lm.save_architecture_diagram(lenet5, tmp_path / "afile" / "그림" / "arch.png")
    assert "그림'을 만들 수 없습니다" in str(info.value)  # '림'은 받침이 있으므로 '을'
    assert "그림'를" not in str(info.value)
    assert fake_plotting == []


@pytest.mark.parametrize(
    ("model", "kwargs", "fragment"),
    [
        (object(), {}, r"model은\(는\) Keras 모델이어야"),
        (None, {"path": 3}, r"path은\(는\) 파일 경로"),
        (None, {"dpi": 0}, r"dpi은\(는\) 1 이상의 정수"),
        (None, {"show_shapes": "yes"}, r"show_shapes은\(는\) True 또는 False"),
        (None, {"prefer_graphviz": 1}, r"prefer_graphviz은\(는\) True 또는 False"),
    ],
)
def test_diagram_rejects_bad_arguments(lenet5, tmp_path, model, kwargs, fragment):
    args = {"path": tmp_path / "x.png"} | kwargs
    with pytest.raises(ValueError, match=fragment):
        lm.save_architecture_diagram(lenet5 if model is None else model, **args)
    assert not (tmp_path / "x.png").exists()


def test_diagram_with_real_plotting_module(classic, tmp_path):
    out = lm.save_architecture_diagram(classic, tmp_path / "classic.png", prefer_graphviz=False)
    assert out.read_bytes()[:8] == PNG_MAGIC
    assert out.stat().st_size > 1000


@pytest.mark.skipif(
    __import__("shutil").which("dot") is None,
    reason="graphviz(dot)가 없음: .ci/run이 Debian의 graphviz를 설치해 CI에서는 실행됩니다",
)
def test_plot_model_really_draws_with_graphviz(lenet5, tmp_path, monkeypatch):
    """이슈 #11: graphviz가 있으면 가짜 없이 keras.utils.plot_model의 그림을 저장합니다."""
    monkeypatch.setattr(lm, "_plot_fallback", _must_not_be_called)
    assert lm.graphviz_available() is True
    out = lm.save_architecture_diagram(lenet5, tmp_path / "graphviz.png", dpi=60)
    assert out.read_bytes()[:8] == PNG_MAGIC and out.stat().st_size > 5000


def test_plotting_names_are_the_model_diagram(lenet5, tmp_path):
    """이슈 #19: 구조 그림은 모델 옆(model)에 있고, 3장이 부르는 plotting의 이름은 같은 것입니다."""
    for name in ("plot_architecture", "save_architecture_diagram", "graphviz_available"):
        assert getattr(plotting, name) is getattr(lm, name)
    assert plotting.DiagramError is lm.DiagramError and "plot_architecture" in plotting.__all__
    with pytest.raises(AttributeError, match="no_such_name"):
        plotting.no_such_name  # noqa: B018
    out = plotting.save_architecture_diagram(lenet5, tmp_path / "a.png", prefer_graphviz=False)
    assert out.read_bytes()[:8] == PNG_MAGIC
