"""Test helpers: run a Scrapy spider in a child process and get its items and stats back as JSON.

Twisted's reactor cannot be restarted, so a pytest process can run at most one ``CrawlerProcess``. Running
each crawl in its own ``python`` subprocess keeps tests independent, lets every crawl have a hard timeout,
and needs no pytest-twisted. The child imports the spider from ``"package.module:Class"`` or from a file,
``"/path/to/test_x.py:Class"`` (spiders defined inside test modules work, ``tests/`` need not be a package).

Usage::

    result = run_spider_in_subprocess("tests/test_replay.py:ProbeSpider", {"ROBOTSTXT_OBEY": True})
    assert result.ok, result.log_tail()
    result.items, result.stats["replay/hit"]
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["CrawlResult", "load_object_spec", "run_spider_in_subprocess", "subprocess_env"]

_REPO_ROOT = Path(__file__).resolve().parent.parent.parent

# Settings every test crawl gets unless the caller overrides them: quiet, no telnet, bounded.
_DEFAULT_SETTINGS: dict[str, Any] = {
    "LOG_LEVEL": "INFO",
    "TELNETCONSOLE_ENABLED": False,
    "HTTPCACHE_ENABLED": False,
    "DOWNLOAD_TIMEOUT": 15,
    "RETRY_ENABLED": False,
}


@dataclass
class CrawlResult:
    """What a subprocess crawl produced: items (JSON-decoded), stats, spider errors, exit code and log."""

    items: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    returncode: int = 0
    log: str = ""

    @property
    def ok(self) -> bool:
        """The child exited cleanly and no spider callback raised."""
        return self.returncode == 0 and not self.errors

    def log_tail(self, lines: int = 60) -> str:
        """The end of the child's log, for assertion messages."""
        return "\n".join(self.log.splitlines()[-lines:])


def subprocess_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for a child Python: the repo root first on PYTHONPATH, project settings module unset.

    The child must import this checkout's ``newsbot`` even when it is not installed, and must not pick up
    ``SCRAPY_SETTINGS_MODULE`` from the parent (the crawl's settings are passed explicitly).
    """
    env = dict(os.environ)
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    paths = [str(_REPO_ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.setdefault("PYTHONHASHSEED", "0")
    if extra:
        env.update(extra)
    return env


def load_object_spec(spec: str) -> Any:
    """Import ``"package.module:Name"`` or ``"/path/file.py:Name"`` and return the object."""
    target, sep, name = spec.rpartition(":")
    if not sep or not target or not name:
        raise ValueError(f"expected 'module:Name' or 'path.py:Name', got {spec!r}")
    if target.endswith(".py") or os.sep in target or "/" in target:
        path = Path(target).resolve()
        module_name = "_newsbot_spec_" + path.stem
        mod_spec = importlib.util.spec_from_file_location(module_name, path)
        if mod_spec is None or mod_spec.loader is None:
            raise ImportError(f"cannot import {path}")
        module = importlib.util.module_from_spec(mod_spec)
        sys.modules[module_name] = module
        mod_spec.loader.exec_module(module)
    else:
        module = importlib.import_module(target)
    return getattr(module, name)


def run_spider_in_subprocess(
    spider: str,
    settings: dict[str, Any] | None = None,
    *,
    spider_kwargs: dict[str, Any] | None = None,
    timeout: float = 120.0,
    cwd: str | os.PathLike[str] | None = None,
) -> CrawlResult:
    """Run ``spider`` (an import spec, see :func:`load_object_spec`) with ``settings`` in a child process.

    ``settings`` and ``spider_kwargs`` must be JSON-serialisable (use import strings for classes). The child
    uses plain ``Settings`` (no project settings), plus quiet defaults and ``CLOSESPIDER_TIMEOUT`` just under
    ``timeout``; the parent kills it after ``timeout`` seconds (``subprocess.TimeoutExpired`` propagates).
    Items are converted with ``ItemAdapter`` and JSON (non-JSON values become strings).
    """
    merged = {**_DEFAULT_SETTINGS, "CLOSESPIDER_TIMEOUT": max(1, int(timeout) - 5), **(settings or {})}
    with tempfile.TemporaryDirectory(prefix="newsbot-crawl-") as tmp:
        cfg_path = Path(tmp) / "config.json"
        out_path = Path(tmp) / "result.json"
        cfg = {"spider": spider, "settings": merged, "kwargs": spider_kwargs or {}, "output": str(out_path)}
        cfg_path.write_text(json.dumps(cfg), encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, "-c", "import newsbot.testing as t; t._worker_main()", str(cfg_path)],
            cwd=str(cwd) if cwd is not None else str(_REPO_ROOT),
            env=subprocess_env(),
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
        )
        result = CrawlResult(returncode=proc.returncode, log=proc.stdout + proc.stderr)
        if out_path.is_file():
            data = json.loads(out_path.read_text(encoding="utf-8"))
            result.items = data.get("items", [])
            result.stats = data.get("stats", {})
            result.errors = data.get("errors", [])
        elif proc.returncode == 0:
            result.returncode = -1  # the child exited without writing its result: treat as a failure
        return result


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def _worker_main(argv: list[str] | None = None) -> None:
    """Child side of :func:`run_spider_in_subprocess`: run one crawl, write items/stats/errors as JSON."""
    from itemadapter import ItemAdapter
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    args = sys.argv[1:] if argv is None else argv
    cfg = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    spidercls = load_object_spec(cfg["spider"])
    items: list[Any] = []
    errors: list[str] = []

    def on_item(item: Any, **_: Any) -> None:
        items.append(ItemAdapter(item).asdict() if ItemAdapter.is_item(item) else item)

    def on_error(failure: Any, response: Any = None, **_: Any) -> None:
        url = getattr(response, "url", "?")
        errors.append(f"{url}: {failure.getTraceback() if hasattr(failure, 'getTraceback') else failure}")

    process = CrawlerProcess(settings=cfg["settings"])
    crawler = process.create_crawler(spidercls)
    crawler.signals.connect(on_item, signal=signals.item_scraped)
    crawler.signals.connect(on_error, signal=signals.spider_error)
    process.crawl(crawler, **cfg["kwargs"])
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats is not None else {}
    payload = {"items": items, "stats": stats, "errors": errors}
    Path(cfg["output"]).write_text(
        json.dumps(payload, default=_jsonable, ensure_ascii=False), encoding="utf-8"
    )
