"""Beschikking letters (inputs, hash, status) and what they were made for.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "beschikking",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kenmerk", sa.String(length=32), nullable=False),
        sa.Column("jaar", sa.Integer(), nullable=False),
        sa.Column("volgnummer", sa.Integer(), nullable=False),
        sa.Column("soort", sa.String(length=20), nullable=False),
        sa.Column("werkgever_id", sa.String(length=64), nullable=False),
        sa.Column("datum", sa.Date(), nullable=False),
        sa.Column("aanleiding", sa.Text(), nullable=False),
        sa.Column("inputs_json", sa.Text(), nullable=False),
        sa.Column("inputs_sha256", sa.String(length=64), nullable=False),
        sa.Column("html_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("verzonden_op", sa.DateTime(), nullable=True),
        sa.Column("termijn_overschreden", sa.Boolean(), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("soort IN ('verlening', 'wijziging', 'beeindiging', 'vaststelling')",
                           name="ck_beschikking_soort"),
        sa.CheckConstraint("status IN ('concept', 'verzonden')", name="ck_beschikking_status"),
        sa.CheckConstraint("(status = 'verzonden') = (verzonden_op IS NOT NULL)",
                           name="ck_beschikking_verzonden"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kenmerk", name="uq_beschikking_kenmerk"),
        sa.UniqueConstraint("jaar", "volgnummer", name="uq_beschikking_jaar_volgnummer"),
    )
    op.create_index("ix_beschikking_werkgever", "beschikking", ["werkgever_id", "datum"])
    op.create_table(
        "beschikking_plaatsing",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("beschikking_id", sa.Integer(), nullable=False),
        sa.Column("plaatsing_id", sa.String(length=64), nullable=False),
        sa.Column("regeling", sa.String(length=20), nullable=False),
        sa.Column("tijdvak_van", sa.Date(), nullable=False),
        sa.Column("tijdvak_tot", sa.Date(), nullable=True),
        sa.Column("maandbedrag_cent", sa.BigInteger(), nullable=False),
        sa.Column("lks_basis_cent", sa.BigInteger(), nullable=False),
        sa.Column("wml_cent", sa.BigInteger(), nullable=False),
        sa.Column("wml_ingang", sa.Date(), nullable=False),
        sa.Column("loonwaarde", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("fractie", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column("contracturen", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("voltijdsuren", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("reden_code", sa.String(length=40), nullable=True),
        sa.Column("vaststelling_jaar", sa.Integer(), nullable=True),
        sa.Column("vastgesteld_cent", sa.BigInteger(), nullable=True),
        sa.Column("voorschotten_cent", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("tijdvak_tot IS NULL OR tijdvak_tot >= tijdvak_van",
                           name="ck_beschikking_plaatsing_tijdvak"),
        sa.ForeignKeyConstraint(["beschikking_id"], ["beschikking.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("beschikking_id", "plaatsing_id", name="uq_beschikking_plaatsing"),
    )
    op.create_index("ix_beschikking_plaatsing_plaatsing", "beschikking_plaatsing",
                    ["plaatsing_id", "beschikking_id"])


def downgrade() -> None:
    op.drop_index("ix_beschikking_plaatsing_plaatsing", table_name="beschikking_plaatsing")
    op.drop_table("beschikking_plaatsing")
    op.drop_index("ix_beschikking_werkgever", table_name="beschikking")
    op.drop_table("beschikking")
