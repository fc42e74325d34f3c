"""Bitemporal fact tables (werkgever, werknemer, plaatsing, loonwaarde, urenwijziging) and
import_batch.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.String(64)
UREN = sa.Numeric(6, 2)


def _fact_columns() -> list[sa.Column]:
    """Surrogate key, import and transaction time: the same on every fact table."""
    return [
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("import_id", sa.Integer(), sa.ForeignKey("import_batch.id"), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False, unique=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("files", sa.Text(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
    )
    op.create_table(
        "werkgever",
        *_fact_columns(),
        sa.Column("werkgever_id", ID, nullable=False),
        sa.Column("naam", sa.String(200), nullable=False),
        sa.Column("kvk", sa.String(8), nullable=False),
        sa.Column("iban", sa.String(34), nullable=False),
        sa.Column("bic", sa.String(11), nullable=True),
        sa.Column("straat", sa.String(200), nullable=False),
        sa.Column("huisnummer", sa.String(20), nullable=False),
        sa.Column("postcode", sa.String(7), nullable=False),
        sa.Column("plaats", sa.String(100), nullable=False),
    )
    op.create_index("ix_werkgever_key_recorded", "werkgever", ["werkgever_id", "recorded_at"],
                    unique=True)
    op.create_table(
        "werknemer",
        *_fact_columns(),
        sa.Column("werknemer_id", ID, nullable=False),
        sa.Column("bsn", sa.String(9), nullable=False),
        sa.Column("naam", sa.String(200), nullable=False),
        sa.Column("geboortedatum", sa.Date(), nullable=False),
    )
    op.create_index("ix_werknemer_key_recorded", "werknemer", ["werknemer_id", "recorded_at"],
                    unique=True)
    op.create_table(
        "plaatsing",
        *_fact_columns(),
        sa.Column("plaatsing_id", ID, nullable=False),
        sa.Column("werknemer_id", ID, nullable=False),
        sa.Column("werkgever_id", ID, nullable=False),
        sa.Column("regeling", sa.String(20), nullable=False),
        sa.Column("startdatum", sa.Date(), nullable=False),
        sa.Column("einddatum", sa.Date(), nullable=True),
        sa.Column("contracturen", UREN, nullable=False),
        sa.Column("voltijdsuren", UREN, nullable=False),
        sa.CheckConstraint("regeling IN ('lks', 'beschut', 'ontwikkelbaan')",
                           name="ck_plaatsing_regeling"),
        sa.CheckConstraint("einddatum IS NULL OR einddatum >= startdatum",
                           name="ck_plaatsing_periode"),
        sa.CheckConstraint("contracturen >= 0", name="ck_plaatsing_contracturen"),
        sa.CheckConstraint("voltijdsuren > 0", name="ck_plaatsing_voltijdsuren"),
    )
    op.create_index("ix_plaatsing_key_recorded", "plaatsing", ["plaatsing_id", "recorded_at"],
                    unique=True)
    op.create_table(
        "loonwaarde",
        *_fact_columns(),
        sa.Column("plaatsing_id", ID, nullable=False),
        sa.Column("ingangsdatum", sa.Date(), nullable=False),
        sa.Column("loonwaarde", sa.Numeric(5, 2), nullable=False),
        sa.CheckConstraint("loonwaarde >= 0 AND loonwaarde <= 100", name="ck_loonwaarde_bereik"),
    )
    op.create_index("ix_loonwaarde_key_recorded", "loonwaarde",
                    ["plaatsing_id", "ingangsdatum", "recorded_at"], unique=True)
    op.create_table(
        "urenwijziging",
        *_fact_columns(),
        sa.Column("plaatsing_id", ID, nullable=False),
        sa.Column("ingangsdatum", sa.Date(), nullable=False),
        sa.Column("contracturen", UREN, nullable=False),
        sa.Column("voltijdsuren", UREN, nullable=False),
        sa.CheckConstraint("contracturen >= 0", name="ck_urenwijziging_contracturen"),
        sa.CheckConstraint("voltijdsuren > 0", name="ck_urenwijziging_voltijdsuren"),
    )
    op.create_index("ix_urenwijziging_key_recorded", "urenwijziging",
                    ["plaatsing_id", "ingangsdatum", "recorded_at"], unique=True)


def downgrade() -> None:
    for table in ("urenwijziging", "loonwaarde", "plaatsing", "werknemer", "werkgever",
                  "import_batch"):
        op.drop_table(table)
