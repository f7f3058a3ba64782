"""Headless Chromium against the live test server: the driver, logging in, waiting, and what went wrong on a page.

The browser runs the site's own JavaScript (the dashboard script and Plotly) under the site's real
Content-Security-Policy, so these tests see what an analyst sees. The live server is a thread of the test process:
it sees only committed rows, which is why the browser tests use a transactional database.

Import the fixtures into a test module by name: ``from tests.browser import browser_fixture, chromium_fixture``.
"""

import base64
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WINDOW_WIDTH, WINDOW_HEIGHT = 1400, 1000
WAIT_SECONDS = 10
POLL_SECONDS = 0.05
ARTIFACTS_DIR = Path(__file__).resolve().parent.parent / "test-artifacts"

# Installed before any page script runs, so that violations during page load are recorded too. The console
# reports them as well; this list also says which element was refused, and where the refusing code sits.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`;
  const target = event.target && event.target.outerHTML ? event.target.outerHTML.slice(0, 200) : event.target;
  const blocked = event.blockedURI || "inline";
  window.__cspViolations.push(`CSP ${event.violatedDirective} refused ${blocked} at ${where} on ${target}`);
});
"""


def missing_browser_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    missing = [str(program) for program in (CHROMIUM, CHROMEDRIVER) if not program.exists()]
    if missing:
        return f"the browser tests need Debian's chromium and chromium-driver packages: no {' or '.join(missing)}"
    return None


def start_chromium() -> WebDriver:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-extensions",
        f"--window-size={WINDOW_WIDTH},{WINDOW_HEIGHT}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # Both the browser and the driver are given, so Selenium Manager has nothing to look up on the network.
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(WAIT_SECONDS * 3)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_CSP_VIOLATIONS})
    return driver


@pytest.fixture(scope="session", name="chromium")
def chromium_fixture(django_db_setup, live_server) -> Iterator[WebDriver]:
    """One Chromium for the whole run: starting it costs more than most tests."""
    # Teardown runs in reverse: the browser quits, closing its keep-alive connections; the live server stops and
    # its request threads close their database connections; then the test database is dropped. In any other
    # order the drop finds the database still in use.
    reason = missing_browser_reason()
    if reason:
        pytest.skip(reason)
    driver = start_chromium()
    yield driver
    driver.quit()


class Browser:
    """One test's view of the shared Chromium: pages of the live server, and the errors seen on them."""

    def __init__(self, driver: WebDriver, base_url: str) -> None:
        self.driver = driver
        self.base_url = base_url
        self.problems: list[str] = []

    # --- Pages ------------------------------------------------------------------------------------------------

    def open(self, path: str) -> None:
        # A page's recorded CSP violations go with it: keep them before leaving.
        self.collect_problems()
        self.driver.get(f"{self.base_url}{path}")

    @property
    def path(self) -> str:
        """The current URL without the server's address: path and query."""
        return self.driver.current_url.removeprefix(self.base_url)

    def is_on_site(self) -> bool:
        return self.driver.current_url.startswith(self.base_url)

    def wait_until(self, condition: Callable[[], object], message: str, seconds: float = WAIT_SECONDS):
        try:
            return WebDriverWait(self.driver, seconds, poll_frequency=POLL_SECONDS).until(lambda _: condition())
        except TimeoutException:
            raise AssertionError(f"{message} (waited {seconds} s, on {self.path})") from None

    def script(self, source: str, *arguments):
        return self.driver.execute_script(source, *arguments)

    def text(self) -> str:
        """The page's visible text."""
        return self.script("return document.body.innerText")

    # --- Logging in -------------------------------------------------------------------------------------------

    def log_in_as(self, user) -> None:
        """Hand the browser a session made on the server side: no form, no password."""
        client = Client()
        client.force_login(user)
        session_id = client.cookies[settings.SESSION_COOKIE_NAME].value
        # A cookie can only be set for the site of the current page: visit a light page of it first.
        self.open("/accounts/login/")
        self.driver.add_cookie({"name": settings.SESSION_COOKIE_NAME, "value": session_id, "path": "/"})

    # --- What went wrong ----------------------------------------------------------------------------------------

    def collect_problems(self) -> None:
        """Move the console's errors and the page's CSP violations into self.problems, labelled with the page."""
        errors = [entry["message"] for entry in self.driver.get_log("browser") if entry["level"] == "SEVERE"]
        violations = self.script("return window.__cspViolations || []") if self.is_on_site() else []
        self.problems += [f"{self.path}: {problem}" for problem in errors + violations]

    def assert_no_errors(self) -> None:
        """No JavaScript error, failed request or CSP violation on any page of the test so far."""
        self.collect_problems()
        problems, self.problems = self.problems, []
        assert not problems, "the browser reported:\n" + "\n".join(problems)

    # --- Artifacts ------------------------------------------------------------------------------------------------

    def screenshot(self, name: str) -> Path:
        """The whole page, however long, as test-artifacts/<name>.png."""
        width, height = self.script(
            "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
        )
        clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {"captureBeyondViewport": True, "clip": clip})
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        path = ARTIFACTS_DIR / f"{name}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        return path


@pytest.fixture(name="browser")
def browser_fixture(chromium: WebDriver, live_server) -> Browser:
    """The shared Chromium, logged out, with an empty console."""
    chromium.execute_cdp_cmd("Network.clearBrowserCookies", {})
    chromium.get("about:blank")
    chromium.get_log("browser")
    return Browser(chromium, live_server.url)
