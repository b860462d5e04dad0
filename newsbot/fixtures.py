"""The fixture folder (``fixtures/<domain>/``) as a library.

Replay, record, the local fixture server, the tests and the evaluation all read and write the same folder
format (see ``fixtures/README.md``). Keeping the format, the URL matching rules and the path-safety checks in
one module means a page recorded by :mod:`newsbot.record` is found again by :mod:`newsbot.replay` and by
:class:`newsbot.testing.fixture_server.FixtureServer` under exactly the same rules.

Matching rules (:func:`url_key`, :func:`form_key`): the fragment is dropped, the scheme and host are
lower-cased, a default port is removed, the query parameters are compared order-insensitively and
percent-encoding is normalised (w3lib's ``canonicalize_url``). POST entries are stored with their form body
appended to the URL as a fragment (``...QUERYDATA#do=QUERYDATA&...``) plus a ``form`` dict; a request matches
when its parsed form fields equal the entry's, in any order.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

logger = logging.getLogger(__name__)

__all__ = [
    "FixtureEntry",
    "FixtureFolder",
    "UnsafePathError",
    "expand_fixture_dirs",
    "find_fixture_dir",
    "form_key",
    "path_key",
    "safe_child",
    "url_key",
    "REPO_ROOT",
    "FIXTURES_ROOT",
]

#: The repository root: the parent of the ``newsbot`` package.
REPO_ROOT: Path = Path(__file__).resolve().parent.parent
#: Where the site fixtures live in a checkout.
FIXTURES_ROOT: Path = REPO_ROOT / "fixtures"

MANIFEST = "manifest.json"
PAGES = "pages"
EXPECTED = "expected"

_DEFAULT_PORTS = {"http": 80, "https": 443}
# A file name inside pages/: one path component, no leading dot (no "..", no hidden files), portable chars.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$")
_DOMAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$")

FormKey = tuple[tuple[str, str], ...]
FormLike = Mapping[str, Any] | Iterable[tuple[str, Any]] | bytes | str | None


class UnsafePathError(ValueError):
    """A file name or path would resolve outside the folder it must stay in."""


# ----------------------------------------------------------------------------------------------------
# URL / form normalisation


def url_key(url: str) -> str:
    """Return the comparison key of ``url``: canonical, no fragment, query sorted, no default port.

    Two URLs with the same key are the same page for replay purposes. Sorting the query keeps a spider that
    builds ``?b=2&a=1`` matching a recording of ``?a=1&b=2``.
    """
    canon = canonicalize_url(url.strip(), keep_fragments=False)
    parts = urlsplit(canon)
    netloc = parts.netloc
    scheme = parts.scheme.lower()
    if parts.port is not None and _DEFAULT_PORTS.get(scheme) == parts.port:
        netloc = netloc.rsplit(":", 1)[0]
    return urlunsplit((scheme, netloc.lower(), parts.path or "/", parts.query, ""))


def path_key(url: str) -> str:
    """Return the path+query part of :func:`url_key` (``/thoi-su?p=2``), for host-independent lookups.

    The local fixture server receives requests for ``127.0.0.1:PORT`` and must find the recording of
    ``https://baocantho.com.vn/...`` from the path and query alone.
    """
    if not urlsplit(url).scheme:
        url = "http://localhost" + (url if url.startswith("/") else "/" + url)
    parts = urlsplit(url_key(url))
    return parts.path + ("?" + parts.query if parts.query else "")


def origin_of(url: str) -> str:
    """Return ``scheme://host[:port]`` of ``url`` lower-cased, with a default port dropped."""
    parts = urlsplit(url_key(url))
    return f"{parts.scheme}://{parts.netloc}"


def form_key(form: FormLike) -> FormKey:
    """Return the order-insensitive key of a form: sorted ``(name, value)`` pairs.

    Accepts the manifest's ``form`` dict, a urlencoded body (bytes or str, as Scrapy's ``FormRequest`` sends
    it) or pairs; list values in a dict become repeated fields. ``None`` and an empty body give ``()``.
    """
    if form is None:
        return ()
    pairs: list[tuple[str, str]] = []
    if isinstance(form, bytes):
        form = form.decode("utf-8", "replace")
    if isinstance(form, str):
        pairs = parse_qsl(form, keep_blank_values=True)
    elif isinstance(form, Mapping):
        for name, value in form.items():
            values = value if isinstance(value, (list, tuple)) else [value]
            pairs.extend((str(name), "" if v is None else str(v)) for v in values)
    else:
        pairs = [(str(k), str(v)) for k, v in form]
    return tuple(sorted(pairs))


def _entry_form_key(url: str, form: Mapping[str, Any] | None) -> FormKey:
    """The form key of a POST entry: its ``form`` dict, else the fragment of its URL."""
    if form is not None:
        return form_key(form)
    return form_key(urlsplit(url).fragment)


# ----------------------------------------------------------------------------------------------------
# Path safety


def safe_child(directory: Path, name: str) -> Path:
    """Return ``directory / name`` after checking it cannot escape ``directory``.

    ``name`` must be a single portable file name (no separators, no ``..``, no leading dot, no NUL), the
    result must resolve (symlinks followed) to a direct child of the resolved ``directory``, and an existing
    entry at that path must not be a symlink. Manifests and URLs come from outside (recorded sites, other
    people's fixtures), so every path built from them goes through here before any read or write.
    """
    if not isinstance(name, str) or not _SAFE_NAME.match(name) or name in {".", ".."}:
        raise UnsafePathError(f"unsafe fixture file name: {name!r}")
    base = directory.resolve()
    candidate = directory / name
    if candidate.is_symlink():
        raise UnsafePathError(f"refusing to use a symlink: {candidate}")
    resolved = candidate.resolve()
    if resolved.parent != base:
        raise UnsafePathError(f"{name!r} resolves outside {directory}")
    return candidate


def _check_inside(root: Path, path: Path) -> None:
    """Raise :class:`UnsafePathError` unless ``path`` (resolved) is ``root`` or below it (resolved)."""
    root_r = root.resolve()
    path_r = path.resolve()
    if path_r != root_r and root_r not in path_r.parents:
        raise UnsafePathError(f"{path} resolves outside {root}")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory and ``os.replace``.

    Readers (a replay running next to a recording) never see a half-written file, and ``os.replace``
    replaces a symlink planted at ``path`` instead of writing through it.
    """
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


# ----------------------------------------------------------------------------------------------------
# Entries and folders

_KNOWN_KEYS = ("url", "file", "status", "headers", "kind", "method", "form", "request_headers")


@dataclass
class FixtureEntry:
    """One recorded response: a row of ``manifest.json``.

    ``folder`` is the fixture folder the entry belongs to (set by :class:`FixtureFolder`); ``extra`` keeps
    manifest keys this code does not know so that a load/save round trip loses nothing.
    """

    url: str
    file: str
    status: int
    headers: dict[str, str]
    kind: str
    method: str = "GET"
    form: dict[str, Any] | None = None
    request_headers: dict[str, str] | None = None
    folder: Path | None = field(default=None, compare=False, repr=False)
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], folder: Path | None = None) -> FixtureEntry:
        """Build an entry from a manifest row (unknown keys go to ``extra``)."""
        return cls(
            url=str(data["url"]),
            file=str(data["file"]),
            status=int(data.get("status", 200)),
            headers={str(k): str(v) for k, v in (data.get("headers") or {}).items()},
            kind=str(data.get("kind", "other")),
            method=str(data.get("method", "GET")).upper(),
            form=dict(data["form"]) if data.get("form") is not None else None,
            request_headers=(
                dict(data["request_headers"]) if data.get("request_headers") is not None else None
            ),
            folder=folder,
            extra={k: v for k, v in data.items() if k not in _KNOWN_KEYS},
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the manifest row; ``method``, ``form``, ``request_headers`` only when they say something."""
        data: dict[str, Any] = {
            "url": self.url,
            "file": self.file,
            "status": self.status,
            "headers": dict(self.headers),
            "kind": self.kind,
        }
        if self.method.upper() != "GET":
            data["method"] = self.method.upper()
        if self.form is not None:
            data["form"] = dict(self.form)
        if self.request_headers is not None:
            data["request_headers"] = dict(self.request_headers)
        data.update(self.extra)
        return data

    # -- keys
    @property
    def key(self) -> tuple[str, str, FormKey]:
        """The lookup key ``(method, url_key, form_key)``; the form only counts for POST."""
        method = self.method.upper()
        form = _entry_form_key(self.url, self.form) if method == "POST" else ()
        return method, url_key(self.url), form

    @property
    def path_lookup_key(self) -> tuple[str, str, FormKey]:
        """Like :attr:`key` but with the host-independent :func:`path_key`."""
        method, _, form = self.key
        return method, path_key(self.url), form

    @property
    def stem(self) -> str:
        """The page file name without extension: the name of the ``expected/`` file."""
        return Path(self.file).stem

    # -- files
    def _folder(self) -> Path:
        if self.folder is None:
            raise ValueError(f"entry {self.url} is not attached to a fixture folder")
        return self.folder

    @property
    def body_path(self) -> Path:
        """``<folder>/pages/<file>``, checked to stay inside ``pages/`` (a hostile manifest cannot escape)."""
        return safe_child(self._folder() / PAGES, self.file)

    def read_body(self) -> bytes:
        """The recorded response body, byte for byte."""
        return self.body_path.read_bytes()

    @property
    def expected_path(self) -> Path:
        """``<folder>/expected/<stem>.json``: the gold extractor output for this page."""
        return safe_child(self._folder() / EXPECTED, self.stem + ".json")

    def load_expected(self) -> dict[str, Any] | None:
        """The gold output, or ``None`` when the page has none (robots.txt, API responses, new recordings)."""
        path = self.expected_path
        if not path.is_file():
            return None
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)

    @property
    def content_type(self) -> str:
        """The recorded ``Content-Type`` header (case-insensitive lookup), or ``""``."""
        for name, value in self.headers.items():
            if name.lower() == "content-type":
                return value
        return ""


class FixtureFolder:
    """A ``fixtures/<domain>/`` folder: its manifest entries, their bodies and gold files.

    A folder without ``manifest.json`` is a valid, empty folder (the target of a first recording).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.entries: list[FixtureEntry] = []
        self._index: dict[tuple[str, str, FormKey], FixtureEntry] | None = None
        self._path_index: dict[tuple[str, str, FormKey], FixtureEntry] | None = None
        manifest = self.manifest_path
        if manifest.is_file():
            with manifest.open(encoding="utf-8") as fh:
                rows = json.load(fh)
            if not isinstance(rows, list):
                raise ValueError(f"{manifest}: expected a JSON list")
            self.entries = [FixtureEntry.from_dict(row, self.path) for row in rows]

    def __repr__(self) -> str:
        return f"FixtureFolder({str(self.path)!r}, {len(self.entries)} entries)"

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[FixtureEntry]:
        return iter(self.entries)

    @property
    def name(self) -> str:
        """The folder name, by convention the site's domain key (``baocantho.com.vn``)."""
        return self.path.name

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    @property
    def pages_dir(self) -> Path:
        return self.path / PAGES

    # -- selections
    def articles(self) -> list[FixtureEntry]:
        """Entries of kind ``article`` in manifest order."""
        return [e for e in self.entries if e.kind == "article"]

    def sections(self) -> list[FixtureEntry]:
        """Entries of kind ``section`` in manifest order."""
        return [e for e in self.entries if e.kind == "section"]

    def origins(self) -> list[str]:
        """The distinct ``scheme://host`` origins of the entries, in first-seen order."""
        seen: dict[str, None] = {}
        for entry in self.entries:
            seen.setdefault(origin_of(entry.url), None)
        return list(seen)

    def site_json(self) -> dict[str, Any] | None:
        """The parsed ``site.json`` (site brief: sections, article URL regex...), or ``None`` when absent."""
        path = self.path / "site.json"
        if not path.is_file():
            return None
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)

    # -- lookup
    def _build_index(self) -> None:
        index: dict[tuple[str, str, FormKey], FixtureEntry] = {}
        path_index: dict[tuple[str, str, FormKey], FixtureEntry] = {}
        for entry in self.entries:
            index.setdefault(entry.key, entry)  # first recording wins, like a manifest read top-down
            path_index.setdefault(entry.path_lookup_key, entry)
        self._index, self._path_index = index, path_index

    def lookup(self, method: str, url: str, body: bytes | str | None = None) -> FixtureEntry | None:
        """Find the entry answering ``method url`` (with form ``body`` for POST), or ``None``.

        Only the URL's fragment-less canonical form counts for GET; for POST the parsed form fields must also
        be equal (order-insensitive). HEAD is answered by the GET entry.
        """
        if self._index is None:
            self._build_index()
        assert self._index is not None
        method = method.upper()
        if method == "HEAD":
            method = "GET"
        form = form_key(body) if method == "POST" else ()
        return self._index.get((method, url_key(url), form))

    def lookup_path(
        self, method: str, path_and_query: str, body: bytes | str | None = None
    ) -> FixtureEntry | None:
        """Like :meth:`lookup` but ignoring scheme and host (``/thoi-su?p=2``), for the fixture server."""
        if self._path_index is None:
            self._build_index()
        assert self._path_index is not None
        method = method.upper()
        if method == "HEAD":
            method = "GET"
        form = form_key(body) if method == "POST" else ()
        return self._path_index.get((method, path_key(path_and_query), form))

    # -- writing
    def add(self, entry: FixtureEntry, body: bytes) -> FixtureEntry:
        """Write ``body`` to ``pages/<entry.file>`` and put ``entry`` in the manifest (in memory).

        An existing entry with the same key (method, URL, form) is replaced in place, so re-recording a page
        keeps its position and never duplicates it. Call :meth:`save_manifest` to persist the manifest.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        pages = self.pages_dir
        if pages.is_symlink():
            raise UnsafePathError(f"refusing to write through a symlinked pages dir: {pages}")
        pages.mkdir(exist_ok=True)
        _check_inside(self.path, pages)
        entry.folder = self.path
        target = entry.body_path  # validates the name
        atomic_write_bytes(target, body)
        key = entry.key
        for i, old in enumerate(self.entries):
            if old.key == key:
                self.entries[i] = entry
                break
        else:
            self.entries.append(entry)
        self._index = self._path_index = None
        return entry

    def save_manifest(self) -> None:
        """Write ``manifest.json`` atomically (temporary file + ``os.replace``), UTF-8, 2-space indent."""
        self.path.mkdir(parents=True, exist_ok=True)
        data = json.dumps([e.to_dict() for e in self.entries], ensure_ascii=False, indent=2) + "\n"
        atomic_write_bytes(self.manifest_path, data.encode("utf-8"))


def expand_fixture_dirs(value: str | os.PathLike[str]) -> list[Path]:
    """Resolve ``value`` like :func:`find_fixture_dir`, expanding a folder *of* fixture folders.

    ``fixtures/`` (no manifest of its own, sub-folders with one) gives every site folder in name order, so
    ``NEWSBOT_REPLAY_DIR=fixtures`` replays all recorded sites at once (``--all``).
    """
    path = find_fixture_dir(value)
    if (path / MANIFEST).is_file():
        return [path]
    subs = sorted(p for p in path.iterdir() if p.is_dir() and (p / MANIFEST).is_file())
    return subs or [path]


def find_fixture_dir(domain_or_path: str | os.PathLike[str]) -> Path:
    """Resolve a fixture folder from a domain key (``baocantho.com.vn``) or a path.

    An existing directory path wins; otherwise a bare domain is looked up under ``<repo>/fixtures/``. The CLI
    and the replay setting accept either, so ``--replay baocantho.com.vn`` works from any working directory.
    """
    path = Path(domain_or_path)
    if path.is_dir():
        return path
    name = str(domain_or_path)
    if _DOMAIN.match(name) and ".." not in name:
        candidate = FIXTURES_ROOT / name
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"no fixture folder {name!r} (neither a directory nor {FIXTURES_ROOT}/{name})")
