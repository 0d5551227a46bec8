"""What a configuration file found in the checked tree may set.

factcheck runs in checkouts it did not write: a CI job on a pull request, a clone of
someone's paper. A file found there by the upward search (`configfile.find_config`) is the
project's word, not the user's, so it is trusted as git trusts a repository's own config
(`safe.directory`) or pre-commit a repository's hooks: enough to say what to check, never
enough to reach further on the user's machine. Settings are of three kinds:

- **Project settings** (`PROJECT_SETTINGS`): what is checked and how answers are kept
  (`sources`, `mailto`, `offline`, the cache TTLs, an OpenAlex key). Taken from any file.
- **Bounds** (`TIGHTER_WHEN_LOWER`, `TIGHTER_WHEN_FALSE`, `TIGHTER_WHEN_TRUE`): timeouts,
  retries, size and count limits, workers, `allow_private_urls`, `strict`. A found file may
  tighten them, never loosen them past what the user's own settings (defaults, then the
  user's file) give: a project may ask for strict comparison, not turn off the user's.
- **Everything else needs trust**: every `*_url` (where requests go, and `limits_url`,
  where rate limits are shared), `cache`, `replay`, `library` and `library_complete`
  (which files are read or written, and what counts as evidence), `hosts` (per-host rates
  and timeouts), `ignore_file` (a path anywhere; its errors quote lines). A setting not
  listed above is in this kind, so a new one is refused until it is judged harmless.

Those come only from the user: their own file (`user_config_path`), FACTCHECK_* variables,
the command line, keyword arguments, or a file named explicitly (`--config`,
FACTCHECK_CONFIG, `Config.load(config_file=…)`). From a found file they are dropped, with
one warning per file per process that names the file and the keys, and says how to allow
them. A found file (or `.factcheckignore`) that is a link to somewhere outside the
directory it was found in is not read at all: a checkout must not make factcheck read,
and quote in its errors, a file elsewhere on the machine.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

logger = logging.getLogger(__name__)

# Harmless whatever their value: they choose what is checked and how long answers are kept.
PROJECT_SETTINGS = frozenset(
    {
        "sources",
        "mailto",
        "offline",
        "openalex_key",
        "cache_ttl_found",
        "cache_ttl_missing",
        "cache_ttl_url",
    }
)
# Bounds a found file may lower, never raise. None (no deadline) is no bound at all.
TIGHTER_WHEN_LOWER = frozenset(
    {
        "connect_timeout",
        "timeout",
        "retries",
        "max_retry_after",
        "retry_backoff",
        "max_redirects",
        "max_body_bytes",
        "max_page_bytes",
        "max_url_length",
        "max_lookups",
        "max_urls",
        "max_bytes_per_text",
        "max_text_chars",
        "max_references",
        "deadline",
        "workers",
    }
)
# Permissions a found file may withhold, never grant.
TIGHTER_WHEN_FALSE = frozenset({"allow_private_urls"})
# Checks a found file may demand, never waive: strict makes every noted difference an alarm.
TIGHTER_WHEN_TRUE = frozenset({"strict"})

# What has been warned about in this process: (file, refused keys).
_warned: set[tuple[Path, tuple[str, ...]]] = set()
_warned_lock = threading.Lock()


def screened(
    model: type[BaseModel],
    path: Path,
    settings: Mapping[str, Any],
    baseline: Mapping[str, Any],
    user_file: Path,
) -> dict[str, Any]:
    """The `settings` of the found file at `path` that it may set, given the user's own
    settings `baseline`; the others are dropped with a warning (`warn_refused`).
    `settings` must be valid for `model` (configfile.read_settings checks them)."""
    found, own = model(**settings), model(**baseline)
    refused = [
        name for name in settings if not allowed(name, getattr(found, name), getattr(own, name))
    ]
    if refused:
        warn_refused(path, refused, user_file)
    return {name: value for name, value in settings.items() if name not in refused}


def allowed(name: str, value: Any, own: Any) -> bool:
    """Whether a found file may set `name` to `value` when the user's own value is `own`."""
    if name in PROJECT_SETTINGS:
        return True
    if name in TIGHTER_WHEN_LOWER:
        return _bound(value) <= _bound(own)
    if name in TIGHTER_WHEN_FALSE:
        return not value or bool(own)
    if name in TIGHTER_WHEN_TRUE:
        return bool(value) or not own
    return False


def _bound(value: float | None) -> float:
    return math.inf if value is None else value


def warn_refused(path: Path, names: list[str], user_file: Path) -> None:
    """One warning line naming the file, the refused keys and how to allow them; once per
    file and keys in a process (a program may load its Config many times)."""
    keys = tuple(sorted(name.replace("_", "-") for name in names))
    if not _first_time(path, keys):
        return
    logger.warning(
        "%s: ignored %s: a configuration file found in the checked tree may not redirect "
        "requests or files, or loosen security and limits; to use it as it is, name it "
        "with --config %s (or FACTCHECK_CONFIG), or set these in %s, the environment or "
        "on the command line",
        path,
        ", ".join(keys),
        path,
        user_file,
    )


def contained(found: Path, directory: Path) -> bool:
    """Whether the file `found` in `directory` really lives there: a link that leads out
    of `directory` does not."""
    return found.resolve().is_relative_to(directory.resolve())


def warn_outside(found: Path) -> None:
    """One warning that the found file `found` is not read (see `contained`)."""
    if not _first_time(found, ()):
        return
    logger.warning(
        "%s: not read: it links to %s, outside the directory it was found in; name the "
        "file you mean explicitly (--config, --ignore-file)",
        found,
        found.resolve(),
    )


def _first_time(path: Path, keys: tuple[str, ...]) -> bool:
    with _warned_lock:
        if (path, keys) in _warned:
            return False
        _warned.add((path, keys))
        return True
