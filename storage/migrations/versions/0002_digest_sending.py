"""digest_posts.sending_at and attempts: crash-safe weekly digests

``sending_at`` is written just before a digest is posted: a claim whose owner died before
that mark is taken over after a timeout (nothing was sent); one with the mark is never
taken over (the post may have gone out). ``attempts`` counts take-overs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("digest_posts") as batch:
        batch.add_column(sa.Column("sending_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("digest_posts") as batch:
        batch.drop_column("attempts")
        batch.drop_column("sending_at")
