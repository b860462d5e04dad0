"""Spiders: one per site profile, all sharing :class:`newsbot.spiders.news.NewsSpider`.

The classes are generated from the profile registry (see ``sites.py``) so ``scrapy list`` shows every site
without a hand-written spider module per site.
"""
