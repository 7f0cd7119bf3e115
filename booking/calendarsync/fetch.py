"""Fetching a counsellor's calendar: an ICS URL over HTTP(S), or a CalDAV collection.

Only the network lives here: no database, no expansion. Every failure becomes a ``FetchError``
with a short code the staff page translates; codes never carry URLs or passwords. Addresses
are checked before every connection (also after redirects): http/https only, no credentials
in the URL, and, unless ``CALENDAR_SYNC_ALLOW_PRIVATE_HOSTS`` is on, no loopback or
private-network hosts (the server must not become a door into the office network).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import requests
from flask import current_app
from icalendar import Calendar

TIMEOUT_SECONDS = 10
MAX_BYTES = 5 * 1024 * 1024
MAX_URL_LENGTH = 2000
MAX_REDIRECTS = 5
USER_AGENT = "IQ-MV-Booking/1 (busy times of a counsellor)"

log = logging.getLogger(__name__)


class FetchError(Exception):
    """A source could not be read; ``code`` is short and free of secrets (see the page)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class SourceSettings:
    """What a fetch needs, copied from the row so no database object crosses the network."""

    kind: str  # ics | caldav
    url: str
    username: str | None
    password: str | None
    etag: str | None
    last_modified: str | None
    has_body: bool


@dataclass(frozen=True)
class Fetched:
    """A new body with its validators, or ``body=None``: unchanged since the last fetch."""

    body: str | None
    etag: str | None = None
    last_modified: str | None = None


# -- addresses ------------------------------------------------------------------------------

def normalise_url(url: str) -> str:
    """Calendar apps hand out ``webcal://`` links for subscriptions: that is plain HTTPS."""
    url = url.strip()
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://"):]
    return url


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be used (a code), or None. Checks the form only, plus literal and
    well-known local hosts; ``check_host`` resolves names right before connecting."""
    if len(url) > MAX_URL_LENGTH:
        return "too_long"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port outside 0-65535
    except ValueError:
        return "invalid"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "scheme"
    if parts.username is not None or parts.password is not None:
        return "credentials"  # secrets belong in the password field, not in a URL
    if any(ch.isspace() for ch in url):
        return "invalid"
    if not private_hosts_allowed() and _is_private_name(parts.hostname):
        return "private"
    return None


def private_hosts_allowed() -> bool:
    return bool(current_app.config.get("CALENDAR_SYNC_ALLOW_PRIVATE_HOSTS", True))


def _is_private_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    return not ip.is_global or ip.is_multicast


def _is_private_name(host: str) -> bool:
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        return _is_private_address(host)
    except ValueError:
        return False  # a name: resolved in check_host


def check_host(url: str) -> None:
    """Refuse ``url`` (FetchError) unless it may be fetched now; resolves the host name when
    private hosts are not allowed, so a public name pointing inwards is caught too."""
    problem = url_problem(url)
    if problem:
        raise FetchError("blocked_host" if problem == "private" else "invalid_url")
    if private_hosts_allowed():
        return
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        raise FetchError("connection") from error
    if any(_is_private_address(info[4][0]) for info in infos):
        raise FetchError("blocked_host")


# -- ICS over HTTP --------------------------------------------------------------------------

def fetch_ics(settings: SourceSettings) -> Fetched:
    """GET the calendar file, conditionally (RFC 9110 §13.1.2 If-None-Match, §13.1.3
    If-Modified-Since) when a previous body is kept; 304 means unchanged."""
    headers = {"Accept": "text/calendar, */*;q=0.5", "User-Agent": USER_AGENT}
    if settings.has_body and settings.etag:
        headers["If-None-Match"] = settings.etag
    if settings.has_body and settings.last_modified:
        headers["If-Modified-Since"] = settings.last_modified
    auth = (settings.username, settings.password or "") if settings.username else None
    url = settings.url
    with requests.Session() as session:
        session.trust_env = False  # no proxies or .netrc from the environment
        for _hop in range(MAX_REDIRECTS + 1):
            check_host(url)
            response = _get(session, url, headers, auth)
            if not response.is_redirect:
                break
            target = urljoin(url, response.headers.get("Location", ""))
            response.close()
            if urlsplit(target).netloc != urlsplit(url).netloc:
                auth = None  # never hand the password to another host
            url = target
        else:
            raise FetchError("redirects")
        with response:
            return _read_response(response)


def _get(session: requests.Session, url: str, headers: dict, auth) -> requests.Response:
    try:
        return session.get(url, headers=headers, auth=auth, timeout=TIMEOUT_SECONDS,
                           stream=True, allow_redirects=False)
    except requests.Timeout as error:
        raise FetchError("timeout") from error
    except requests.RequestException as error:
        raise FetchError("connection") from error


def _read_response(response: requests.Response) -> Fetched:
    status = response.status_code
    if status == 304:
        return Fetched(body=None)
    if status in (401, 403):
        raise FetchError("auth")
    if status in (404, 410):
        raise FetchError("not_found")
    if status != 200:
        raise FetchError(f"http_status:{status}")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        raise FetchError("too_large")
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > MAX_BYTES:
                raise FetchError("too_large")
            chunks.append(chunk)
    except requests.Timeout as error:
        raise FetchError("timeout") from error
    except requests.RequestException as error:
        raise FetchError("connection") from error
    # RFC 5545 §3.1.4: the default charset of iCalendar is UTF-8.
    body = b"".join(chunks).decode("utf-8", errors="replace")
    return Fetched(body=body, etag=_header(response, "ETag", 500),
                   last_modified=_header(response, "Last-Modified", 100))


def _header(response: requests.Response, name: str, longest: int) -> str | None:
    """A validator to send back next time; one too long for its column is not kept (the
    next fetch is then simply unconditional)."""
    value = response.headers.get(name)
    return value if value and len(value) <= longest else None


# -- CalDAV ---------------------------------------------------------------------------------

def fetch_caldav(settings: SourceSettings, start: datetime, end: datetime) -> Fetched:
    """The collection's events that touch [start, end) (RFC 4791 §9.9 time-range query),
    merged into one calendar. The collection's entity tag (or sync token, RFC 6578) is kept:
    while it is unchanged the stored body is still true and nothing is downloaded."""
    import caldav
    from caldav.elements import dav
    from caldav.lib import error as dav_error

    check_host(settings.url)
    try:
        with caldav.DAVClient(url=settings.url, username=settings.username,
                              password=settings.password, timeout=TIMEOUT_SECONDS,
                              enable_rfc6764=False) as client:  # no DNS discovery
            calendar = client.calendar(url=settings.url)
            tag = _collection_tag(calendar, dav)
            if tag and settings.has_body and tag == settings.etag:
                return Fetched(body=None)
            objects = calendar.search(start=start, end=end, event=True)
            body = _merge([item.data for item in objects])
    except FetchError:
        raise
    except dav_error.AuthorizationError as error:
        raise FetchError("auth") from error
    except dav_error.NotFoundError as error:
        raise FetchError("not_found") from error
    except TimeoutError as error:
        raise FetchError("timeout") from error
    except ValueError as error:  # icalendar: an object that is no iCalendar data
        raise FetchError("unparsable") from error
    except Exception as error:  # noqa: BLE001 - the library raises from many layers
        # (niquests, lxml, its own DAVError): one failing server must not stop the job.
        raise FetchError(_caldav_code(error)) from error
    if len(body.encode()) > MAX_BYTES:
        raise FetchError("too_large")
    return Fetched(body=body, etag=tag)


def _collection_tag(calendar, dav) -> str | None:
    """The collection's DAV:getetag, else its sync token: either changes with any member."""
    try:
        found = calendar.get_properties([dav.GetEtag(), dav.SyncToken()])
    except Exception:  # noqa: BLE001 - optional: without a tag the window is fetched again
        return None
    for key in ("{DAV:}getetag", "{DAV:}sync-token"):
        if found.get(key):
            return str(found[key])[:500]
    return None


def _caldav_code(error: Exception) -> str:
    name = type(error).__name__.lower()
    if "timeout" in name:
        return "timeout"
    if "connection" in name:
        return "connection"
    log.info("CalDAV fetch failed: %s", type(error).__name__)
    return "protocol"


def _merge(objects: list[str]) -> str:
    """One VCALENDAR holding every event and the time zones they name (TZIDs once each)."""
    merged = Calendar()
    merged.add("prodid", "-//IQ MV//Busy times//DE")
    merged.add("version", "2.0")
    zones: set[str] = set()
    for data in objects:
        for component in Calendar.from_ical(data).subcomponents:
            if component.name == "VTIMEZONE":
                if str(component.get("TZID")) in zones:
                    continue
                zones.add(str(component.get("TZID")))
            if component.name in ("VTIMEZONE", "VEVENT"):
                merged.add_component(component)
    return merged.to_ical().decode("utf-8")


def fetch(settings: SourceSettings, start: datetime, end: datetime) -> Fetched:
    if settings.kind == "caldav":
        return fetch_caldav(settings, start, end)
    return fetch_ics(settings)
