"""Betaalrun tables: betaalrun (state, four eyes), betaalregel, betaling, vordering,
aflossing and the append-only audit_log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('betaalrun',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('periode', sa.String(length=7), nullable=False),
    sa.Column('volgnummer', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('aangevraagd_door', sa.String(length=100), nullable=False),
    sa.Column('aangevraagd_op', sa.DateTime(), nullable=False),
    sa.Column('berekend_door', sa.String(length=100), nullable=True),
    sa.Column('berekend_op', sa.DateTime(), nullable=True),
    sa.Column('feiten_per', sa.DateTime(), nullable=True),
    sa.Column('basis_goedgekeurd', sa.Integer(), nullable=True),
    sa.Column('goedgekeurd_door', sa.String(length=100), nullable=True),
    sa.Column('goedgekeurd_op', sa.DateTime(), nullable=True),
    sa.Column('uitvoerdatum', sa.Date(), nullable=True),
    sa.Column('bestand_naam', sa.String(length=200), nullable=True),
    sa.Column('bestand_sha256', sa.String(length=64), nullable=True),
    sa.Column('bestand_op', sa.DateTime(), nullable=True),
    sa.Column('verzonden_door', sa.String(length=100), nullable=True),
    sa.Column('verzonden_op', sa.DateTime(), nullable=True),
    sa.Column('geannuleerd_door', sa.String(length=100), nullable=True),
    sa.Column('geannuleerd_op', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('aangevraagd', 'berekend', 'goedgekeurd', 'bestand_aangemaakt', 'verzonden', 'geannuleerd')", name='ck_betaalrun_status'),
    sa.CheckConstraint("status NOT IN ('goedgekeurd', 'bestand_aangemaakt', 'verzonden') OR goedgekeurd_door IS NOT NULL", name='ck_betaalrun_goedgekeurd_door'),
    sa.CheckConstraint('goedgekeurd_door IS NULL OR goedgekeurd_door <> berekend_door', name='ck_betaalrun_vier_ogen'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('periode', 'volgnummer', name='uq_betaalrun_periode_volgnummer')
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('moment', sa.DateTime(), nullable=False),
    sa.Column('gebruiker', sa.String(length=100), nullable=False),
    sa.Column('actie', sa.String(length=40), nullable=False),
    sa.Column('betaalrun_id', sa.Integer(), nullable=True),
    sa.Column('van_status', sa.String(length=20), nullable=True),
    sa.Column('naar_status', sa.String(length=20), nullable=True),
    sa.Column('details', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['betaalrun_id'], ['betaalrun.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_betaalrun_id'), ['betaalrun_id'], unique=False)

    op.create_table('betaalregel',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('betaalrun_id', sa.Integer(), nullable=False),
    sa.Column('plaatsing_id', sa.String(length=64), nullable=False),
    sa.Column('werkgever_id', sa.String(length=64), nullable=False),
    sa.Column('regeling', sa.String(length=20), nullable=False),
    sa.Column('budget', sa.String(length=20), nullable=False),
    sa.Column('periode', sa.String(length=7), nullable=False),
    sa.Column('soort', sa.String(length=10), nullable=False),
    sa.Column('lks_basis', sa.BigInteger(), nullable=False),
    sa.Column('werkgeverslasten', sa.BigInteger(), nullable=False),
    sa.Column('bedrag', sa.BigInteger(), nullable=False),
    sa.Column('berekend_totaal', sa.BigInteger(), nullable=False),
    sa.CheckConstraint("budget IN ('buig', 'reintegratie')", name='ck_betaalregel_budget'),
    sa.CheckConstraint("soort IN ('regulier', 'correctie')", name='ck_betaalregel_soort'),
    sa.ForeignKeyConstraint(['betaalrun_id'], ['betaalrun.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('betaalrun_id', 'plaatsing_id', 'periode', name='uq_betaalregel')
    )
    with op.batch_alter_table('betaalregel', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_betaalregel_betaalrun_id'), ['betaalrun_id'], unique=False)
        batch_op.create_index('ix_betaalregel_plaatsing_periode', ['plaatsing_id', 'periode'], unique=False)

    op.create_table('betaling',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('betaalrun_id', sa.Integer(), nullable=False),
    sa.Column('werkgever_id', sa.String(length=64), nullable=False),
    sa.Column('budget', sa.String(length=20), nullable=False),
    sa.Column('bruto', sa.BigInteger(), nullable=False),
    sa.Column('verrekend', sa.BigInteger(), nullable=False),
    sa.Column('bedrag', sa.BigInteger(), nullable=False),
    sa.Column('end_to_end_id', sa.String(length=35), nullable=True),
    sa.CheckConstraint("budget IN ('buig', 'reintegratie')", name='ck_betaling_budget'),
    sa.CheckConstraint('bedrag >= 0 AND verrekend >= 0', name='ck_betaling_bedrag'),
    sa.ForeignKeyConstraint(['betaalrun_id'], ['betaalrun.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('betaalrun_id', 'werkgever_id', 'budget', name='uq_betaling'),
    sa.UniqueConstraint('end_to_end_id', name='uq_betaling_end_to_end_id')
    )
    with op.batch_alter_table('betaling', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_betaling_betaalrun_id'), ['betaalrun_id'], unique=False)

    op.create_table('vordering',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('betaalrun_id', sa.Integer(), nullable=False),
    sa.Column('werkgever_id', sa.String(length=64), nullable=False),
    sa.Column('budget', sa.String(length=20), nullable=False),
    sa.Column('periode', sa.String(length=7), nullable=False),
    sa.Column('bedrag', sa.BigInteger(), nullable=False),
    sa.CheckConstraint("budget IN ('buig', 'reintegratie')", name='ck_vordering_budget'),
    sa.CheckConstraint('bedrag > 0', name='ck_vordering_bedrag'),
    sa.ForeignKeyConstraint(['betaalrun_id'], ['betaalrun.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('betaalrun_id', 'werkgever_id', 'budget', name='uq_vordering')
    )
    with op.batch_alter_table('vordering', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vordering_betaalrun_id'), ['betaalrun_id'], unique=False)

    op.create_table('aflossing',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('vordering_id', sa.Integer(), nullable=False),
    sa.Column('betaalrun_id', sa.Integer(), nullable=False),
    sa.Column('bedrag', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('bedrag > 0', name='ck_aflossing_bedrag'),
    sa.ForeignKeyConstraint(['betaalrun_id'], ['betaalrun.id'], ),
    sa.ForeignKeyConstraint(['vordering_id'], ['vordering.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('vordering_id', 'betaalrun_id', name='uq_aflossing')
    )
    with op.batch_alter_table('aflossing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_aflossing_betaalrun_id'), ['betaalrun_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_aflossing_vordering_id'), ['vordering_id'], unique=False)

    _guards()


# What the database itself refuses, whatever the code does: changing or deleting the audit
# log, and changing or deleting payment lines of an approved run.
PAID = "('goedgekeurd', 'bestand_aangemaakt', 'verzonden')"
AUDIT_MSG = "audit_log is alleen aan te vullen"
LINE_MSG = "betaalregels van een goedgekeurde betaalrun zijn onveranderlijk"


def _guards() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION lks_audit_log_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{AUDIT_MSG}'; END; $$ LANGUAGE plpgsql""")
        op.execute("""CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
                      FOR EACH ROW EXECUTE FUNCTION lks_audit_log_append_only()""")
        op.execute(f"""
            CREATE FUNCTION lks_betaalregel_frozen() RETURNS trigger AS $$
            BEGIN
              IF (SELECT status FROM betaalrun WHERE id = OLD.betaalrun_id) IN {PAID} THEN
                RAISE EXCEPTION '{LINE_MSG}';
              END IF;
              IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
              RETURN NEW;
            END; $$ LANGUAGE plpgsql""")
        op.execute("""CREATE TRIGGER betaalregel_frozen BEFORE UPDATE OR DELETE ON betaalregel
                      FOR EACH ROW EXECUTE FUNCTION lks_betaalregel_frozen()""")
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(f"""CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log
                       BEGIN SELECT RAISE(ABORT, '{AUDIT_MSG}'); END""")
        op.execute(f"""CREATE TRIGGER betaalregel_frozen_{event.lower()} BEFORE {event} ON betaalregel
                       WHEN (SELECT status FROM betaalrun WHERE id = OLD.betaalrun_id) IN {PAID}
                       BEGIN SELECT RAISE(ABORT, '{LINE_MSG}'); END""")


def _drop_guards() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS betaalregel_frozen ON betaalregel")
        op.execute("DROP FUNCTION IF EXISTS lks_audit_log_append_only()")
        op.execute("DROP FUNCTION IF EXISTS lks_betaalregel_frozen()")
        return
    for name in ("audit_log_no_update", "audit_log_no_delete", "betaalregel_frozen_update",
                 "betaalregel_frozen_delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")


def downgrade() -> None:
    _drop_guards()
    with op.batch_alter_table('aflossing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_aflossing_vordering_id'))
        batch_op.drop_index(batch_op.f('ix_aflossing_betaalrun_id'))

    op.drop_table('aflossing')
    with op.batch_alter_table('vordering', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vordering_betaalrun_id'))

    op.drop_table('vordering')
    with op.batch_alter_table('betaling', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_betaling_betaalrun_id'))

    op.drop_table('betaling')
    with op.batch_alter_table('betaalregel', schema=None) as batch_op:
        batch_op.drop_index('ix_betaalregel_plaatsing_periode')
        batch_op.drop_index(batch_op.f('ix_betaalregel_betaalrun_id'))

    op.drop_table('betaalregel')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_betaalrun_id'))

    op.drop_table('audit_log')
    op.drop_table('betaalrun')
