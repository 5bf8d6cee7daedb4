"""Reading media types from `Content-Type` and choosing one from `Accept` (RFC 9110 8.3, 12.5.1).

The caller says which types it can produce and may pass aliases (bare names
such as `csv` that some clients send); nothing here knows what the types are.
"""

from typing import Mapping, Optional, Sequence

from ..errors import NotAcceptable

NO_ALIASES: Mapping[str, str] = {}


def media_type(value: str, aliases: Mapping[str, str] = NO_ALIASES) -> str:
    """`'Application/JSON; charset=utf-8'` -> `'application/json'`; an alias -> what it stands for."""
    kind = value.split(";", 1)[0].strip().lower()
    return aliases.get(kind, kind)


def _quality(params: Sequence[str]) -> float:
    q = 1.0
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value)
            except ValueError:
                q = 0.0
    return q


def choose_accept(header: str, default: str, supported: Sequence[str], aliases: Mapping[str, str] = NO_ALIASES) -> str:
    """Pick the response type among `supported` from an `Accept` header.

    The highest q-value wins; of types with equal q-values the one listed first.
    `*/*` (or no header) means `default`; `type/*` means `default` when it
    matches, else the first supported type that does.

    Raises:
        NotAcceptable: when the header names only types this server cannot produce.
    """
    if not header or header.strip() in ("*/*", ""):
        return default
    best: Optional[str] = None
    best_q = 0.0
    for item in header.split(","):
        parts = item.split(";")
        kind = parts[0].strip().lower()
        kind = aliases.get(kind, kind)
        q = _quality(parts[1:]) if len(parts) > 1 else 1.0
        if q <= 0:
            continue
        candidate: Optional[str]
        if kind in ("*/*", "*"):
            candidate = default
        elif kind.endswith("/*"):
            prefix = kind[:-1]
            matching = [t for t in supported if t.startswith(prefix)]
            candidate = default if default.startswith(prefix) else (matching[0] if matching else None)
        else:
            candidate = kind if kind in supported else None
        if candidate and q > best_q:  # strictly greater: an equal q keeps the earlier type
            best, best_q = candidate, q
    if best is None:
        raise NotAcceptable(f"cannot produce {header.strip()!r}; supported: {', '.join(supported)}")
    return best
