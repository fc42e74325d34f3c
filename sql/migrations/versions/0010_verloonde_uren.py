"""Verloonde uren (rekenregels §7): ``plaatsing.urenbasis`` (contract or verloond, existing
plaatsingen contract) and the fact table ``verloonde_uren`` (hours per plaatsing per month per
the loonstrook, bitemporal, withdrawable like the other facts of a plaatsing).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # in place, with the CHECK in the column definition (SQLite's ADD COLUMN allows it): a
    # fact table can be large, copying it buys nothing
    op.add_column("plaatsing", sa.Column(
        "urenbasis", sa.String(10), sa.CheckConstraint("urenbasis IN ('contract', 'verloond')",
                                                       name="ck_plaatsing_urenbasis"),
        nullable=False, server_default="contract"))
    op.create_table(
        "verloonde_uren",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("import_batch.id"), nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("plaatsing_id", sa.String(64), nullable=False),
        sa.Column("periode", sa.String(7), nullable=False),
        sa.Column("uren", sa.Numeric(6, 2), nullable=False),
        sa.Column("ingetrokken", sa.Text, nullable=True),
        sa.CheckConstraint("uren >= 0", name="ck_verloonde_uren_uren"),
    )
    op.create_index("ix_verloonde_uren_key_recorded", "verloonde_uren", ["plaatsing_id", "periode", "recorded_at"],
                    unique=True)


def downgrade() -> None:
    op.drop_index("ix_verloonde_uren_key_recorded", table_name="verloonde_uren")
    op.drop_table("verloonde_uren")
    with op.batch_alter_table("plaatsing") as batch:
        batch.drop_constraint("ck_plaatsing_urenbasis", type_="check")
        batch.drop_column("urenbasis")
