"""The command line every benchmark script shares: --quick, --json, and --articles for the crawl benchmarks."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any


def bench_main(run: Callable[..., Any], description: str, *, articles_help: str | None = None) -> int:
    """Parse the shared options, call ``run(quick[, articles])``, print the result as JSON when asked."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true")
    if articles_help:
        parser.add_argument("--articles", type=int, help=articles_help)
    parser.add_argument("--json", action="store_true", help="print the result as one JSON line at the end")
    args = parser.parse_args()
    result = run(args.quick, args.articles) if articles_help else run(args.quick)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=str))
    return 0
