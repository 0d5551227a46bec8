"""An archived copy of a dead link: the Wayback Machine's availability API.

What `factcheck check --suggest` offers for a URL found dead (`report/suggest.py`), asked
through the Checker's `Http` client (cache, timeouts, rate limits, the SSRF guard). Any
failure of that API just means no archived copy: it is a suggestion, never a verdict.
"""

from __future__ import annotations

from typing import Any

from ..errors import SourceError
from ..net.http import Http

WAYBACK_SOURCE = "wayback"
HTTP_OK = 200
# Snapshot statuses worth pointing to: the page itself, or a redirect the Wayback replays.
ARCHIVED_STATUS_PREFIXES = ("2", "3")
WEB_SCHEMES = ("http://", "https://")


def archived_copy(url: str, http: Http) -> str | None:
    """The Wayback Machine's closest snapshot of `url`, or None when it has none, or when its
    API fails or answers something unreadable."""
    try:
        response = http.get(http.config.wayback_url, source=WAYBACK_SOURCE, params={"url": url})
        if response.status_code != HTTP_OK:
            return None
        answer = response.json()
    except (SourceError, ValueError):
        return None
    return _snapshot_url(answer)


def _snapshot_url(answer: Any) -> str | None:
    """`archived_snapshots.closest.url` of an availability answer, if it is an available
    snapshot of a page that answered, at a web address."""
    snapshots = answer.get("archived_snapshots") if isinstance(answer, dict) else None
    closest = snapshots.get("closest") if isinstance(snapshots, dict) else None
    if not isinstance(closest, dict) or closest.get("available") is not True:
        return None
    status, snapshot = str(closest.get("status", HTTP_OK)), closest.get("url")
    if not status.startswith(ARCHIVED_STATUS_PREFIXES) or not isinstance(snapshot, str):
        return None
    return snapshot if snapshot.startswith(WEB_SCHEMES) else None
