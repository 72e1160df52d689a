"""Errors the core raises. ``BadInput`` is the user's to fix; everything else is ours."""

from __future__ import annotations


class ClaimbotError(Exception):
    """Base class for every error raised on purpose by claimbot."""


class BadInput(ClaimbotError):
    """Input we refuse, with a one-line reason a user can act on (CLI exit code 2)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class LinkRefused(BadInput):
    """A URL the fetcher will not (or could not) read: private address, too big, wrong type..."""


class NotEnglish(BadInput):
    """The text is not English; we say so rather than invent claims."""


class StorageUnavailable(ClaimbotError):
    """The database cannot be reached; nothing was stored and the request can be retried."""


# what a chat user is told on ``StorageUnavailable``: one sentence, the same on every platform
STORAGE_UNAVAILABLE_REPLY = "The database is unavailable, try again shortly."


class ArticleAlreadyStored(ClaimbotError):
    """Another request stored the same article (same text or link) while this one was analysing it.

    The store raises it after waiting for that request's transaction; nothing was stored.
    The service then reports the article as already checked.
    """

    def __init__(self, article_id: str) -> None:
        super().__init__(f"article {article_id} was stored by another request at the same moment")
        self.article_id = article_id


class QueueFull(ClaimbotError):
    """The check queue is at capacity; the caller should tell the user to retry shortly."""
