"""``SqlStore``: the ClaimStore, TenantConfigStore and FollowStore ports on SQLite or PostgreSQL.

One object for the rest of the code, assembled from one repository per concern; each
repository adds its queries to the engine, transactions and tenant rows of
:class:`storage.tenants.StoreBase`:

* :mod:`storage.articles_repo` — storing a checked article with its claims; duplicates
* :mod:`storage.claims_repo` — importing known claims; every read of stored claims
* :mod:`storage.speakers_repo` — speakers and their aliases
* :mod:`storage.vector_search` — nearest claims, through the per-tenant vector index cache
* :mod:`storage.lexical_search` — full-text search
* :mod:`storage.deliveries` — channel watches and delivery deduplication
* :mod:`storage.digests` — digest schedules and the exactly-once bookkeeping of posts
* :mod:`storage.follows` — follows of speakers and the exactly-once bookkeeping of their alerts
* :mod:`storage.tenants` — per-tenant settings
"""

from __future__ import annotations

import logging

from storage.articles_repo import ArticleRepo, normalise_article_url
from storage.claims_repo import ClaimRepo
from storage.deliveries import DeliveryRepo
from storage.digests import DigestRepo
from storage.follows import FollowRepo
from storage.lexical_search import LexicalSearchRepo
from storage.tenants import TenantSettingsRepo

log = logging.getLogger(__name__)


class SqlStore(
    ArticleRepo, ClaimRepo, LexicalSearchRepo, DeliveryRepo, DigestRepo, FollowRepo, TenantSettingsRepo
):
    """``ClaimStore``, ``TenantConfigStore`` and ``FollowStore`` in one object
    (see :func:`storage.open_store`)."""


__all__ = ["SqlStore", "normalise_article_url"]
