"""The one place where settings, storage, NLP, embeddings and fetching are wired together.

Models load lazily: ``claimbot speakers`` or a Slack ``/claims help`` never pays for
spaCy or MiniLM, and a bot starts answering before its models are warm.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Generic, TypeVar, cast

import numpy as np
import numpy.typing as npt

from bot.digest import RecentDigests
from bot.matching.compare import MatchThresholds, PairScorer
from bot.models import ExtractedClaim
from bot.ports import ClaimExtractor, ClaimStore, Encoder, Fetcher, FollowStore, TenantConfigStore
from bot.queue import CheckQueue
from bot.service import ClaimService, ServiceLimits
from bot.settings import Settings, load_settings

log = logging.getLogger(__name__)

T = TypeVar("T")


class _Lazy(Generic[T]):
    def __init__(self, factory: Callable[[], T], what: str) -> None:
        self._factory = factory
        self._what = what
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        if self._value is None:
            with self._lock:
                if self._value is None:
                    log.info("loading %s", self._what)
                    self._value = self._factory()
        return self._value

    @property
    def loaded(self) -> bool:
        return self._value is not None


class LazyExtractor:
    def __init__(self, factory: Callable[[], ClaimExtractor]) -> None:
        self._lazy = _Lazy(factory, "NLP pipeline")

    def extract(self, text: str) -> list[ExtractedClaim]:
        return self._lazy.get().extract(text)

    def extract_many(self, texts: Sequence[str]) -> list[list[ExtractedClaim]]:
        return self._lazy.get().extract_many(texts)

    def warm(self) -> None:
        warm = getattr(self._lazy.get(), "warm", None)
        if callable(warm):
            warm()


class LazyEncoder:
    def __init__(self, factory: Callable[[], Encoder]) -> None:
        self._lazy = _Lazy(factory, "sentence encoder")

    @property
    def dim(self) -> int:
        return self._lazy.get().dim

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self._lazy.get().encode(texts)

    def warm(self) -> None:
        self._lazy.get()


@dataclass
class App:
    settings: Settings
    service: ClaimService
    config: TenantConfigStore
    queue: CheckQueue

    @cached_property
    def digests(self) -> RecentDigests:
        """``/claims digest now`` and ``claimbot digest``: a tenant's last seven days."""
        return RecentDigests(
            store=self.service.store, config=self.config, default_timezone=self.settings.digest_timezone
        )

    def warm(self) -> None:
        """Loads the models now (bots call this at start so the first reply is not slow)."""
        for part in (self.service.extractor, self.service.encoder, self.service.judge):
            warm = getattr(part, "warm", None)
            if callable(warm):
                warm()

    def close(self) -> None:
        self.queue.close(wait=False)
        close = getattr(self.service.store, "close", None)
        if callable(close):
            close()


def configure_bot_logging(settings: Settings) -> None:
    """A bot logs at ``CLAIMBOT_LOG_LEVEL`` (INFO by default) even without ``-v``: its start-up
    line (which platform, which mode) and each failed connection attempt are for the operator."""
    level = logging.getLevelName(settings.log_level)
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    elif root.level > level:
        root.setLevel(level)
    if level > logging.DEBUG:  # Alembic's plugin list at each start is noise; its migrations are not
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def _default_extractor(settings: Settings) -> ClaimExtractor:
    from bot.inference.extractor import load_extractor

    return load_extractor(settings)


def _default_encoder(settings: Settings) -> Encoder:
    from transformers.utils import logging as transformers_logging

    from bot.inference.encoder import load_encoder

    # a weights-loading progress bar is noise in a CLI's stderr and in a bot's logs
    transformers_logging.disable_progress_bar()
    return load_encoder(settings)


def _default_judge(settings: Settings) -> PairScorer | None:
    from bot.inference.judge import load_judge

    return load_judge(settings) if settings.pair_judge else None


def _as_follow_store(store: object) -> FollowStore | None:
    if all(callable(getattr(store, name, None)) for name in ("follows", "queue_follow_alerts")):
        return cast(FollowStore, store)
    return None


def bootstrap(
    settings: Settings | None = None,
    *,
    store: ClaimStore | None = None,
    config: TenantConfigStore | None = None,
    extractor: ClaimExtractor | None = None,
    encoder: Encoder | None = None,
    fetcher: Fetcher | None = None,
    judge: PairScorer | None = None,
    follows: FollowStore | None = None,
) -> App:
    """Builds the application; every dependency can be replaced (tests pass fakes of our ports)."""
    settings = settings or load_settings()
    if store is None or config is None:
        from storage import open_store

        sql_store = open_store(settings)
        store = store or sql_store
        config = config or sql_store
    if follows is None:
        # the SQL store keeps follows beside the claims they are about; fakes of ours may not
        follows = _as_follow_store(store)
    if fetcher is None:
        from adapters.fetcher import SafeFetcher

        fetcher = SafeFetcher.from_settings(settings)
    service = ClaimService(
        store=store,
        extractor=extractor or LazyExtractor(lambda: _default_extractor(settings)),
        encoder=encoder or LazyEncoder(lambda: _default_encoder(settings)),
        fetcher=fetcher,
        # the shipped pair judge goes with the shipped encoder (a fake encoder gets none unless given)
        judge=judge or (_default_judge(settings) if encoder is None else None),
        thresholds=MatchThresholds.from_settings(settings),
        limits=ServiceLimits(
            max_text_chars=settings.max_text_chars,
            max_sentence_chars=settings.max_sentence_chars,
            candidates_k=settings.candidates_k,
        ),
        follows=follows,
    )
    queue = CheckQueue(workers=settings.workers, capacity=settings.queue_size)
    return App(settings=settings, service=service, config=config, queue=queue)
