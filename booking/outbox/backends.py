"""Mail delivery: SMTP from ``SMTP_URL`` (plain, STARTTLS, SSL, with authentication), or
``.eml`` files in ``instance/outbox/`` when no SMTP server is configured."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

Send = Callable[[EmailMessage], None]


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    use_ssl: bool
    starttls: bool
    username: str | None
    password: str | None
    timeout: float = 30.0


def parse_smtp_url(url: str) -> SmtpSettings:
    """``smtp://user:pass@host:587?starttls=1`` or ``smtps://user:pass@host:465``."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("SMTP_URL must look like smtp://user:pass@host:port or smtps://…")
    query = parse_qs(parts.query)
    use_ssl = parts.scheme == "smtps"
    starttls = query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes")
    return SmtpSettings(
        host=parts.hostname, port=parts.port or (465 if use_ssl else 587 if starttls else 25),
        use_ssl=use_ssl, starttls=starttls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        timeout=float(query.get("timeout", ["30"])[0]),
    )


class SmtpBackend:
    def __init__(self, settings: SmtpSettings):
        self.settings = settings

    @contextmanager
    def connection(self) -> Iterator[Send]:
        """One connection for a batch of messages."""
        s = self.settings
        context = ssl.create_default_context()
        if s.use_ssl:
            client = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            client.ehlo()
            if s.starttls:
                client.starttls(context=context)
                client.ehlo()
            if s.username:
                client.login(s.username, s.password or "")
            yield lambda message: client.send_message(message)
        finally:
            try:
                client.quit()
            except smtplib.SMTPException:
                client.close()


class FileBackend:
    """Writes each message as ``<outbox id>-<Message-ID>.eml``; any mail program opens them."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    @contextmanager
    def connection(self) -> Iterator[Send]:
        self.directory.mkdir(parents=True, exist_ok=True)

        def write(message: EmailMessage) -> None:
            stem = message.get("X-Booking-Outbox-Id", "message")
            token = message["Message-ID"].strip("<>").split("@")[0]
            path = self.directory / f"{stem}-{token}.eml"
            path.write_bytes(message.as_bytes())

        yield write


def backend_from_config(config) -> SmtpBackend | FileBackend:
    if config.get("SMTP_URL"):
        return SmtpBackend(parse_smtp_url(config["SMTP_URL"]))
    return FileBackend(config["MAIL_FILE_DIR"])
