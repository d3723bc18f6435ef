"""A package index on 127.0.0.1 that answers with a recorded PyPI response.

``tests/data/pypi-simple-mlflow.json`` is pypi.org's PEP 691/700 JSON page for
mlflow as recorded on 2026-11-29, trimmed to a few releases: 2.1.1 (a file
added 19 days after the release), 2.9.2, 2.12.0 (yanked), 3.17.2 and 3.18.0.
The harness's own fetch code talks to it over HTTP, so no test needs the
network.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RECORDED = Path(__file__).parent / "data" / "pypi-simple-mlflow.json"


class FakeIndex:
    """``with FakeIndex() as index:`` serves ``/simple/mlflow/``; ``index.url`` is its root."""

    def __init__(self, page: dict | None = None) -> None:
        self.page = page if page is not None else json.loads(RECORDED.read_text())
        self.requests: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                fake.requests.append(self.path)
                if self.path.rstrip("/") != "/simple/mlflow":
                    self.send_error(404)
                    return
                body = json.dumps(fake.page).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/simple"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeIndex:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
