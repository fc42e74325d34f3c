"""Four eyes on user administration (issue 16 §3: no bypass, not for a beheerder).

``gebruikerswijziging``: a beheerder's change that gives an account power or touches its
credentials waits here for a second beheerder (``lks.app.gebruikers``). The CHECK
``ck_gebruikerswijziging_vier_ogen`` keeps the confirmer apart from the requester and from the
account concerned; ``ck_gebruikerswijziging_tweede_beheerder``: a change in force was confirmed
by someone, or made in the opzetfase (one active beheerder) and marked so.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gebruikerswijziging",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("soort", sa.String(20), nullable=False),
        sa.Column("gebruiker", sa.String(100), nullable=False),
        sa.Column("gegevens", sa.Text, nullable=False),
        sa.Column("aangevraagd_door", sa.String(100), nullable=False),
        sa.Column("aangevraagd_op", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("opzetfase", sa.Boolean, nullable=False),
        sa.Column("beoordeeld_door", sa.String(100)),
        sa.Column("beoordeeld_op", sa.DateTime),
        sa.Column("reden", sa.Text),
        sa.CheckConstraint("soort IN ('toevoegen', 'rollen', 'wachtwoord', 'totp_uit', 'account', 'activeren')",
                           name="ck_gebruikerswijziging_soort"),
        sa.CheckConstraint("status IN ('wacht', 'bevestigd', 'afgewezen')", name="ck_gebruikerswijziging_status"),
        sa.CheckConstraint("beoordeeld_door IS NULL OR (beoordeeld_door <> aangevraagd_door "
                           "AND beoordeeld_door <> gebruiker)", name="ck_gebruikerswijziging_vier_ogen"),
        sa.CheckConstraint("status = 'wacht' OR beoordeeld_op IS NOT NULL",
                           name="ck_gebruikerswijziging_beoordeeld"),
        sa.CheckConstraint("status = 'wacht' OR opzetfase OR beoordeeld_door IS NOT NULL",
                           name="ck_gebruikerswijziging_tweede_beheerder"),
    )
    op.create_index("ix_gebruikerswijziging_status", "gebruikerswijziging", ["status"])


def downgrade() -> None:
    op.drop_index("ix_gebruikerswijziging_status", table_name="gebruikerswijziging")
    op.drop_table("gebruikerswijziging")
