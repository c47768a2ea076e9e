"""A local stand-in for 腾讯云短信's SendSms endpoint (http.server in a thread), so the SMS
tests never reach the provider. Each request is recorded with its headers and body; the
answers are scripted per test."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Answer:
    status: int = 200
    body: dict[str, Any] | None = None
    delay: float = 0.0  # seconds before answering (a read timeout on our side)


def ok(serial: str) -> Answer:
    return Answer(
        body={
            "Response": {
                "SendStatusSet": [
                    {"SerialNo": serial, "Code": "Ok", "Message": "send success", "Fee": 1}
                ],
                "RequestId": "req-ok",
            }
        }
    )


def error(code: str, message: str = "") -> Answer:
    return Answer(body={"Response": {"Error": {"Code": code, "Message": message}}})


@dataclass
class FakeProvider:
    answers: list[Answer] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def next_answer(self) -> Answer:
        return self.answers.pop(0) if self.answers else ok(f"serial-{len(self.requests)}")


def start(provider: FakeProvider) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            provider.requests.append(
                {
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "raw": raw,
                    "body": json.loads(raw),
                }
            )
            answer = provider.next_answer()
            if answer.delay:
                time.sleep(answer.delay)
            data = json.dumps(answer.body or {}).encode()
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    provider.url = f"http://127.0.0.1:{server.server_address[1]}/"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
