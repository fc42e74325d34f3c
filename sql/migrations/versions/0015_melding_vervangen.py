"""A pending melding of verloonde uren can be superseded: the CHECK on
``werkgever_melding.status`` admits ``vervangen`` (the werkgever delivered the hours of that
plaatsing and month again, so the old report must never be accepted any more).

SQLite cannot alter a CHECK constraint, so the table is copied (batch mode); nothing refers
to ``werkgever_melding`` and it has no triggers. PostgreSQL drops and adds the constraint in
place.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

OUD = ("wacht", "geaccepteerd", "afgewezen")
NIEUW = OUD + ("vervangen",)


def _status(statussen: tuple[str, ...]) -> None:
    with op.batch_alter_table("werkgever_melding") as batch:
        batch.drop_constraint("ck_werkgever_melding_status", type_="check")
        batch.create_check_constraint("ck_werkgever_melding_status",
                                      f"status IN ({', '.join(repr(s) for s in statussen)})")


def upgrade() -> None:
    _status(NIEUW)


def downgrade() -> None:
    # a superseded melding cannot exist under the old CHECK: the downgrade refuses
    # (IntegrityError) rather than turning it back into one that could be accepted
    _status(OUD)
