"""The registry of supported sites, discovered from the modules under ``newsbot.sites``.

Layout: ``newsbot/sites/<family>/__init__.py`` holds a template family's rules, ``<family>/<site>.py`` one
site's profile (its deltas). Nothing needs registering by hand: every :class:`SiteProfile` subclass with a
``key`` is found here.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from urllib.parse import urlsplit

from newsbot.sites.base import Section, SiteProfile

__all__ = ["Section", "SiteProfile", "all_profiles", "get_profile", "profile_for_url", "UnknownSite"]


class UnknownSite(LookupError):
    pass


@cache
def all_profiles() -> tuple[type[SiteProfile], ...]:
    """Every site profile, sorted by key."""
    for mod in pkgutil.walk_packages(__path__, prefix=__name__ + "."):
        importlib.import_module(mod.name)
    found: dict[str, type[SiteProfile]] = {}
    stack = list(SiteProfile.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.key and cls.__dict__.get("key"):
            found[cls.key] = cls
    return tuple(found[k] for k in sorted(found))


def get_profile(name: str) -> type[SiteProfile]:
    """A profile by spider name, domain key or URL."""
    name = name.strip().lower()
    if "://" in name:
        name = urlsplit(name).hostname or name
    name = name.removeprefix("www.")
    for p in all_profiles():
        if name in (p.key, p.spider_name) or name in p.domains:
            return p
    raise UnknownSite(
        f"unknown site {name!r}; supported: " + ", ".join(f"{p.spider_name} ({p.key})" for p in all_profiles())
    )


def profile_for_url(url: str) -> type[SiteProfile] | None:
    for p in all_profiles():
        if p.owns(url):
            return p
    return None
