"""The approver of a run is none of the users who calculated or recalculated it (issue 16 §3).

0002's ``ck_betaalrun_vier_ogen`` compares with ``berekend_door``, which every recalculation
overwrites: a user who calculated, then saw someone else recalculate, could approve. The
append-only ``audit_log`` keeps every calculation (``berekenen``) of the run, so a trigger
refuses setting ``goedgekeurd_door`` to any of those users.

SQLite: a row trigger (``RAISE(ABORT, …)``, an IntegrityError). PostgreSQL: a row trigger
raising SQLSTATE 23000 (an IntegrityError, as on SQLite).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

VIER_OGEN_MSG = ("vier-ogenprincipe: de goedkeurder heeft deze betaalrun berekend of herberekend "
                 "en mag hem niet goedkeuren")
# fires only when goedgekeurd_door is set or changed: runs approved before this migration
# move on (bestand_aangemaakt, verzonden) as they did
GEZET = ("NEW.goedgekeurd_door IS NOT NULL AND (OLD.goedgekeurd_door IS NULL "
         "OR OLD.goedgekeurd_door <> NEW.goedgekeurd_door)")
BEREKENAAR = ("EXISTS (SELECT 1 FROM audit_log WHERE audit_log.betaalrun_id = NEW.id "
              "AND audit_log.actie = 'berekenen' AND audit_log.gebruiker = NEW.goedgekeurd_door)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION lks_betaalrun_vier_ogen() RETURNS trigger AS $$
            BEGIN
              IF {GEZET} AND {BEREKENAAR} THEN
                RAISE EXCEPTION USING MESSAGE = '{VIER_OGEN_MSG}', ERRCODE = 'integrity_constraint_violation';
              END IF;
              RETURN NEW;
            END; $$ LANGUAGE plpgsql""")
        op.execute("""CREATE TRIGGER betaalrun_vier_ogen BEFORE UPDATE OF goedgekeurd_door ON betaalrun
                      FOR EACH ROW EXECUTE FUNCTION lks_betaalrun_vier_ogen()""")
    else:
        op.execute(f"""CREATE TRIGGER betaalrun_vier_ogen BEFORE UPDATE OF goedgekeurd_door ON betaalrun
                       WHEN {GEZET} AND {BEREKENAAR}
                       BEGIN SELECT RAISE(ABORT, '{VIER_OGEN_MSG}'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS betaalrun_vier_ogen ON betaalrun")
        op.execute("DROP FUNCTION IF EXISTS lks_betaalrun_vier_ogen()")
    else:
        op.execute("DROP TRIGGER IF EXISTS betaalrun_vier_ogen")
