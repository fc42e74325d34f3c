"""Users and roles, web sessions, bank account changes awaiting approval, and the client
address in the audit log (issue: real identities, four eyes no one can talk around).

The scheduler's own system user is created here: it may request and calculate betaalruns,
make beschikkingen and signalen, never approve (``lks.app.identiteit``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ROLLEN = "('medewerker', 'goedkeurder', 'controller', 'beheerder', 'werkgever', 'systeem')"


def upgrade() -> None:
    gebruiker = op.create_table(
        "gebruiker",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("naam", sa.String(100), nullable=False, unique=True),
        sa.Column("weergavenaam", sa.String(200), nullable=False),
        sa.Column("soort", sa.String(10), nullable=False),
        sa.Column("account", sa.String(100), unique=True),
        sa.Column("sso_subject", sa.String(255), unique=True),
        sa.Column("email", sa.String(254)),
        sa.Column("wachtwoord_hash", sa.String(255)),
        sa.Column("totp_geheim", sa.String(64)),
        sa.Column("totp_verplicht", sa.Boolean, nullable=False),
        sa.Column("actief", sa.Boolean, nullable=False),
        sa.Column("werkgever_id", sa.String(64)),
        sa.Column("mislukte_pogingen", sa.Integer, nullable=False),
        sa.Column("geblokkeerd_tot", sa.DateTime),
        sa.Column("aangemaakt_op", sa.DateTime, nullable=False),
        sa.Column("aangemaakt_door", sa.String(100)),
        sa.CheckConstraint("soort IN ('mens', 'systeem')", name="ck_gebruiker_soort"),
        sa.CheckConstraint("mislukte_pogingen >= 0", name="ck_gebruiker_pogingen"),
    )
    rol = op.create_table(
        "gebruiker_rol",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("gebruiker_id", sa.Integer, sa.ForeignKey("gebruiker.id"), nullable=False),
        sa.Column("rol", sa.String(20), nullable=False),
        sa.Column("toegekend_door_id", sa.Integer, sa.ForeignKey("gebruiker.id")),
        sa.Column("toegekend_op", sa.DateTime, nullable=False),
        sa.UniqueConstraint("gebruiker_id", "rol", name="uq_gebruiker_rol"),
        sa.CheckConstraint(f"rol IN {ROLLEN}", name="ck_gebruiker_rol_rol"),
        sa.CheckConstraint("toegekend_door_id IS NULL OR toegekend_door_id <> gebruiker_id",
                           name="ck_gebruiker_rol_niet_zelf"),
    )
    op.create_table(
        "web_sessie",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("gebruiker_id", sa.Integer, sa.ForeignKey("gebruiker.id")),
        sa.Column("aangemaakt_op", sa.DateTime, nullable=False),
        sa.Column("laatst_gezien_op", sa.DateTime, nullable=False),
        sa.Column("client_adres", sa.String(64)),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_index("ix_web_sessie_gebruiker", "web_sessie", ["gebruiker_id"])
    op.create_table(
        "rekeningwijziging",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("werkgever_id", sa.String(64), nullable=False),
        sa.Column("iban", sa.String(34), nullable=False),
        sa.Column("bic", sa.String(11)),
        sa.Column("tenaamstelling", sa.String(200)),
        sa.Column("bron", sa.String(20), nullable=False),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("import_batch.id")),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("ingediend_door", sa.String(100), nullable=False),
        sa.Column("ingediend_op", sa.DateTime, nullable=False),
        sa.Column("beoordeeld_door", sa.String(100)),
        sa.Column("beoordeeld_op", sa.DateTime),
        sa.Column("reden", sa.Text),
        sa.CheckConstraint("status IN ('wacht', 'goedgekeurd', 'afgewezen')",
                           name="ck_rekeningwijziging_status"),
        sa.CheckConstraint("beoordeeld_door IS NULL OR beoordeeld_door <> ingediend_door",
                           name="ck_rekeningwijziging_vier_ogen"),
        sa.CheckConstraint("status = 'wacht' OR beoordeeld_op IS NOT NULL",
                           name="ck_rekeningwijziging_beoordeeld"),
    )
    op.create_index("ix_rekeningwijziging_werkgever", "rekeningwijziging", ["werkgever_id", "status"])
    op.add_column("audit_log", sa.Column("client_adres", sa.String(64), nullable=True))
    op.create_table(
        "aanhouding",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("betaalrun_id", sa.Integer, sa.ForeignKey("betaalrun.id"), nullable=False),
        sa.Column("werkgever_id", sa.String(64), nullable=False),
        sa.Column("budget", sa.String(20), nullable=False),
        sa.Column("bedrag", sa.BigInteger, nullable=False),
        sa.Column("regels", sa.Integer, nullable=False),
        sa.UniqueConstraint("betaalrun_id", "werkgever_id", "budget", name="uq_aanhouding"),
        sa.CheckConstraint("budget IN ('buig', 'reintegratie')", name="ck_aanhouding_budget"),
    )
    op.create_index("ix_aanhouding_betaalrun_id", "aanhouding", ["betaalrun_id"])

    # The accounts delivered before this migration, each in force from the moment it was
    # recorded (there was no approval step then; from now on a change waits for one): every
    # IBAN a werkgever's history holds, so a payment file made earlier is made again alike.
    verbinding = op.get_bind()
    nu = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    rijen = verbinding.execute(sa.text(
        "SELECT werkgever_id, iban, bic, import_id, recorded_at FROM werkgever "
        "ORDER BY werkgever_id, recorded_at")).all()
    nieuw, vorige = [], {}
    for werkgever_id, iban, bic, import_id, recorded_at in rijen:
        compact = "".join((iban or "").split()).upper()
        if vorige.get(werkgever_id) != compact:
            vorige[werkgever_id] = compact
            nieuw.append({"w": werkgever_id, "i": compact, "b": bic or None, "imp": import_id, "op": recorded_at})
    if nieuw:
        verbinding.execute(sa.text(
            "INSERT INTO rekeningwijziging (werkgever_id, iban, bic, bron, import_id, status, "
            "ingediend_door, ingediend_op, beoordeeld_op, reden) VALUES (:w, :i, :b, 'levering', "
            ":imp, 'goedgekeurd', 'migratie', :op, :op, 'in gebruik vóór de goedkeuring van rekeningwijzigingen')"),
            nieuw)
    op.bulk_insert(gebruiker, [{
        "id": 1, "naam": "scheduler", "weergavenaam": "Scheduler (systeem)", "soort": "systeem",
        "totp_verplicht": False, "actief": True, "mislukte_pogingen": 0, "aangemaakt_op": nu}])
    op.bulk_insert(rol, [{"gebruiker_id": 1, "rol": "systeem", "toegekend_op": nu}])
    if verbinding.dialect.name == "postgresql":  # ids 1 taken by hand: move the sequence on
        verbinding.execute(sa.text("SELECT setval(pg_get_serial_sequence('gebruiker', 'id'), 1)"))


def downgrade() -> None:
    op.drop_index("ix_aanhouding_betaalrun_id", table_name="aanhouding")
    op.drop_table("aanhouding")
    op.drop_column("audit_log", "client_adres")
    op.drop_index("ix_rekeningwijziging_werkgever", table_name="rekeningwijziging")
    op.drop_table("rekeningwijziging")
    op.drop_index("ix_web_sessie_gebruiker", table_name="web_sessie")
    op.drop_table("web_sessie")
    op.drop_table("gebruiker_rol")
    op.drop_table("gebruiker")
