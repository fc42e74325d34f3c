"""Controller reconciliation: budgets, ledger bookings, bank statement entries.

Tables budget_jaar, capaciteit_jaar, boeking_import, boeking, bankafschrift, bankmutatie and
ontvangst (lks.db.models_verantwoording). Portable SQL: SQLite and PostgreSQL.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BUDGET_CHECK = "budget IN ('buig', 'reintegratie')"


def upgrade() -> None:
    op.create_table(
        "budget_jaar",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("jaar", sa.Integer(), nullable=False),
        sa.Column("budget", sa.String(length=20), nullable=False),
        sa.Column("bedrag_cent", sa.BigInteger(), nullable=False),
        sa.Column("bron", sa.Text(), nullable=False),
        sa.Column("vastgelegd_door", sa.String(length=100), nullable=False),
        sa.Column("vastgelegd_op", sa.DateTime(), nullable=False),
        sa.CheckConstraint(BUDGET_CHECK, name="ck_budget_jaar_budget"),
        sa.CheckConstraint("bedrag_cent >= 0", name="ck_budget_jaar_bedrag"),
        sa.CheckConstraint("jaar BETWEEN 2000 AND 2100", name="ck_budget_jaar_jaar"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("jaar", "budget", name="uq_budget_jaar"),
    )
    op.create_table(
        "capaciteit_jaar",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("jaar", sa.Integer(), nullable=False),
        sa.Column("soort", sa.String(length=30), nullable=False),
        sa.Column("aantal", sa.Integer(), nullable=False),
        sa.Column("bron", sa.Text(), nullable=False),
        sa.Column("vastgelegd_door", sa.String(length=100), nullable=False),
        sa.Column("vastgelegd_op", sa.DateTime(), nullable=False),
        sa.CheckConstraint("soort IN ('beschut_taakstelling', 'ontwikkelbanen', 'ontwikkelbaan_uren')",
                           name="ck_capaciteit_jaar_soort"),
        sa.CheckConstraint("aantal >= 0", name="ck_capaciteit_jaar_aantal"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("jaar", "soort", name="uq_capaciteit_jaar"),
    )
    op.create_table(
        "boeking_import",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("bestand", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("regels", sa.Integer(), nullable=False),
        sa.Column("ingelezen_door", sa.String(length=100), nullable=False),
        sa.Column("ingelezen_op", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_table(
        "boeking",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("regel", sa.Integer(), nullable=False),
        sa.Column("boekdatum", sa.Date(), nullable=False),
        sa.Column("grootboekrekening", sa.String(length=40), nullable=False),
        sa.Column("budget", sa.String(length=20), nullable=False),
        sa.Column("bedrag_cent", sa.BigInteger(), nullable=False),
        sa.Column("kenmerk", sa.String(length=100), nullable=False),
        sa.Column("omschrijving", sa.Text(), nullable=True),
        sa.CheckConstraint(BUDGET_CHECK, name="ck_boeking_budget"),
        sa.ForeignKeyConstraint(["import_id"], ["boeking_import.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("import_id", "regel", name="uq_boeking_regel"),
    )
    op.create_index("ix_boeking_import_id", "boeking", ["import_id"], unique=False)
    op.create_index("ix_boeking_kenmerk", "boeking", ["kenmerk"], unique=False)
    op.create_table(
        "bankafschrift",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("bestand", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("afschrift_id", sa.String(length=35), nullable=True),
        sa.Column("iban", sa.String(length=34), nullable=True),
        sa.Column("ingelezen_door", sa.String(length=100), nullable=False),
        sa.Column("ingelezen_op", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_table(
        "bankmutatie",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("bankafschrift_id", sa.Integer(), nullable=False),
        sa.Column("regel", sa.Integer(), nullable=False),
        sa.Column("end_to_end_id", sa.String(length=35), nullable=True),
        sa.Column("bedrag_cent", sa.BigInteger(), nullable=False),
        sa.Column("richting", sa.String(length=4), nullable=False),
        sa.Column("datum", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reden", sa.String(length=35), nullable=True),
        sa.Column("tegenpartij", sa.String(length=140), nullable=True),
        sa.CheckConstraint("status IN ('booked', 'rejected', 'returned')", name="ck_bankmutatie_status"),
        sa.CheckConstraint("richting IN ('DBIT', 'CRDT')", name="ck_bankmutatie_richting"),
        sa.CheckConstraint("bedrag_cent >= 0", name="ck_bankmutatie_bedrag"),
        sa.ForeignKeyConstraint(["bankafschrift_id"], ["bankafschrift.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("bankafschrift_id", "regel", name="uq_bankmutatie_regel"),
    )
    op.create_index("ix_bankmutatie_bankafschrift_id", "bankmutatie", ["bankafschrift_id"], unique=False)
    op.create_index("ix_bankmutatie_end_to_end_id", "bankmutatie", ["end_to_end_id"], unique=False)
    op.create_table(
        "ontvangst",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("werkgever_id", sa.String(length=64), nullable=False),
        sa.Column("budget", sa.String(length=20), nullable=False),
        sa.Column("bedrag_cent", sa.BigInteger(), nullable=False),
        sa.Column("datum", sa.Date(), nullable=False),
        sa.Column("vordering_id", sa.Integer(), nullable=True),
        sa.Column("kenmerk", sa.String(length=100), nullable=True),
        sa.Column("vastgelegd_door", sa.String(length=100), nullable=False),
        sa.Column("vastgelegd_op", sa.DateTime(), nullable=False),
        sa.CheckConstraint(BUDGET_CHECK, name="ck_ontvangst_budget"),
        sa.CheckConstraint("bedrag_cent > 0", name="ck_ontvangst_bedrag"),
        sa.ForeignKeyConstraint(["vordering_id"], ["vordering.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ontvangst_werkgever_id", "ontvangst", ["werkgever_id"], unique=False)
    op.create_index("ix_ontvangst_vordering_id", "ontvangst", ["vordering_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_ontvangst_vordering_id", table_name="ontvangst")
    op.drop_index("ix_ontvangst_werkgever_id", table_name="ontvangst")
    op.drop_table("ontvangst")
    op.drop_index("ix_bankmutatie_end_to_end_id", table_name="bankmutatie")
    op.drop_index("ix_bankmutatie_bankafschrift_id", table_name="bankmutatie")
    op.drop_table("bankmutatie")
    op.drop_table("bankafschrift")
    op.drop_index("ix_boeking_kenmerk", table_name="boeking")
    op.drop_index("ix_boeking_import_id", table_name="boeking")
    op.drop_table("boeking")
    op.drop_table("boeking_import")
    op.drop_table("capaciteit_jaar")
    op.drop_table("budget_jaar")
