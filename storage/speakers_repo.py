"""Speakers: who said it, one row per person or body per tenant, found by any of their names.

A name is looked up by its normalised form among the tenant's aliases; a new name creates
the speaker, and a fuller form of a person's name ("Donald Trump" after "Trump") becomes
the name shown.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.known_speakers import fuller_name, normalise_name
from bot.models import Speaker, SpeakerKind
from storage import ids
from storage.tables import T_ALIASES, T_SPEAKERS, utcnow
from storage.tenants import StoreBase

log = logging.getLogger(__name__)


class SpeakerRepo(StoreBase):
    def _resolve_speaker(
        self,
        conn: Connection,
        tenant_id: int,
        name: str | None,
        kind: SpeakerKind,
        aliases: Sequence[str],
        cache: dict[str, int],
    ) -> int | None:
        """The speaker known by ``name`` (canonical name or alias), created when new; records aliases."""
        if not name or not name.strip():
            return None
        key = normalise_name(name)
        if not key:
            return None
        new_aliases: dict[str, str] = {}
        speaker_id = cache.get(key)
        if speaker_id is None:
            speaker_id = conn.execute(
                sa.select(T_ALIASES.c.speaker_id).where(
                    T_ALIASES.c.tenant_id == tenant_id, T_ALIASES.c.alias_norm == key
                )
            ).scalar()
            if speaker_id is None:
                speaker_id = self._speaker_named_shorter(conn, tenant_id, name, aliases)
            if speaker_id is None:
                speaker_id = conn.execute(
                    sa.insert(T_SPEAKERS)
                    .values(
                        tenant_id=tenant_id, name=" ".join(name.split()), kind=str(kind), created_at=utcnow()
                    )
                    .returning(T_SPEAKERS.c.id)
                ).scalar_one()
                conn.execute(
                    sa.insert(T_ALIASES).values(
                        tenant_id=tenant_id,
                        speaker_id=speaker_id,
                        alias=" ".join(name.split()),
                        alias_norm=key,
                    )
                )
            else:
                if kind is not SpeakerKind.UNKNOWN:
                    conn.execute(
                        sa.update(T_SPEAKERS)
                        .where(T_SPEAKERS.c.id == speaker_id, T_SPEAKERS.c.kind == str(SpeakerKind.UNKNOWN))
                        .values(kind=str(kind))
                    )
                self._show_fuller_name(conn, speaker_id, name)
                # the name it was found by is one of its names from now on: a speaker stored as
                # "Clinton" and shown as "Hillary Clinton" is found by "Hillary Clinton" next time
                # (else the next article naming her so would create a second Hillary Clinton)
                new_aliases[key] = " ".join(name.split())
            cache[key] = speaker_id
        for alias in aliases:
            alias_key = normalise_name(alias)
            if alias_key and alias_key != key and alias_key not in cache:
                new_aliases[alias_key] = " ".join(alias.split())
        if new_aliases:
            # an alias already taken by another speaker stays with its first owner
            conn.execute(
                self._insert(T_ALIASES).on_conflict_do_nothing(index_elements=["tenant_id", "alias_norm"]),
                [
                    {"tenant_id": tenant_id, "speaker_id": speaker_id, "alias": alias, "alias_norm": akey}
                    for akey, alias in new_aliases.items()
                ],
            )
        return speaker_id

    @staticmethod
    def _speaker_named_shorter(
        conn: Connection, tenant_id: int, name: str, aliases: Sequence[str]
    ) -> int | None:
        """The stored person whose name is a shorter form of ``name`` that the article also used
        ("Trump" stored, "Donald Trump" with the alias "Trump" arriving): one person, not two."""
        keys = [k for k in (normalise_name(a) for a in aliases) if k]
        if not keys:
            return None
        rows = conn.execute(
            sa.select(T_SPEAKERS.c.id, T_SPEAKERS.c.name)
            .join(T_ALIASES, T_ALIASES.c.speaker_id == T_SPEAKERS.c.id)
            .where(T_ALIASES.c.tenant_id == tenant_id, T_ALIASES.c.alias_norm.in_(keys))
        ).all()
        found = {row.id for row in rows if fuller_name(row.name, name) != row.name}
        return found.pop() if len(found) == 1 else None

    @staticmethod
    def _show_fuller_name(conn: Connection, speaker_id: int, name: str) -> None:
        """A person first stored as "Trump" is shown as "Donald Trump" once that is seen."""
        row = conn.execute(
            sa.select(T_SPEAKERS.c.name, T_SPEAKERS.c.kind).where(T_SPEAKERS.c.id == speaker_id)
        ).one()
        if row.kind not in (str(SpeakerKind.PERSON), str(SpeakerKind.UNKNOWN)):
            return
        fuller = fuller_name(row.name, name)
        if fuller != row.name:
            conn.execute(sa.update(T_SPEAKERS).where(T_SPEAKERS.c.id == speaker_id).values(name=fuller))

    def speakers(self, *, tenant: str) -> list[Speaker]:
        ref = self._tenant(tenant, create=False)
        if ref is None:
            return []
        with self._read() as conn:
            rows = conn.execute(
                sa.select(T_SPEAKERS.c.id, T_SPEAKERS.c.name, T_SPEAKERS.c.kind)
                .where(T_SPEAKERS.c.tenant_id == ref.id)
                .order_by(T_SPEAKERS.c.name, T_SPEAKERS.c.id)
            ).all()
            alias_rows = conn.execute(
                sa.select(T_ALIASES.c.speaker_id, T_ALIASES.c.alias)
                .where(T_ALIASES.c.tenant_id == ref.id)
                .order_by(T_ALIASES.c.id)
            ).all()
        aliases: dict[int, list[str]] = {}
        for speaker_id, alias in alias_rows:
            aliases.setdefault(speaker_id, []).append(alias)
        return [
            Speaker(
                id=ids.public_id(ids.SPEAKER, row.id),
                tenant=tenant,
                name=row.name,
                kind=SpeakerKind(row.kind),
                aliases=tuple(
                    a for a in aliases.get(row.id, ()) if normalise_name(a) != normalise_name(row.name)
                ),
            )
            for row in rows
        ]


__all__ = ["SpeakerRepo"]
