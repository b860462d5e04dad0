"""One spider class per site profile, generated so that ``scrapy list`` / ``scrapy crawl <site>`` just work."""

from __future__ import annotations

from newsbot.sites import all_profiles
from newsbot.spiders.news import NewsSpider


def _spider_for(profile) -> type[NewsSpider]:
    attrs = {
        "name": profile.spider_name,
        "profile": profile,
        "allowed_domains": list(profile.domains),
        "custom_settings": dict(profile.custom_settings),
        "__module__": __name__,
        "__doc__": f"Crawl {profile.name} ({profile.key}), family {profile.family}.",
    }
    return type(f"{profile.spider_name.title().replace('-', '').replace('.', '')}Spider", (NewsSpider,), attrs)


SPIDERS: dict[str, type[NewsSpider]] = {}
for _profile in all_profiles():
    _cls = _spider_for(_profile)
    SPIDERS[_profile.spider_name] = _cls
    globals()[_cls.__name__] = _cls
del _profile, _cls  # keep each class reachable under one module attribute only (Scrapy lists attributes)
