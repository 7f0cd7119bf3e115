"""A real SMTP server on loopback (aiosmtpd) that records what arrives, for the mail tests."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    envelope_from: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)


@dataclass
class RecordingHandler:
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    delay_seconds: float = 0.0  # answer DATA this much later (to kill a worker mid-send)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          envelope.original_content or envelope.content))
        if self.delay_seconds:
            import asyncio
            await asyncio.sleep(self.delay_seconds)
        return "250 Message accepted for delivery"


class SmtpServer:
    """Start, stop and restart on the same port (to test an outage); read what arrived."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.handler = RecordingHandler()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def start(self) -> SmtpServer:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
            time.sleep(0.05)

    def messages(self) -> list[EmailMessage]:
        return [r.message for r in self.received]
