"""The quality gate: extraction scores over all bundled fixtures must stay at or above their floors.

Floors live in tests/quality_floors.json and may only rise. Profiles must be exact on every field, body token F1
>= 0.99 and no leaks; the generic extractor, run on every site as if no profile existed, has per-site floors
measured when it was written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES

from newsbot.evaluate import EXACT_FIELDS, evaluate, score_page, token_f1

FLOORS = json.loads((Path(__file__).parent / "quality_floors.json").read_text("utf-8"))
DIRS = sorted(d for d in FIXTURES.iterdir() if (d / "manifest.json").exists())


@pytest.fixture(scope="module")
def profile_report():
    return evaluate(DIRS)


@pytest.fixture(scope="module")
def generic_report():
    return evaluate(DIRS, generic=True)


def test_profiles_meet_floors(profile_report) -> None:
    floors = FLOORS["profiles"]
    for site, s in profile_report.by_site().items():
        for name in EXACT_FIELDS:
            assert s[name] >= floors["exact_fields"], f"{site}: {name} exact {s[name]}"
        assert s["body_f1"] >= floors["body_f1"], f"{site}: body F1 {s['body_f1']}"
        assert s["paragraph_precision"] >= floors["paragraph_precision"], site
        assert s["caption_f1"] >= floors["caption_f1"], site
        assert s["pages_with_leaks"] <= floors["pages_with_leaks"], f"{site}: leaks {s['leaks']}"


@pytest.mark.parametrize("site", sorted(FLOORS["generic"]))
def test_generic_meets_floors_per_site(generic_report, site: str) -> None:
    got = generic_report.by_site()[site]
    for name, floor in FLOORS["generic"][site].items():
        if name == "pages_with_leaks":
            assert got[name] <= floor, f"{site}: generic leaks {got['leaks']}"
        else:
            assert got[name] >= floor, f"{site}: generic {name} {got[name]} < floor {floor}"


def test_every_bundled_site_has_floors() -> None:
    assert sorted(FLOORS["generic"]) == sorted(d.name for d in DIRS)


def test_scores_can_fail() -> None:
    """The scorer sees a leaked caption, a credit, a byline and furniture, and a wrong field."""
    want = {"title": "A", "lead": None, "section": "S", "published_at": "2021-01-13", "updated_at": None,
            "authors": ["Diệu Linh"], "source": None, "tags": [], "body_paragraphs": ["Một câu dài ở đây."],
            "captions": [{"text": "Khối thi đua suy tôn Ban Dân tộc tỉnh.", "credit": "Kim Ly", "image_url": "x"}]}
    got = {"title": "B", "lead": None, "section": "S", "published_at": "2021-01-13", "updated_at": None,
           "authors": [], "source": None, "tags": [],
           "body": "Một câu dài ở đây.\n\nKhối thi đua suy tôn Ban Dân tộc tỉnh. Ảnh: Kim Ly\n\nDiệu Linh\n\nTừ khóa",
           "captions": []}
    score = score_page("x", "y", got, want)
    assert not score.exact["title"] and not score.exact["authors"]
    assert {"caption", "credit", "signature"} <= set(score.leaks)
    assert any(k.startswith("furniture") for k in score.leaks)
    assert score.para_precision == 0.25 and score.caption_f1 == 0.0
    assert token_f1("a b c", "a b c") == 1.0 and token_f1("a", "b") == 0.0
