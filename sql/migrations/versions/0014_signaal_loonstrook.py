"""The werklijst signals a missing loonstrook (rekenregels §7, ``lks.loonstroken``): the CHECK
on ``signaal.soort`` admits ``loonstrook_ontbreekt``.

SQLite cannot alter a CHECK constraint, so the table is copied (batch mode); nothing refers
to ``signaal`` and it has no triggers, and env.py checks every reference (``signaal`` →
``betaalrun``) before the commit. PostgreSQL drops and adds the constraint in place.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

OUD = ("herbeoordeling_loonwaarde", "forfait_eindigt", "ontwikkelbaan_eindigt",
       "geen_loonwaarde_na_forfait", "beschikking_ontbreekt", "betaalrun_niet_goedgekeurd")
NIEUW = OUD + ("loonstrook_ontbreekt",)


def _soort(soorten: tuple[str, ...]) -> None:
    with op.batch_alter_table("signaal") as batch:
        batch.drop_constraint("ck_signaal_soort", type_="check")
        batch.create_check_constraint("ck_signaal_soort", f"soort IN ({', '.join(repr(s) for s in soorten)})")


def upgrade() -> None:
    _soort(NIEUW)


def downgrade() -> None:
    # a signaal of the new kind cannot exist under the old CHECK: the downgrade refuses
    # (IntegrityError) rather than deleting what staff may still need to act on
    _soort(OUD)
