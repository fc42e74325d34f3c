"""Werkgeversportaal: what a werkgever reports (end of employment, contracturen, a new bank
account, hours above the month's maximum) and a medewerker accepts or rejects.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "werkgever_melding",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("werkgever_id", sa.String(64), nullable=False),
        sa.Column("soort", sa.String(20), nullable=False),
        sa.Column("plaatsing_id", sa.String(64)),
        sa.Column("gegevens", sa.Text, nullable=False),
        sa.Column("toelichting", sa.Text),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("ingediend_door", sa.String(100), nullable=False),
        sa.Column("ingediend_op", sa.DateTime, nullable=False),
        sa.Column("beoordeeld_door", sa.String(100)),
        sa.Column("beoordeeld_op", sa.DateTime),
        sa.Column("reden", sa.Text),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("import_batch.id")),
        sa.CheckConstraint("soort IN ('einde', 'contracturen', 'rekening', 'verloonde_uren')",
                           name="ck_werkgever_melding_soort"),
        sa.CheckConstraint("status IN ('wacht', 'geaccepteerd', 'afgewezen')", name="ck_werkgever_melding_status"),
        sa.CheckConstraint("beoordeeld_door IS NULL OR beoordeeld_door <> ingediend_door",
                           name="ck_werkgever_melding_ander"),
        sa.CheckConstraint("status <> 'afgewezen' OR reden IS NOT NULL", name="ck_werkgever_melding_reden"),
    )
    op.create_index("ix_werkgever_melding_werkgever", "werkgever_melding", ["werkgever_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_werkgever_melding_werkgever", table_name="werkgever_melding")
    op.drop_table("werkgever_melding")
