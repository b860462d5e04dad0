"""Canonical URLs: one key per article however it was reached.

The same article is linked with and without ``www.``, from the mobile host, over http and https, with a
trailing slash, a fragment or tracking parameters. Dedup and crawl state key on the folded form.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "zarsrc", "zalo_src",
        "_ga", "_gl", "ref_src", "utm_id",
    }
)
_STRIP_HOST_PREFIXES = ("www.", "m.", "amp.")


def canonical_url(url: str) -> str:
    """Fold scheme (to https), ``www.``/``m.`` host, default port, trailing slash, fragment, tracking params.

    Remaining query parameters are sorted so that parameter order does not split one page into two keys.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    for prefix in _STRIP_HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix):]
            break
    port = parts.port
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = parts.path or "/"
    while "//" in path:
        path = path.replace("//", "/")
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    ]
    query.sort()
    return urlunsplit(("https", netloc, path, urlencode(query, doseq=True), ""))
