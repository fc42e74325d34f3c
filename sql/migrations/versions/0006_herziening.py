"""Herziene vaststelling (Awb art. 4:49): beschikking.herziet_kenmerk, the kenmerk of the
vaststelling a herziening replaces, unique (replaced at most once).

Added in place, without copying the table: a nullable column with an inline REFERENCES
clause (SQLite's ALTER TABLE ADD COLUMN allows that; PostgreSQL too) and a unique index (NULLs
do not collide on either backend). Existing rows get NULL: none of them is a herziening.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "beschikking",
        sa.Column("herziet_kenmerk", sa.String(length=32),
                  sa.ForeignKey("beschikking.kenmerk"),
                  nullable=True),
        inline_references=True)
    op.create_index("uq_beschikking_herziet_kenmerk", "beschikking", ["herziet_kenmerk"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_beschikking_herziet_kenmerk", table_name="beschikking")
    # in place as well (SQLite 3.35+ drops a column natively): copying the table would drop
    # and recreate the parent of beschikking_plaatsing, which foreign keys forbid
    op.drop_column("beschikking", "herziet_kenmerk")
