"""bench/paced.py, the load of bench/web.py's paced runs: reports arrive at the rate asked, each a JSON report with
its own Idempotency-Key on a connection of its own, and every answer is counted by status."""

import asyncio
import json
import random
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench.paced import paced_run


class _Receiver(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append((self.headers["Idempotency-Key"], body))
        # Every fifth report is refused, as a rate limit would: counted, not taken for a success.
        status = 429 if len(self.received) % 5 == 0 else 201
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_reports_arrive_at_the_rate_asked_each_with_its_own_key_and_answers_are_counted():
    _Receiver.received.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/api/v1/reports/"
        result = paced_run(url, "garbage", (16.4637, 107.5909), rate=50, seconds=1, limit=4, seed=7)
    finally:
        server.shutdown()

    # The arrivals are drawn from the seed: how many fall in the second is fixed by it.
    rng, due, expected = random.Random(7), 0.0, 0
    while (due := due + rng.expovariate(50)) <= 1:
        expected += 1
        rng.random(), rng.random()  # the report's point
    received = _Receiver.received
    assert 30 <= expected <= 70 and result["requests"] == len(received) == expected
    assert len({key for key, _body in received}) == expected
    assert {body["category"] for _key, body in received} == {"garbage"}
    assert result["statuses"] == {"201": expected - expected // 5, "429": expected // 5}
    assert result["ok"] == expected - expected // 5
    assert 0 < result["p50_ms"] <= result["p95_ms"]


def test_it_runs_under_a_caller_whose_event_loop_is_running():
    """A test process may hold a running loop (Playwright's sync API does): the load has a loop of its own."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/api/v1/reports/"

    async def caller():
        return paced_run(url, "garbage", (16.4637, 107.5909), rate=20, seconds=0.5, limit=2, seed=1)

    results = []
    # The caller's loop runs in a thread of its own: this one may hold a browser test's loop already.
    thread = threading.Thread(target=lambda: results.append(asyncio.run(caller())))
    try:
        thread.start()
        thread.join(30)
    finally:
        server.shutdown()
    (result,) = results

    assert result["requests"] > 0 and not result["errors"]
