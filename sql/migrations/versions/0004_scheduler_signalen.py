"""Scheduler lock and signalen (werklijst).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SOORTEN = ("herbeoordeling_loonwaarde", "forfait_eindigt", "ontwikkelbaan_eindigt",
           "geen_loonwaarde_na_forfait", "beschikking_ontbreekt", "betaalrun_niet_goedgekeurd")


def upgrade() -> None:
    op.create_table(
        "signaal",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("soort", sa.String(length=40), nullable=False),
        sa.Column("plaatsing_id", sa.String(length=64), nullable=True),
        sa.Column("werkgever_id", sa.String(length=64), nullable=True),
        sa.Column("betaalrun_id", sa.Integer(), nullable=True),
        sa.Column("sleutel", sa.String(length=200), nullable=False),
        sa.Column("omschrijving", sa.Text(), nullable=False),
        sa.Column("vervaldatum", sa.Date(), nullable=True),
        sa.Column("gemaakt_op", sa.DateTime(), nullable=False),
        sa.Column("opgelost_op", sa.DateTime(), nullable=True),
        sa.Column("opgelost_door", sa.String(length=100), nullable=True),
        sa.Column("toelichting", sa.Text(), nullable=True),
        sa.CheckConstraint(f"soort IN ({', '.join(repr(s) for s in SOORTEN)})", name="ck_signaal_soort"),
        sa.CheckConstraint("(opgelost_op IS NULL) = (opgelost_door IS NULL)", name="ck_signaal_opgelost"),
        sa.ForeignKeyConstraint(["betaalrun_id"], ["betaalrun.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sleutel"),
    )
    op.create_index("ix_signaal_open", "signaal", ["opgelost_op", "soort"], unique=False)
    op.create_table(
        "scheduler_lock",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("acquired_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("scheduler_lock")
    op.drop_index("ix_signaal_open", table_name="signaal")
    op.drop_table("signaal")
