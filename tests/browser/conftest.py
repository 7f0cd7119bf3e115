"""Browser tests: the real app served on loopback, driven by Debian's Chromium through Playwright,
checked with axe-core. Nothing here is skipped: a missing browser or axe-core fails the run."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TIMEOUT_MS = 10_000


def _require_tools() -> None:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"Chromium is missing at {CHROMIUM}. Install it with `make browser-deps` "
                       "(as root: `apt-get update && apt-get install -y chromium`).")
    if not AXE_JS.exists():
        missing.append(f"axe-core is missing at {AXE_JS.relative_to(ROOT)}. Install it with "
                       "`make browser-deps` (or `npm ci` in the project directory).")
    if missing:
        pytest.fail("Browser tests cannot run:\n" + "\n".join(missing), pytrace=False)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    _require_tools()
    manager = sync_playwright().start()
    yield manager
    manager.stop()


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                         args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class _QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, code="-", size="-") -> None:
        """No access log; errors are still logged."""


@pytest.fixture
def live_server(demo) -> Iterator[str]:  # noqa: F811 - the fixture imported above
    """The demo app on 127.0.0.1 and a free port; real forms carry a CSRF token, so check it."""
    app = demo
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True,
                         request_handler=_QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def new_context(browser: Browser, live_server: str) -> Iterator[Callable[..., BrowserContext]]:
    """Makes browser contexts on the live server (phone-sized unless told otherwise), and closes
    them before the server stops."""
    contexts: list[BrowserContext] = []

    def make(**options) -> BrowserContext:
        options = {"base_url": live_server, "viewport": PHONE, "locale": "de-DE", **options}
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context) -> BrowserContext:
    return new_context()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def _format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        lines.append(f"- {violation['id']} [{violation.get('impact')}] on {', '.join(targets)}"
                     f": {violation['help']} ({violation['helpUrl']})")
    return "\n".join(lines)


def _inject_axe(page: Page) -> bool:
    """Adds axe-core to the page; False when the page runs no scripts (JavaScript disabled)."""
    script = page.add_script_tag(path=str(AXE_JS))
    if page.evaluate("() => typeof window.axe === 'object'"):
        return True
    script.evaluate("element => element.remove()")  # not part of the page to audit
    return False


def _axe_violations(page: Page) -> list[dict]:
    options = json.dumps({"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return page.evaluate(f"async () => (await axe.run(document, {options})).violations")


class _CopyAuditor:
    """A page without JavaScript cannot run axe: audit its markup at the same URL, viewport and
    style sheets in a JavaScript-enabled page instead (one per test, opened when first needed)."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.context: BrowserContext | None = None
        self.copy: dict[str, str] = {}

    def _serve(self, route) -> None:
        request = route.request
        if request.resource_type == "document" and request.url == self.copy.get("url"):
            route.fulfill(status=200, content_type="text/html; charset=utf-8",
                          body=self.copy["html"])
        else:
            route.continue_()

    def violations(self, page: Page) -> list[dict]:
        self.copy = {"html": page.content(), "url": page.url.split("#")[0]}
        if self.context is None or self.context.pages[0].viewport_size != page.viewport_size:
            self.close()
            self.context = self.browser.new_context(viewport=page.viewport_size)
            self.context.route("**/*", self._serve)
            self.context.new_page()
        auditor = self.context.pages[0]
        auditor.goto(self.copy["url"])
        assert _inject_axe(auditor), "axe-core did not load in the auditing page"
        return _axe_violations(auditor)

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
            self.context = None


@pytest.fixture
def check_axe(browser: Browser, live_server: str) -> Iterator[Callable[[Page], None]]:
    """Asserts that axe-core finds no WCAG 2.1 A/AA violation on the page as it is now."""
    copies = _CopyAuditor(browser)

    def check(page: Page) -> None:
        # A URL assertion passes as soon as a navigation commits; audit the loaded page, not
        # one whose context a late load replaces (axe's script tag would be lost with it).
        page.wait_for_load_state("load")
        violations = _axe_violations(page) if _inject_axe(page) else copies.violations(page)
        if violations:
            report = _format_violations(violations)
            print(f"axe violations on {page.url}:\n{report}")
            pytest.fail(f"axe found {len(violations)} violation(s) on {page.url}:\n{report}",
                        pytrace=False)

    yield check
    copies.close()


@pytest.fixture
def screenshot(request) -> Callable[[Page, str, str], Path]:
    """Saves a full-page screenshot as test-artifacts/screenshots/<test>-<lang>-<step>.png."""
    test = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)

    def save(page: Page, lang: str, step: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{test}-{lang}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
