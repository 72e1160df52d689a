"""claims.fact_check_*: the verdict of an imported schema.org ClaimReview

A fact-checker's ClaimReview says what they concluded about a claim ("False", "Mostly true",
or a rating such as 2 of 5), who they are and when they published it. Stored with the claim
so every surface can show it when a later statement matches; the review's url is the claim's
source_url (and its external id), so re-importing it updates these columns. Nullable: claims
found in articles, and archive lines without a review, have none.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("fact_check_verdict", sa.Text()),
    ("fact_check_by", sa.String(length=300)),
    ("fact_check_date", sa.Date()),
    ("fact_check_rating", sa.Float()),
    ("fact_check_best", sa.Float()),
    ("fact_check_worst", sa.Float()),
)


def upgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
