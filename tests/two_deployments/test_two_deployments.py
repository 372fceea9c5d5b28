"""Two deployments on loopback, each with its own SQLite database, secret key and port, exchange
an enquiry and its answer as signed messages over HTTP.

The receiver is down when the enquiry is sent: the outbox keeps it, and it arrives exactly once
when the receiver is up again, even when the sender sends it a second time (an acknowledgement
lost on the way back). A tampered and an unsigned message sent over the wire are refused and
audited on the receiving side.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
SETTINGS = "tests.two_deployments.settings"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Deployment:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "CME_VAR_DIR": str(folder),
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "CME_LOG_LEVEL": "WARNING",
        }
        self.env.pop("DATABASE_URL", None)  # each deployment has its own SQLite file

    def run(self, *steps: list[Any]) -> list[Any]:
        done = subprocess.run(  # noqa: S603 - our own helper, fixed arguments
            [PYTHON, "-m", "tests.two_deployments.deployment", json.dumps(list(steps))],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        result: list[Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return result

    @contextmanager
    def serving(self) -> Iterator[None]:
        server = subprocess.Popen(  # noqa: S603
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "cme.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--pythonpath",
                str(ROOT),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{self.url}/health/", timeout=2):  # noqa: S310
                        break
                except (urllib.error.URLError, ConnectionError, OSError):
                    assert server.poll() is None, "the server did not start"
                    assert time.monotonic() < deadline, "the server did not answer in time"
                    time.sleep(0.3)
            yield
        finally:
            server.terminate()
            server.wait(timeout=20)


def _post(url: str, body: bytes, signature: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["CME-Signature"] = signature
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_an_enquiry_and_its_answer_cross_between_two_deployments_exactly_once(
    tmp_path: Path,
) -> None:
    template = tmp_path / "template"
    template.mkdir()
    Deployment(template).run(["init"])
    sender, receiver = Deployment(tmp_path / "a"), Deployment(tmp_path / "b")
    for d in (sender, receiver):
        d.folder.mkdir()
        shutil.copy(template / "cme.sqlite3", d.folder / "cme.sqlite3")

    with ThreadPoolExecutor(2) as pool:
        a_setup, b_setup = pool.map(
            lambda job: job[0].run(job[1]),
            [
                (sender, ["setup", "990", "Exampleshire Council", True]),
                (receiver, ["setup", "991", "Otherborough Council", False]),
            ],
        )
    a_key, case = a_setup[0]["public_key"], a_setup[0]["case"]
    b_key = b_setup[0]["public_key"]

    # The receiver is down while the enquiry is sent: it waits in the outbox.
    with ThreadPoolExecutor(2) as pool:
        sent_job = pool.submit(
            sender.run,
            ["remote", "991", "Otherborough Council", receiver.url, b_key],
            ["send", case, "991"],
            ["drain"],
        )
        pool.submit(
            receiver.run, ["remote", "990", "Exampleshire Council", sender.url, a_key]
        ).result()
        sent = sent_job.result()
    assert sent[1] == {"status": "sent"}
    assert sent[2] == {"delivered": 0, "waiting": 1}

    with receiver.serving():
        # ["drain", 3600]: drain as if an hour had passed, so the backoff is over.
        after = sender.run(["drain", 3600], ["drain", 3600], ["replay"], ["drain"])
        # Delivered once; nothing left; sent again as if the acknowledgement had been lost,
        # the receiver says it has it already, and the sender counts it delivered.
        assert after[0] == {"delivered": 1, "waiting": 0}
        assert after[1] == {"delivered": 0, "waiting": 0}
        assert after[2] == {"requeued": 1}
        assert after[3] == {"delivered": 1, "waiting": 0}

        endpoint = f"{receiver.url}/api/v1/enquiry-messages"
        forged = json.dumps(
            {
                "message_id": "x",
                "sender": "990",
                "created_at": "2026-01-01T00:00:00+00:00",
                "kind": "enquiry",
                "recipient": "991",
                "body": {},
            }
        ).encode()
        assert _post(endpoint, forged, None) == 401
        assert _post(endpoint, forged, "AAAA") == 401

    received = receiver.run(["state"], ["answer"], ["drain"])
    state = received[0]
    assert len(state["incoming"]) == 1  # exactly once
    assert state["received"] == 1
    assert state["refused"] == ["replayed", "bad_signature", "bad_signature"]
    incoming = state["incoming"][0]
    assert incoming["details"]["surname"] == "Castellano"
    assert incoming["details"]["possible_new_address"] == "Flat 3, 88 Tannery Lane"
    assert incoming["their_reference"].startswith("990-")
    assert received[1] == {"status": "answered"}
    # The enquiring deployment is down now: the answer waits in the receiver's outbox.
    assert received[2] == {"delivered": 0, "waiting": 1}

    with sender.serving():
        assert receiver.run(["drain", 3600]) == [{"delivered": 1, "waiting": 0}]

    final = sender.run(["state"])[0]
    assert final["outgoing"] == [
        {"status": "answered", "answer": "found_at_address", "message": "Seen at home"}
    ]
    assert final["cases"] == [["closed", "moved_la"]]


pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning")]
