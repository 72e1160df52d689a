"""Public ids: a one-letter kind prefix and the integer primary key ("c42" is claim 42).

Primary keys are global (not per tenant), so an id is unique across tenants; every lookup
still filters by tenant, so a guessed id from another tenant finds nothing.
"""

from __future__ import annotations

ARTICLE = "a"
CLAIM = "c"
SPEAKER = "s"
FOLLOW_ALERT = "f"  # a follow alert's delivery row (storage/follows.py)


def public_id(kind: str, pk: int) -> str:
    return f"{kind}{pk}"


def parse_id(kind: str, value: str | None) -> int | None:
    """The primary key inside ``value``, or None when it is not an id of that kind."""
    if not value or not value.startswith(kind):
        return None
    digits = value[len(kind) :]
    if not digits.isascii() or not digits.isdigit():
        return None
    pk = int(digits)
    return pk if 0 < pk < 2**63 else None


__all__ = ["ARTICLE", "CLAIM", "FOLLOW_ALERT", "SPEAKER", "parse_id", "public_id"]
