"""Shared test helpers: where the bundled fixtures are, and how to load one page's expected output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


def fixture_entries(site: str, kinds: tuple[str, ...] = ("article", "section")) -> list[dict]:
    manifest = json.loads((FIXTURES / site / "manifest.json").read_text("utf-8"))
    return [e for e in manifest if e.get("kind") in kinds]


def expected_for(site: str, entry: dict) -> dict:
    stem = Path(entry["file"]).stem
    return json.loads((FIXTURES / site / "expected" / f"{stem}.json").read_text("utf-8"))


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES
