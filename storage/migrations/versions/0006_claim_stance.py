"""claims.stance: what the speaker does with the statement (asserts, denies, declines, asks)

"Whitfield denied that the council had delayed the repairs" is stored as the proposition
"the council had delayed the repairs" with stance "denies": every surface says so, and a
later admission of the same proposition is a change, not a repeat. Rows stored before this
revision were all read as assertions, which is what they become.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("stance", sa.String(length=16), nullable=False, server_default="asserts"))


def downgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("stance")
