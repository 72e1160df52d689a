"""claims.title: the headline of an imported fact-check

A fact-check archive gives each verified claim a headline ("Did 122 Prisoners Released from
Guantanamo ... Return to the Battlefield?") that is often worded like the posts that repeat it;
search ranks by it as well as by the claim. Claims extracted from articles have none.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("title", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("title")
