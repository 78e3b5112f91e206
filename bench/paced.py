"""Reports sent at a set rate, as independent phones send them, for the latency of a report below saturation.

wrk keeps every connection busy, so at saturation a report's latency is only connections / rate. Here reports arrive
as a Poisson process of the given rate (open loop: a slow answer does not hold back the next report), each on a
connection of its own as gunicorn's sync workers want (they close it after the answer; a connection opened early
and left idle would hold a worker), with at most `limit` in flight. A report's latency runs from the moment it was
due, so time spent waiting for a free connection counts. Used by bench/web.py."""

import asyncio
import json
import random
import statistics
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit


def report_body(category, latitude, longitude, rng):
    """A report without media, as bench/wrk/json.lua sends it: its own Idempotency-Key and description, a point drawn
    near the given one."""
    key = uuid.uuid4().hex
    body = {
        "description": f"Rác thải đổ bừa bãi ven đường [bench {key}]",
        "latitude": f"{latitude + (rng.random() - 0.5) * 0.004:.6f}",
        "longitude": f"{longitude + (rng.random() - 0.5) * 0.004:.6f}",
        "category": category,
    }
    return key, json.dumps(body, ensure_ascii=False).encode()


def _request(url, key, body):
    parts = urlsplit(url)
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
        f"Idempotency-Key: {key}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode() + body


async def _send(url, payload, due, in_flight, latencies, statuses, errors):
    parts = urlsplit(url)
    async with in_flight:
        try:
            reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
            writer.write(payload)
            await writer.drain()
            answer = await reader.read()  # the server closes the connection after its answer
            writer.close()
            status = int(answer.split(b" ", 2)[1])
        except (OSError, ValueError, IndexError) as exc:
            errors[type(exc).__name__] += 1
            return
    latencies.append(time.perf_counter() - due)
    statuses[status] += 1


async def _run(url, category, point, rate, seconds, limit, seed):
    rng = random.Random(seed)
    in_flight = asyncio.Semaphore(limit)
    latencies, statuses, errors = [], Counter(), Counter()
    tasks = []
    start = due = time.perf_counter()
    while True:
        due += rng.expovariate(rate)
        if due - start > seconds:
            break
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        key, body = report_body(category, *point, rng)
        send = _send(url, _request(url, key, body), due, in_flight, latencies, statuses, errors)
        tasks.append(asyncio.create_task(send))
    await asyncio.gather(*tasks)
    return latencies, statuses, errors, time.perf_counter() - start


def paced_run(url, category, point, *, rate, seconds, limit, seed=None):
    """Reports to `url` at `rate` a second for `seconds`; a summary shaped as bench/web.py's run_wrk gives it."""
    # Its own event loop in a thread of its own: a caller may have one running in this thread (Playwright does).
    with ThreadPoolExecutor(max_workers=1) as thread:
        run = thread.submit(asyncio.run, _run(url, category, point, rate, seconds, limit, seed))
        latencies, statuses, errors, took = run.result()
    ok = sum(n for status, n in statuses.items() if 200 <= status < 300)
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "requests": sum(statuses.values()) + sum(errors.values()),
        "ok": ok,
        "offered_rate": rate,
        "rate": ok / took,
        "statuses": {str(status): n for status, n in statuses.items()},
        "errors": dict(errors),
        "p50_ms": cuts[49] * 1000,
        "p95_ms": cuts[94] * 1000,
        "p99_ms": cuts[98] * 1000,
    }
