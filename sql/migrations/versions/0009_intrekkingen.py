"""Withdrawing a fact imported by mistake (intrekkingen.csv, interfaces §2) and the
intrekkingsbeschikking (Awb art. 4:48).

- ``ingetrokken`` (nullable text, the reason) on every fact table a delivery can withdraw:
  plaatsing, loonwaarde, urenwijziging, and verloonde_uren where that table exists (it comes
  with another revision; whichever runs second adds the column). A withdrawal is a new
  version of the natural key; existing rows get NULL: none of them withdraws anything.
- beschikking.soort admits ``intrekking``. SQLite cannot alter a CHECK constraint, so the
  table is copied (batch mode); env.py switches foreign keys off around the migration and
  checks every reference (beschikking_plaatsing → beschikking, the herziening →
  beschikking) before the commit.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

INTREKBAAR = ("plaatsing", "loonwaarde", "urenwijziging", "verloonde_uren")
OUD = "soort IN ('verlening', 'wijziging', 'beeindiging', 'vaststelling')"
NIEUW = "soort IN ('verlening', 'wijziging', 'beeindiging', 'vaststelling', 'intrekking')"


def _tabellen() -> list[str]:
    bestaand = set(sa.inspect(op.get_bind()).get_table_names())
    return [t for t in INTREKBAAR if t in bestaand]


def _soort(check: str) -> None:
    with op.batch_alter_table("beschikking") as batch:
        batch.drop_constraint("ck_beschikking_soort", type_="check")
        batch.create_check_constraint("ck_beschikking_soort", check)


def upgrade() -> None:
    for table in _tabellen():
        op.add_column(table, sa.Column("ingetrokken", sa.Text, nullable=True))
    _soort(NIEUW)


def downgrade() -> None:
    _soort(OUD)
    for table in _tabellen():
        with op.batch_alter_table(table) as batch:
            batch.drop_column("ingetrokken")
