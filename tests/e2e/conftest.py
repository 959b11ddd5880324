"""Browser tests: the real app (embedded default) driven by headless Chromium.

One `likeness run` serves the whole module's tests from a temporary data dir;
the frontend must be built (frontend/dist) first. Screenshots of key steps go to
test-artifacts/screenshots/ — look at them: they are what a user sees.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
DIST = REPO / "frontend" / "dist" / "index.html"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("LIKENESS_CHROMIUM", "/usr/bin/chromium")
ADMIN = ("admin", "e2e admin passphrase")
ARTIST = ("artist", "e2e artist passphrase")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
# Tiny images and few steps keep rounds quick on a CPU.
FAST = {"width": 64, "height": 64, "steps": 4}

pytestmark = pytest.mark.e2e


def _likeness() -> str:
    exe = Path(sys.executable).parent / "likeness"
    return str(exe) if exe.exists() else "likeness"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    base_url: str
    data_dir: Path
    log: Path

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with run_server(tmp_path_factory) as srv:
        yield srv


@contextlib.contextmanager
def run_server(tmp_path_factory: pytest.TempPathFactory, extra_env: dict[str, str] | None = None) -> Iterator[Server]:
    """`likeness run` on a fresh data dir, with `extra_env` (e.g. a small LIKENESS_EXPOSURE_CAP) on top."""
    if not DIST.is_file():
        pytest.fail("frontend/dist is missing: run `cd frontend && npm ci && npm run build` first", pytrace=False)
    data_dir = tmp_path_factory.mktemp("likeness-e2e")
    # Every journey signs in from 127.0.0.1: lift the per-address sign-in limit for the run.
    env = {**os.environ, "LIKENESS_DATA_DIR": str(data_dir), "LIKENESS_SIGNIN_PER_MINUTE": "1000", **(extra_env or {})}
    env.pop("LIKENESS_MODEL", None)
    for username, password, role in ((*ADMIN, "admin"), (*ARTIST, "artist")):
        subprocess.run([_likeness(), "create-user", "--username", username, "--password", password, "--role", role],
                       env=env, check=True, cwd=REPO, capture_output=True, timeout=120)
    port = _free_port()
    log = data_dir / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([_likeness(), "run", "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=REPO,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    srv = Server(f"http://127.0.0.1:{port}", data_dir, log)
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"likeness run exited with {proc.returncode}:\n{srv.log_tail()}", pytrace=False)
            try:
                health = httpx.get(f"{srv.base_url}/api/health", timeout=2).json()
                if health["worker"]["ok"]:
                    break
            except (httpx.HTTPError, ValueError, KeyError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not become healthy in 120 s:\n{srv.log_tail()}", pytrace=False)
            time.sleep(0.5)
        yield srv
    finally:
        # The run command's process group: the API server and its worker.
        try:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, 9)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: `apt-get install -y chromium` (never `playwright install`)",
                    pytrace=False)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Any, server: Server, request: pytest.FixtureRequest) -> Iterator[Any]:
    ctx = browser.new_context(base_url=server.base_url, viewport={"width": 1440, "height": 900})
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        shot(page, f"FAILED-{request.node.name}")
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)
    # A journey that fails on CI shows what its server and worker said: the log is gone with the runner.
    srv = getattr(item, "funcargs", {}).get("server")
    if rep.failed and isinstance(srv, Server):
        lines = [line for line in srv.log_tail(2000).splitlines()
                 if "uvicorn.access" not in line and "GET /api/health " not in line]
        rep.sections.append(("likeness run log (last 120 lines, health polls left out)", "\n".join(lines[-120:])))


def shot(page: Any, name: str, full_page: bool = False) -> Path:
    """Saves a screenshot under test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def sign_in(page: Any, who: tuple[str, str] = ADMIN, path: str = "/cases") -> None:
    page.goto(path)
    page.get_by_label("Username").fill(who[0])
    page.get_by_label("Password").fill(who[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


class Api:
    """A cookie-session client for seeding data the way the browser would."""

    def __init__(self, base_url: str, who: tuple[str, str] = ADMIN) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=30)
        r = self.client.post("/api/auth/login", json={"username": who[0], "password": who[1]})
        r.raise_for_status()
        self.headers = {"X-CSRF-Token": r.json()["csrf_token"]}

    def get(self, url: str, **kw: Any) -> Any:
        r = self.client.get(url, **kw)
        assert r.status_code == 200, f"GET {url}: {r.status_code} {r.text}"
        return r.json()

    def post(self, url: str, json: Any = None, status: int | None = None, **kw: Any) -> Any:
        r = self.client.post(url, json=json, headers=self.headers, **kw)
        if status is not None:
            assert r.status_code == status, f"POST {url}: {r.status_code} {r.text}"
        else:
            assert r.status_code < 300, f"POST {url}: {r.status_code} {r.text}"
        return r.json() if r.content else None

    def case_with_description(self, reference: str, title: str = "Street robbery, Elm Road") -> dict[str, str]:
        case = self.post("/api/cases", {"reference": reference, "title": title, "offence": "Robbery",
                                        "occurred_on": "2025-03-02", "location": "Elm Road"})
        witness = self.post(f"/api/cases/{case['id']}/witnesses", {"name": "Witness A", "contact": "07700 900123"})
        desc = self.post(f"/api/witnesses/{witness['id']}/descriptions", {
            "text": "He was about forty, thin face, short dark hair going grey at the sides and a crooked nose.",
            "attributes": {"sex": "male", "age_range": "35-45", "hair": {"colour": "dark grey", "length": "short"},
                           "nose": "crooked", "eyes": "not_seen"}})
        return {"case_id": case["id"], "witness_id": witness["id"], "description_id": desc["id"],
                "reference": reference}

    def start_session(self, ids: dict[str, str], candidates: int = 4) -> dict[str, Any]:
        return self.post("/api/sessions", {"witness_id": ids["witness_id"], "description_id": ids["description_id"],
                                           "candidates": candidates, "rounds": 5, **FAST})

    def wait_round(self, session_id: str, index: int, timeout: float = 240) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = self.get(f"/api/sessions/{session_id}")
            if len(s["rounds"]) >= index and s["rounds"][index - 1]["status"] in ("succeeded", "failed", "cancelled"):
                return s
            time.sleep(0.3)
        raise AssertionError(f"round {index} did not finish in {timeout}s")


@pytest.fixture
def api(server: Server) -> Iterator[Api]:
    a = Api(server.base_url)
    yield a
    a.client.close()


def unique(prefix: str) -> str:
    return f"{prefix}-{int(time.time() * 1000) % 10_000_000}"


_UNLABELLED_JS = """
() => [...document.querySelectorAll(
  'button, input:not([type=hidden]), select, textarea, a[href], '
  + '[role=button], [role=option], [role=radio], [role=slider]'
)].filter(el => {
  const hidden = el.offsetParent === null && getComputedStyle(el).position !== 'fixed';
  if (el.closest('[aria-hidden="true"]') || hidden) return false;
  const named = (el.getAttribute('aria-label') || '').trim()
    || (el.getAttribute('aria-labelledby') && document.getElementById(el.getAttribute('aria-labelledby')))
    || (el.labels && el.labels.length)
    || (el.textContent || '').trim()
    || (el.querySelector && el.querySelector('img[alt]:not([alt=""])'))
    || (el.getAttribute('title') || '').trim();
  return !named;
}).map(el => el.outerHTML.slice(0, 160))
"""


def assert_all_labelled(page: Any) -> None:
    """Every visible control has an accessible name (the tests find controls by it)."""
    unlabelled = page.evaluate(_UNLABELLED_JS)
    assert not unlabelled, f"controls without an accessible name: {unlabelled}"
