"""Scrapy extensions: the end-of-run report and health check."""
