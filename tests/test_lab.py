"""`make lab`이 진짜로 동작하는지: 루프백 포트에서 JupyterLab을 띄우고 REST API로 확인."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

import pytest

from tools.labserver import api, running_lab

ROOT = Path(__file__).resolve().parent.parent
TOKEN = uuid.uuid4().hex


def _api(base: str, path: str, method: str = "GET", body: dict | None = None):
    return api(base, TOKEN, path, method, body)


@pytest.fixture(scope="module")
def lab_server():
    try:
        with running_lab(TOKEN) as base:
            yield base
    except RuntimeError as error:
        pytest.fail(str(error))


def test_lab_lists_chapter_notebooks(lab_server):
    listing = _api(lab_server, "/api/contents/")
    served = sorted(i["name"] for i in listing["content"] if i["type"] == "notebook")
    on_disk = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert served == on_disk


def test_lab_kernel_imports_lenetlib(lab_server):
    from tornado.ioloop import IOLoop
    from tornado.websocket import websocket_connect

    kernel = _api(lab_server, "/api/kernels", "POST", {"name": "python3"})
    try:
        ws_url = lab_server.replace("http", "ws") + f"/api/kernels/{kernel['id']}/channels"
        code = "import sys, lenetlib; print(lenetlib.__version__, lenetlib.__file__, sys.prefix)"

        async def execute() -> str:
            conn = await websocket_connect(_ws_request(ws_url))
            msg_id = uuid.uuid4().hex
            conn.write_message(
                json.dumps(
                    {
                        "header": {"msg_id": msg_id, "msg_type": "execute_request",
                                   "username": "test", "session": uuid.uuid4().hex,
                                   "version": "5.3"},
                        "parent_header": {}, "metadata": {}, "channel": "shell",
                        "content": {"code": code, "silent": False, "store_history": False,
                                    "user_expressions": {}, "allow_stdin": False},
                    }
                )
            )  # fmt: skip
            text = []
            while True:
                raw = await conn.read_message()
                assert raw is not None, "커널 연결이 끊겼습니다"
                msg = json.loads(raw)
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["header"]["msg_type"]
                if kind == "stream":
                    text.append(msg["content"]["text"])
                elif kind == "error":
                    text.append("\n".join(msg["content"]["traceback"]))
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    conn.close()
                    return "".join(text)

        out = IOLoop.current().run_sync(execute, timeout=120)
    finally:
        _api(lab_server, f"/api/kernels/{kernel['id']}", "DELETE")
    import lenetlib

    version, module_file, prefix = out.split()
    assert version == lenetlib.__version__
    assert Path(module_file).resolve() == Path(lenetlib.__file__).resolve()
    assert Path(prefix).resolve() == Path(sys.prefix).resolve(), "커널이 프로젝트 환경이 아닙니다"


def _ws_request(url: str):
    from tornado.httpclient import HTTPRequest

    return HTTPRequest(url, headers={"Authorization": f"token {TOKEN}"})
