"""``betaald_totaal``: what the approved runs paid per plaatsing-month so far, kept up to date
by the approval (``lks.betaalrun.betaald``), so a monthly run reads one row per
plaatsing-month instead of every line ever paid. Filled here from the lines of the runs
already approved (goedgekeurd, bestand_aangemaakt, verzonden): per plaatsing-month the sums
of lks_basis, werkgeverslasten and bedrag, and werkgever, regeling, budget and run of the
latest line (highest id).

Guards, as for the runs' own rows (0008): the table changes only by an approval. The
database refuses

- DELETE of any row (a plaatsing-month once paid keeps its total, if need be 0);
- INSERT of a row that is not exactly one line of a run in status goedgekeurd (same
  plaatsing-month, amounts, texts and run);
- UPDATE that changes the key, that does not come from another run than the row's last one,
  or that is not the old row plus exactly that run's line for the plaatsing-month, the run
  being in status goedgekeurd (during its approval, before the SEPA file).

SQLite: row triggers (``RAISE(ABORT, …)``, an IntegrityError). PostgreSQL: statement
triggers with transition tables (one join per statement, also for the million rows of a
first run), SQLSTATE 23000 — an IntegrityError as on SQLite.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

PAID = "('goedgekeurd', 'bestand_aangemaakt', 'verzonden')"
MESSAGE = "het betaalde totaal per plaatsing-maand verandert alleen door de goedkeuring van een betaalrun"
AMOUNTS = ("lks_basis", "werkgeverslasten", "bedrag")
TEXTS = ("werkgever_id", "regeling", "budget")


def upgrade() -> None:
    op.create_table(
        "betaald_totaal",
        sa.Column("plaatsing_id", sa.String(64), primary_key=True),
        sa.Column("periode", sa.String(7), primary_key=True),
        sa.Column("werkgever_id", sa.String(64), nullable=False),
        sa.Column("regeling", sa.String(20), nullable=False),
        sa.Column("budget", sa.String(20), nullable=False),
        *(sa.Column(c, sa.BigInteger, nullable=False) for c in AMOUNTS),
        # no foreign key: the guards below require a line of the run for every row written
        sa.Column("betaalrun_id", sa.Integer, nullable=False),
        sa.CheckConstraint("budget IN ('buig', 'reintegratie')", name="ck_betaald_totaal_budget"),
    )
    op.execute(f"""
        INSERT INTO betaald_totaal (plaatsing_id, periode, {', '.join(TEXTS)}, {', '.join(AMOUNTS)}, betaalrun_id)
        SELECT s.plaatsing_id, s.periode, {', '.join(f'l.{c}' for c in TEXTS)},
               {', '.join(f's.{c}' for c in AMOUNTS)}, l.betaalrun_id
        FROM (SELECT r.plaatsing_id, r.periode, {', '.join(f'SUM(r.{c}) AS {c}' for c in AMOUNTS)},
                     MAX(r.id) AS laatste
              FROM betaalregel r JOIN betaalrun b ON b.id = r.betaalrun_id
              WHERE b.status IN {PAID}
              GROUP BY r.plaatsing_id, r.periode) s
        JOIN betaalregel l ON l.id = s.laatste""")
    if op.get_bind().dialect.name == "postgresql":
        _guards_postgresql()
    else:
        _guards_sqlite()


def _line(new: str, old: str | None) -> str:
    """SQL condition: a line of a goedgekeurd run that makes row ``new`` (from ``old``)."""
    amounts = " AND ".join(f"{new}.{c} = {f'{old}.{c} + ' if old else ''}r.{c}" for c in AMOUNTS)
    texts = " AND ".join(f"{new}.{c} = r.{c}" for c in TEXTS)
    return (f"EXISTS (SELECT 1 FROM betaalregel r JOIN betaalrun b ON b.id = r.betaalrun_id "
            f"WHERE b.status = 'goedgekeurd' AND r.betaalrun_id = {new}.betaalrun_id "
            f"AND r.plaatsing_id = {new}.plaatsing_id AND r.periode = {new}.periode "
            f"AND {amounts} AND {texts})")


def _guards_sqlite() -> None:
    op.execute(f"""CREATE TRIGGER betaald_totaal_insert BEFORE INSERT ON betaald_totaal
                   WHEN NOT {_line('NEW', None)}
                   BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")
    op.execute(f"""CREATE TRIGGER betaald_totaal_update BEFORE UPDATE ON betaald_totaal
                   WHEN NEW.plaatsing_id <> OLD.plaatsing_id OR NEW.periode <> OLD.periode
                     OR NEW.betaalrun_id = OLD.betaalrun_id OR NOT {_line('NEW', 'OLD')}
                   BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")
    op.execute(f"""CREATE TRIGGER betaald_totaal_delete BEFORE DELETE ON betaald_totaal
                   BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")


def _guards_postgresql() -> None:
    # UPDATE: old and new rows are paired by key (the key itself may not change: a new row
    # without an old one with its key is a changed key)
    op.execute(f"""
        CREATE FUNCTION lks_betaald_totaal_guard() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            IF EXISTS (SELECT 1 FROM nieuw n WHERE NOT {_line('n', None)}) THEN
              RAISE EXCEPTION USING MESSAGE = '{MESSAGE}', ERRCODE = 'integrity_constraint_violation';
            END IF;
          ELSIF TG_OP = 'UPDATE' THEN
            IF EXISTS (SELECT 1 FROM nieuw n LEFT JOIN oud o
                         ON o.plaatsing_id = n.plaatsing_id AND o.periode = n.periode
                       WHERE o.plaatsing_id IS NULL OR n.betaalrun_id = o.betaalrun_id
                          OR NOT {_line('n', 'o')}) THEN
              RAISE EXCEPTION USING MESSAGE = '{MESSAGE}', ERRCODE = 'integrity_constraint_violation';
            END IF;
          ELSE
            RAISE EXCEPTION USING MESSAGE = '{MESSAGE}', ERRCODE = 'integrity_constraint_violation';
          END IF;
          RETURN NULL;
        END; $$ LANGUAGE plpgsql""")
    for event, referencing in (("INSERT", "REFERENCING NEW TABLE AS nieuw"),
                               ("UPDATE", "REFERENCING OLD TABLE AS oud NEW TABLE AS nieuw"),
                               ("DELETE", "")):
        op.execute(f"""CREATE TRIGGER betaald_totaal_{event.lower()} AFTER {event} ON betaald_totaal
                       {referencing} FOR EACH STATEMENT EXECUTE FUNCTION lks_betaald_totaal_guard()""")
    # TRUNCATE bypasses row and DELETE triggers: refused too
    op.execute("""CREATE TRIGGER betaald_totaal_truncate BEFORE TRUNCATE ON betaald_totaal
                  FOR EACH STATEMENT EXECUTE FUNCTION lks_betaald_totaal_guard()""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS betaald_totaal")
        op.execute("DROP FUNCTION IF EXISTS lks_betaald_totaal_guard()")
    else:
        op.drop_table("betaald_totaal")
