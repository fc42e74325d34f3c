"""Beschikkingen on verloonde uren (rekenregels §7): per plaatsing in a letter its
``urenbasis`` (contract or verloond; existing rows contract: every letter so far was on
contracturen) and ``uurbedrag_cent``, the subsidy per verloond uur the letter stated (exact, in
cents; NULL on contracturen). Change detection compares the hourly amount of the last letter
with the one calculated now; the month's hours are no decision.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-09
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # in place, with the CHECKs in the column definitions (SQLite's ADD COLUMN allows them):
    # no copy of a table that holds a row per plaatsing per letter
    op.add_column("beschikking_plaatsing", sa.Column(
        "urenbasis", sa.String(10),
        sa.CheckConstraint("urenbasis IN ('contract', 'verloond')", name="ck_beschikking_plaatsing_urenbasis"),
        nullable=False, server_default="contract"))
    op.add_column("beschikking_plaatsing", sa.Column(
        "uurbedrag_cent", sa.Numeric(20, 10),
        sa.CheckConstraint("(urenbasis = 'verloond') = (uurbedrag_cent IS NOT NULL)",
                           name="ck_beschikking_plaatsing_uurbedrag"),
        nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("beschikking_plaatsing") as batch:
        batch.drop_constraint("ck_beschikking_plaatsing_uurbedrag", type_="check")
        batch.drop_constraint("ck_beschikking_plaatsing_urenbasis", type_="check")
        batch.drop_column("uurbedrag_cent")
        batch.drop_column("urenbasis")
