"""The sync server's base URL as a station accepts it: http:// or https://, a host, an optional port and path."""

from __future__ import annotations

from urllib.parse import urlsplit


def server_url_problem(url: str) -> str | None:
    """Return why ``url`` cannot be a sync server's base URL (a sentence fragment), or None when it can.

    Checks the form only; whether a server answers there shows at the first sync.
    """
    if url != url.strip() or any(character.isspace() for character in url):
        return f"{url!r} contains spaces; write the URL without them"
    parts = urlsplit(url)
    if "://" not in url and parts.scheme.lower() in ("http", "https"):
        return f"{url!r} is malformed; write it as {parts.scheme}://HOST:PORT"
    if "://" not in url:
        return f"{url!r} has no http:// or https:// scheme; write it as http://{url} or https://{url}"
    if parts.scheme.lower() not in ("http", "https"):
        return f"{url!r} uses the scheme {parts.scheme}://; the sync server takes http:// or https://"
    if not parts.hostname:
        return f"{url!r} names no host; write it as {parts.scheme}://HOST:PORT"
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        return f"{url!r} has an invalid port; use a port from 1 to 65535"
    if parts.query or parts.fragment:
        return f"{url!r} has a ?query or #fragment; give only the base URL, e.g. https://lineage.example:8443"
    return None
