"""Deployment to scrapyd: a real scrapyd on 127.0.0.1 gets the project's egg and runs a replay crawl of it.

The egg is built the way an operator builds it (``scrapyd-deploy --build-egg``, i.e. ``setup.py bdist_egg``) from a
copy of the checkout, uploaded with ``addversion.json``, and the spider is scheduled through ``schedule.json`` with
the replay settings ``newsbot crawl --replay`` would use. scrapyd (and so every job it starts) runs on an interpreter
that has the virtualenv's packages except newsbot, as on a scrapyd host: the job can only import newsbot from the
uploaded egg. The egg's contents and entry point are also checked directly, and the schema must load from it.

scrapyd and scrapyd-client are in the ``test`` extra: when they are missing, this module errors (never skips).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from collections import Counter
from pathlib import Path

import pytest
import scrapyd  # noqa: F401 - a hard import: without scrapyd this module must fail, not skip
import scrapyd_client  # noqa: F401 - same for scrapyd-client (the egg builder)
from conftest import FIXTURES, REPO, fixture_entries
from jsonschema import Draft202012Validator

from newsbot.items import article_schema

SITE = "baocantho.com.vn"
SPIDER = "baocantho"
PROJECT = "newsbot"
VERSION = "r1"
START_TIMEOUT = 20.0
JOB_TIMEOUT = 90.0
# What `newsbot crawl --replay` sets besides the replay folder (newsbot.cli.crawl_settings).
REPLAY_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "RETRY_ENABLED": "False",
}
# What an egg build needs from a checkout: the package and the files its metadata names.
EGG_SOURCES = ("newsbot", "pyproject.toml", "setup.py", "scrapy.cfg", "README.md")


# --- helpers ----------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _belongs_to_newsbot(entry: Path) -> bool:
    """A site-packages entry that would make newsbot importable: its install, editable hook or a path to the repo."""
    name = entry.name.lower()
    if name.startswith("newsbot") or ("__editable__" in name and "newsbot" in name):
        return True
    if entry.suffix in (".pth", ".egg-link") and entry.is_file():
        return str(REPO) in entry.read_text("utf-8", "replace")
    return False


def isolated_python(root: Path) -> str:
    """A venv (no pip) holding this environment's packages, newsbot excepted, as a scrapyd host has them.

    Every entry of the current site-packages is symlinked into the venv's site-packages except newsbot's own (its
    editable hook or installed copy), so scrapyd and its jobs can import newsbot from an uploaded egg only.
    """
    import venv

    venv.EnvBuilder(with_pip=False, symlinks=True).create(root)
    python = str(root / "bin" / "python")
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    for lib in dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]):
        for entry in Path(lib).iterdir():
            if not _belongs_to_newsbot(entry) and not (site / entry.name).exists():
                (site / entry.name).symlink_to(entry)
    check = subprocess.run([python, "-c", "import importlib.util, scrapy, scrapyd; print(importlib.util.find_spec("
                            "'newsbot'))"], capture_output=True, text=True, cwd=root)
    assert check.returncode == 0 and check.stdout.strip() == "None", (
        f"the scrapyd interpreter must have scrapy and scrapyd but not newsbot: {check.stdout}{check.stderr[-2000:]}")
    return python


def http_json(url: str, data: bytes | None = None, headers: dict | None = None, timeout: float = 60) -> dict:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read().decode("utf-8"))


def post_form(url: str, fields: list[tuple[str, str]], timeout: float = 60) -> dict:
    body = urllib.parse.urlencode(fields).encode("ascii")
    return http_json(url, body, {"Content-Type": "application/x-www-form-urlencoded"}, timeout)


def post_multipart(url: str, fields: dict[str, str], files: dict[str, tuple[str, bytes]], timeout: float = 60) -> dict:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     "Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return http_json(url, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}, timeout)


def tail(path: Path, chars: int = 4000) -> str:
    try:
        return path.read_text("utf-8", "replace")[-chars:]
    except FileNotFoundError:
        return f"({path} does not exist)"


def read_jsonl(path: Path) -> list[dict]:
    raw = path.read_bytes()
    assert raw.endswith(b"\n"), f"{path} is empty or ends with a torn line"
    items = [json.loads(line) for line in raw.decode("utf-8").splitlines()]
    assert all(isinstance(it, dict) for it in items)
    return items


class Scrapyd:
    def __init__(self, root: Path, port: int, proc: subprocess.Popen, log: Path, python: str) -> None:
        self.root = root
        self.python = python  # the interpreter scrapyd and its jobs run on (newsbot only from an egg)
        self.url = f"http://127.0.0.1:{port}/"
        self.proc = proc
        self.log = log

    def api(self, endpoint: str) -> str:
        return self.url + endpoint

    def diagnostics(self) -> str:
        return f"scrapyd output:\n{tail(self.log)}"


# --- fixtures ---------------------------------------------------------------------------------------------------
def start_scrapyd(root: Path, python: str, env: dict[str, str]) -> Scrapyd:
    """Start scrapyd on a free port and wait until it answers; the caller stops it (``stop_scrapyd``)."""
    port = free_port()
    dirs = {name: root / name for name in ("eggs", "logs", "items", "dbs")}
    conf = "\n".join([
        "[scrapyd]",
        "bind_address = 127.0.0.1",
        f"http_port = {port}",
        *(f"{name}_dir = {path}" for name, path in dirs.items()),
        "jobs_dir =",
        "max_proc = 1",
        "poll_interval = 0.2",
        "username =",
        "password =",
        "",
    ])
    # Read from the working directory (scrapyd's own config search: /etc/scrapyd, ./scrapyd.conf, ~/.scrapyd.conf).
    (root / "scrapyd.conf").write_text(conf, "utf-8")
    log = root / "scrapyd.out"
    with log.open("wb") as out:
        # Its own session, so teardown can end scrapyd and the crawl processes it started, and nothing else.
        proc = subprocess.Popen([python, "-m", "scrapyd", "--pidfile=", "--logfile=-"], cwd=root, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = Scrapyd(root, port, proc, log, python)
    deadline = time.monotonic() + START_TIMEOUT
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if http_json(server.api("daemonstatus.json"), timeout=2).get("status") == "ok":
                return server
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    return server  # not answering: the caller looks at why


def stop_scrapyd(server: Scrapyd) -> None:
    if server.proc.poll() is None:
        os.killpg(server.proc.pid, signal.SIGTERM)
        try:
            server.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.proc.pid, signal.SIGKILL)
            server.proc.wait(10)


@pytest.fixture
def scrapyd_server(tmp_path):
    root = tmp_path / "scrapyd"
    home = tmp_path / "home"  # no ~/.scrapyd.conf of the machine's user
    for d in (root, home):
        d.mkdir()
    python = isolated_python(tmp_path / "venv")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCRAPY_", "SCRAPYD_"))}
    env.pop("PYTHONPATH", None)
    env.update(HOME=str(home), PYTHONDONTWRITEBYTECODE="1", TMPDIR=str(tmp_path))
    server = None
    try:
        for _attempt in range(3):  # the free port may be taken between the probe and scrapyd's bind
            server = start_scrapyd(root, python, env)
            if server.proc.poll() is None or "Address already in use" not in tail(server.log):
                break
        if server.proc.poll() is not None:
            pytest.fail(f"scrapyd exited with {server.proc.returncode} before answering\n{server.diagnostics()}")
        try:
            http_json(server.api("daemonstatus.json"), timeout=5)
        except (OSError, ValueError) as exc:
            pytest.fail(f"scrapyd did not answer daemonstatus.json within {START_TIMEOUT:.0f} s ({exc})\n"
                        f"{server.diagnostics()}")
        yield server
    finally:
        if server is not None:
            stop_scrapyd(server)


def build_egg(tmp_path: Path) -> Path:
    """``scrapyd-deploy --build-egg`` in a copy of the checkout (the build writes build/ and *.egg-info/)."""
    import shutil

    src = tmp_path / "src"
    src.mkdir()
    for name in EGG_SOURCES:
        path = REPO / name
        assert path.exists(), f"the egg build needs {name} in the checkout"
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(path, src / name)
    egg = tmp_path / "newsbot.egg"
    env = dict(os.environ, TMPDIR=str(tmp_path))  # scrapyd-deploy leaves its temporary build dir behind
    proc = subprocess.run([sys.executable, "-m", "scrapyd_client.deploy", "--build-egg", str(egg), "--debug"],
                          cwd=src, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and egg.is_file(), f"egg build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return egg


# --- the test ---------------------------------------------------------------------------------------------------
def test_deploy_egg_and_schedule_replay_crawl(scrapyd_server: Scrapyd, tmp_path) -> None:
    server = scrapyd_server
    expected = sorted(e["url"] for e in fixture_entries(SITE, ("article",)))
    assert len(expected) == 16

    # 1. The egg: the whole package, the schema, and the entry point scrapyd reads the settings module from.
    egg = build_egg(tmp_path)
    with zipfile.ZipFile(egg) as zf:
        names = set(zf.namelist())
        entry_points = zf.read("EGG-INFO/entry_points.txt").decode("utf-8") if "EGG-INFO/entry_points.txt" in names \
            else ""
    sources = {p.relative_to(REPO).as_posix() for p in (REPO / "newsbot").rglob("*.py") if "__pycache__" not in p.parts}
    sources |= {p.relative_to(REPO).as_posix() for p in (REPO / "newsbot" / "schema").glob("*.json")}
    assert "newsbot/schema/article.schema.json" in sources
    missing = sorted(sources - names)
    assert not missing, f"files of the package missing from the egg: {missing}"
    assert "[scrapy]" in entry_points and "settings = newsbot.settings" in entry_points, (
        "the egg has no `scrapy` entry point `settings = newsbot.settings` (pyproject [project.entry-points.scrapy])"
        f"; entry_points.txt:\n{entry_points}")
    # The crawl does not read the schema; consumers of the deployed package do: it must load from the zipped egg.
    probe = subprocess.run(
        [server.python, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import newsbot, newsbot.items; "
         "assert '.egg' in newsbot.__file__, newsbot.__file__; print(newsbot.items.article_schema()['title'])",
         str(egg)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert probe.returncode == 0 and probe.stdout.strip(), f"newsbot from the egg alone:\n{probe.stderr[-3000:]}"

    # 2. Deploy: addversion.json lists the spiders by running `scrapy list` from the egg.
    try:
        added = post_multipart(server.api("addversion.json"), {"project": PROJECT, "version": VERSION},
                               {"egg": ("newsbot.egg", egg.read_bytes())})
    except urllib.error.HTTPError as exc:
        pytest.fail(f"addversion.json: HTTP {exc.code} {exc.read()[-2000:]!r}\n{server.diagnostics()}")
    assert added.get("status") == "ok", f"{added}\n{server.diagnostics()}"
    spiders = http_json(server.api(f"listspiders.json?project={PROJECT}"))
    assert spiders.get("status") == "ok", spiders
    assert SPIDER in spiders["spiders"], spiders

    # 3. Schedule the replay crawl.
    data_dir = tmp_path / "data"
    out = tmp_path / "out.jsonl"
    settings = {
        "NEWSBOT_REPLAY_DIR": str((FIXTURES / SITE).resolve()),
        "NEWSBOT_DATA_DIR": str(data_dir),
        "NEWSBOT_OUTPUT": str(out),
        **REPLAY_SETTINGS,
    }
    scheduled = post_form(server.api("schedule.json"), [("project", PROJECT), ("spider", SPIDER),
                                                       *(("setting", f"{k}={v}") for k, v in settings.items())])
    assert scheduled.get("status") == "ok", f"{scheduled}\n{server.diagnostics()}"
    job = scheduled["jobid"]

    # 4. Wait for it to finish.
    deadline = time.monotonic() + JOB_TIMEOUT
    while True:
        jobs = http_json(server.api(f"listjobs.json?project={PROJECT}"), timeout=10)
        if any(j["id"] == job for j in jobs.get("finished", [])):
            break
        if server.proc.poll() is not None:
            pytest.fail(f"scrapyd exited with {server.proc.returncode} during the job\n{server.diagnostics()}")
        if time.monotonic() > deadline:
            pytest.fail(f"job {job} did not finish within {JOB_TIMEOUT:.0f} s: {jobs}\n{server.diagnostics()}")
        time.sleep(0.2)
    job_log = server.root / "logs" / PROJECT / SPIDER / f"{job}.log"
    context = f"job log:\n{tail(job_log)}\n{server.diagnostics()}"
    assert "Traceback" not in tail(job_log, 10**7), context

    # 5. The output: every recorded article exactly once, each a valid JSON line of the published schema.
    assert out.is_file(), context
    items = read_jsonl(out)
    urls = [it["url"] for it in items]
    assert [u for u, n in Counter(urls).items() if n > 1] == [], "duplicated articles"
    assert sorted(urls) == expected, context
    validator = Draft202012Validator(article_schema())
    for it in items:
        errors = [e.message for e in validator.iter_errors(it)]
        assert not errors, f"{it['url']}: {errors}"

    # scrapyd's own feed (items_dir) got the same items.
    feed = server.root / "items" / PROJECT / SPIDER / f"{job}.jl"
    assert sorted(it["url"] for it in read_jsonl(feed)) == expected

    # The run was recorded in the data dir, healthy, without a replay miss.
    runs = (data_dir / SITE / "reports" / "runs.jsonl").read_text("utf-8").splitlines()
    report = json.loads(runs[-1])
    assert report["health"] == "ok" and report["finish_reason"] == "finished", report
    assert report["items_written"] == len(expected) and report["replay_misses"] == 0, report
    assert (data_dir / "state.sqlite").is_file()
