"""The rows of an approved betaalrun are frozen for INSERT too, on every table that belongs to
a run, and an approved run cannot go back to an earlier status.

0002 made the database refuse UPDATE and DELETE of ``betaalregel`` rows of a run in status
goedgekeurd, bestand_aangemaakt or verzonden; an INSERT of a new line into such a run, and any
change to its ``betaling``, ``vordering``, ``aflossing`` and ``aanhouding`` (0007) rows, was
stopped only by the application's own status check. Now the database refuses, on each of them:

- INSERT of a row whose ``betaalrun_id`` is an approved run;
- UPDATE of a row of an approved run, or one that moves a row *into* an approved run;
- DELETE of a row of an approved run (betaalregel: already 0002's trigger).

Which run a row belongs to is its own ``betaalrun_id``. For an ``aflossing`` that is the run
that sets the vordering off, not the (earlier, approved) run that made the vordering: an open
run inserting and replacing its aflossingen against an approved run's vordering is allowed;
a row added to, changed in or removed from an approved run is not.

The guards rest on the status: a raw ``UPDATE betaalrun SET status = 'berekend'`` would reopen
a paid run for recalculation (which deletes its lines). So a run in an approved status may
only move on within those statuses (goedgekeurd → bestand_aangemaakt → verzonden).

SQLite: row triggers (``RAISE(ABORT, …)``, an IntegrityError). PostgreSQL: statement triggers
with transition tables, so a COPY of a million lines into an open run costs one semi-join,
not a function call per row; the error is SQLSTATE 23000 (an IntegrityError, as on SQLite).
Note for later migrations: a SQLite ``batch_alter_table`` that copies one of these tables
drops its triggers; recreate them after it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

PAID = "('goedgekeurd', 'bestand_aangemaakt', 'verzonden')"
MESSAGES = {  # one Dutch line each: what a user reads if this ever triggers
    "betaalregel": "betaalregels van een goedgekeurde betaalrun zijn onveranderlijk",
    "betaling": "betalingen van een goedgekeurde betaalrun zijn onveranderlijk",
    "vordering": "vorderingen van een goedgekeurde betaalrun zijn onveranderlijk",
    "aflossing": "aflossingen van een goedgekeurde betaalrun zijn onveranderlijk",
    "aanhouding": "aanhoudingen van een goedgekeurde betaalrun zijn onveranderlijk",
}
STATUS_MSG = "een goedgekeurde betaalrun kan niet terug naar een eerdere status"


def _events(table: str) -> tuple[str, ...]:
    # betaalregel: UPDATE and DELETE of its rows were frozen by 0002 (a row trigger on OLD);
    # its UPDATE trigger here adds the check on NEW (a line moved into an approved run)
    return ("INSERT", "UPDATE", "DELETE") if table != "betaalregel" else ("INSERT", "UPDATE")


def _names() -> list[tuple[str, str, str]]:
    """(table, event, trigger name) of every row guard made here."""
    return [(table, event, f"{table}_frozen_run_{event.lower()}")
            for table in MESSAGES for event in _events(table)]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


def _upgrade_sqlite() -> None:
    frozen = "(SELECT status FROM betaalrun WHERE id = {}.betaalrun_id) IN " + PAID
    for table, event, name in _names():
        sides = {"INSERT": ("NEW",), "UPDATE": ("NEW", "OLD"), "DELETE": ("OLD",)}[event]
        when = " OR ".join(frozen.format(side) for side in sides)
        op.execute(f"""CREATE TRIGGER {name} BEFORE {event} ON {table}
                       WHEN {when}
                       BEGIN SELECT RAISE(ABORT, '{MESSAGES[table]}'); END""")
    op.execute(f"""CREATE TRIGGER betaalrun_status_forward BEFORE UPDATE OF status ON betaalrun
                   WHEN OLD.status IN {PAID} AND NEW.status NOT IN {PAID}
                   BEGIN SELECT RAISE(ABORT, '{STATUS_MSG}'); END""")


def _upgrade_postgresql() -> None:
    # transition tables are only visible to the branch of the event that has them; nested
    # IFs, so the other branch's query is never planned
    op.execute(f"""
        CREATE FUNCTION lks_frozen_run_rows() RETURNS trigger AS $$
        BEGIN
          IF TG_OP IN ('INSERT', 'UPDATE') THEN
            IF EXISTS (SELECT 1 FROM betaalrun WHERE status IN {PAID}
                       AND id IN (SELECT betaalrun_id FROM nieuw)) THEN
              RAISE EXCEPTION USING MESSAGE = TG_ARGV[0], ERRCODE = 'integrity_constraint_violation';
            END IF;
          END IF;
          IF TG_OP IN ('UPDATE', 'DELETE') THEN
            IF EXISTS (SELECT 1 FROM betaalrun WHERE status IN {PAID}
                       AND id IN (SELECT betaalrun_id FROM oud)) THEN
              RAISE EXCEPTION USING MESSAGE = TG_ARGV[0], ERRCODE = 'integrity_constraint_violation';
            END IF;
          END IF;
          RETURN NULL;
        END; $$ LANGUAGE plpgsql""")
    for table, event, name in _names():
        referencing = {"INSERT": "NEW TABLE AS nieuw", "UPDATE": "OLD TABLE AS oud NEW TABLE AS nieuw",
                       "DELETE": "OLD TABLE AS oud"}[event]
        op.execute(f"""CREATE TRIGGER {name} AFTER {event} ON {table}
                       REFERENCING {referencing} FOR EACH STATEMENT
                       EXECUTE FUNCTION lks_frozen_run_rows('{MESSAGES[table]}')""")
    op.execute(f"""
        CREATE FUNCTION lks_betaalrun_status_forward() RETURNS trigger AS $$
        BEGIN
          IF OLD.status IN {PAID} AND NEW.status NOT IN {PAID} THEN
            RAISE EXCEPTION USING MESSAGE = '{STATUS_MSG}', ERRCODE = 'integrity_constraint_violation';
          END IF;
          RETURN NEW;
        END; $$ LANGUAGE plpgsql""")
    op.execute("""CREATE TRIGGER betaalrun_status_forward BEFORE UPDATE OF status ON betaalrun
                  FOR EACH ROW EXECUTE FUNCTION lks_betaalrun_status_forward()""")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, _, name in _names():
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}" if postgresql
                   else f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TRIGGER IF EXISTS betaalrun_status_forward" + (" ON betaalrun" if postgresql else ""))
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS lks_frozen_run_rows()")
        op.execute("DROP FUNCTION IF EXISTS lks_betaalrun_status_forward()")
