"""SQLite full text: a contentless FTS5 table with the tenant as an indexed token

With the tenant in the full-text index, a query for one tenant intersects posting lists
(``tenant : t5 AND (...)``) instead of walking every tenant's matches, so text search on
a small tenant stays fast and complete next to a tenant with a million claims.
PostgreSQL is unchanged (its GIN expression index is filtered by tenant_id in SQL).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DROP_0001 = [
    "DROP TRIGGER IF EXISTS claims_fts_au",
    "DROP TRIGGER IF EXISTS claims_fts_ad",
    "DROP TRIGGER IF EXISTS claims_fts_ai",
    "DROP TABLE IF EXISTS claims_fts",
]

CREATE_0003 = [
    "CREATE VIRTUAL TABLE claims_fts USING fts5(text, tenant, content='', tokenize='porter unicode61')",
    "CREATE TRIGGER claims_fts_ai AFTER INSERT ON claims BEGIN "
    "INSERT INTO claims_fts(rowid, text, tenant) VALUES (new.id, new.text, 't' || new.tenant_id); END",
    "CREATE TRIGGER claims_fts_ad AFTER DELETE ON claims BEGIN "
    "INSERT INTO claims_fts(claims_fts, rowid, text, tenant) "
    "VALUES ('delete', old.id, old.text, 't' || old.tenant_id); END",
    "CREATE TRIGGER claims_fts_au AFTER UPDATE OF text, tenant_id ON claims BEGIN "
    "INSERT INTO claims_fts(claims_fts, rowid, text, tenant) "
    "VALUES ('delete', old.id, old.text, 't' || old.tenant_id); "
    "INSERT INTO claims_fts(rowid, text, tenant) VALUES (new.id, new.text, 't' || new.tenant_id); END",
    "INSERT INTO claims_fts(rowid, text, tenant) SELECT id, text, 't' || tenant_id FROM claims",
]

CREATE_0001 = [
    "CREATE VIRTUAL TABLE claims_fts USING fts5("
    "text, content='claims', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER claims_fts_ai AFTER INSERT ON claims BEGIN "
    "INSERT INTO claims_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER claims_fts_ad AFTER DELETE ON claims BEGIN "
    "INSERT INTO claims_fts(claims_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER claims_fts_au AFTER UPDATE OF text ON claims BEGIN "
    "INSERT INTO claims_fts(claims_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO claims_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO claims_fts(claims_fts) VALUES ('rebuild')",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in DROP_0001 + CREATE_0003:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in DROP_0001 + CREATE_0001:
            op.execute(statement)
