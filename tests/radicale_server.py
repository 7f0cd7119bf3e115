"""A real Radicale CalDAV server on loopback for the calendar-sync tests.

Started as its own process (``python -m radicale``) on a free port with an empty storage folder
and htpasswd authentication, so the client code goes through the same HTTP, auth and WebDAV
path as against a counsellor's real server. ``make_calendar`` creates a collection over MKCALENDAR.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

USER, PASSWORD = "berater", "radicale-test-passwort"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RadicaleServer:
    folder: Path
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> RadicaleServer:
        users = self.folder / "users"
        users.write_text(f"{USER}:{PASSWORD}\n", encoding="utf-8")
        config = self.folder / "config"
        config.write_text(
            "[server]\n"
            f"hosts = 127.0.0.1:{self.port}\n"
            "[auth]\ntype = htpasswd\ndelay = 0\n"
            f"htpasswd_filename = {users}\nhtpasswd_encryption = plain\n"
            "[storage]\n"
            f"filesystem_folder = {self.folder / 'collections'}\n"
            "[rights]\ntype = owner_only\n"
            "[logging]\nlevel = warning\n",
            encoding="utf-8")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "radicale", "--config", str(config)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("Radicale stopped: "
                                   + self.process.stderr.read().decode(errors="replace"))
            try:
                urllib.request.urlopen(f"{self.url}/.web/", timeout=1)  # noqa: S310
                return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("Radicale did not start within 20 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def make_calendar(self, name: str) -> str:
        """Create ``/<user>/<name>/`` as a calendar collection; returns its URL."""
        import caldav

        with caldav.DAVClient(url=self.url, username=USER, password=PASSWORD) as client:
            principal = client.principal()
            calendar = principal.make_calendar(name=name, cal_id=name)
            return str(calendar.url)
