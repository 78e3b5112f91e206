"""Text messages (SMS, Zalo) behind one interface, as Django's e-mail backends are: the platform calls send_text(), the
setting TEXT_MESSAGE_BACKEND names the class that delivers (a console backend by default, which prints the message; a
city plugs in its SMS or Zalo gateway by naming its own class).

A backend is a class with send(message) that raises GatewayError when the gateway refuses or does not answer.
"""

import sys
import threading
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


class GatewayError(ConnectionError):
    """The gateway did not take the message; the caller may retry later. A ConnectionError, so that the tasks that send
    (reports/tasks.py, autoretry_for=ConnectionError) retry it with back-off."""


@dataclass(frozen=True)
class TextMessage:
    channel: str  # "sms" or "zalo"
    to: str  # a phone number in E.164 (+84...) or a Zalo user id
    body: str


def send_text(channel, to, body):
    """Deliver one text message through the configured gateway. Raises GatewayError."""
    message = TextMessage(channel=channel, to=to, body=body)
    backend = import_string(settings.TEXT_MESSAGE_BACKEND)()
    backend.send(message)
    return message


class ConsoleBackend:
    """Prints each message: the embedded default, and a development machine's."""

    def send(self, message):
        sys.stdout.write(f"[{message.channel} to {message.to}] {message.body}\n")
        sys.stdout.flush()


# What the locmem backend has sent in this process (tests read and clear it, as django.core.mail.outbox).
outbox = []
_lock = threading.Lock()


class LocmemBackend:
    """Keeps each message in `outbox`: the test suite's backend."""

    def send(self, message):
        with _lock:
            outbox.append(message)
