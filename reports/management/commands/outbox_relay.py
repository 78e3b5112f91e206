"""`python manage.py outbox_relay`: hand the outbox's pending tasks to Celery, for as long as it runs."""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from reports import outbox

RELAY_IDLE_SECONDS = 1.0
# Woken by a commit, the relay waits this long before taking the pending rows, so that the commits of a burst go in
# one turn: rows asking for the same task (the ledger writer, the statistics refresh) become one message, and at
# 100 reports a second the relay takes 20 turns, not 100. The cost is this much latency on each task.
RELAY_GATHER_SECONDS = 0.05
MAX_BACKOFF_SECONDS = 30.0


class Command(BaseCommand):
    help = (
        "Relay the outbox to Celery: tasks recorded in the transactions of the web and workers are sent to the "
        "broker once committed. Wakes on each commit (PostgreSQL LISTEN/NOTIFY), otherwise every second; waits "
        "and tries again while the broker is down. Run one or more (they never send the same row at once). With "
        "--once, relay what is pending and stop."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="relay what is pending now, then stop")

    def handle(self, *args, **options):
        if options["once"]:
            sent = outbox.relay_pending()
            self.stdout.write(f"{sent} tasks relayed, {outbox.pending_count()} pending.")
            return
        self.stopping = False
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        backoff = RELAY_IDLE_SECONDS
        listener = _Listener()
        self.stdout.write("Relaying the outbox (Ctrl-C stops).")
        while not self.stopping:
            close_old_connections()
            try:
                sent = outbox.relay_pending()
            except outbox.BrokerDown as exc:
                self.stderr.write(
                    f"Broker down ({exc}); {outbox.pending_count()} tasks wait. Next try in {backoff:.0f} s."
                )
                time.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            backoff = RELAY_IDLE_SECONDS
            if sent:
                self.stdout.write(f"{sent} tasks relayed.")
            # Rows of a SPACED task may be waiting for its interval to end: wake then, not a whole idle period on.
            held = outbox.hold_ends_in()
            if listener.wait(RELAY_IDLE_SECONDS if held is None else min(RELAY_IDLE_SECONDS, held)):
                time.sleep(RELAY_GATHER_SECONDS)
                # The commits of the window are all relayed by the next turn: their wake-ups are spent.
                listener.drain()
        listener.close()

    def _stop(self, *args):
        self.stopping = True


class _Listener:
    """Sleeps until a transaction that wrote to the outbox commits (PostgreSQL), or for the timeout."""

    def __init__(self):
        self.conn = None
        if connection.vendor == "postgresql":
            import psycopg

            params = connection.get_connection_params()
            self.conn = psycopg.connect(**params, autocommit=True)
            self.conn.execute(f"LISTEN {outbox.CHANNEL}")

    def wait(self, timeout) -> bool:
        """Whether a commit woke it (False: the timeout passed, or there is no LISTEN without PostgreSQL)."""
        if self.conn is None:
            time.sleep(timeout)
            return False
        return any(True for _ in self.conn.notifies(timeout=timeout, stop_after=1))

    def drain(self):
        if self.conn is not None:
            for _ in self.conn.notifies(timeout=0):
                pass

    def close(self):
        if self.conn is not None:
            self.conn.close()
