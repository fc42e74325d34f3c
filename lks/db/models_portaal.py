"""What werkgevers report through the portal and a gemeente user has not accepted yet.

A melding waits (``wacht``) until a medewerker accepts it (``geaccepteerd``: it becomes a
delivery of facts, recorded with the medewerker as the one who delivered it, ``import_id``)
or rejects it with a reason the werkgever sees (``afgewezen``). A melding of verloonde uren
that still waits is ``vervangen`` when the werkgever delivers the hours of that plaatsing and
month again: the newer delivery counts, the old one can no longer be accepted. The medewerker who decides is
never the werkgever user who reported it (they cannot be: roles exclude each other); a new
bank account accepted by a medewerker then still waits for a goedkeurder other than that
medewerker (``rekeningwijziging``)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lks.db.models import ID_LENGTH, Base, UTCDateTime
from lks.db.models_betaalrun import USER, _in

MELDING_SOORTEN = ("einde", "contracturen", "rekening", "verloonde_uren")
MELDING_STATUSSEN = ("wacht", "geaccepteerd", "afgewezen", "vervangen")


class WerkgeverMelding(Base):
    __tablename__ = "werkgever_melding"
    __table_args__ = (
        CheckConstraint(_in("soort", MELDING_SOORTEN), name="ck_werkgever_melding_soort"),
        CheckConstraint(_in("status", MELDING_STATUSSEN), name="ck_werkgever_melding_status"),
        CheckConstraint("beoordeeld_door IS NULL OR beoordeeld_door <> ingediend_door",
                        name="ck_werkgever_melding_ander"),
        CheckConstraint("status <> 'afgewezen' OR reden IS NOT NULL", name="ck_werkgever_melding_reden"),
        Index("ix_werkgever_melding_werkgever", "werkgever_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    werkgever_id: Mapped[str] = mapped_column(String(ID_LENGTH), nullable=False)
    soort: Mapped[str] = mapped_column(String(20), nullable=False)
    plaatsing_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    gegevens: Mapped[str] = mapped_column(Text, nullable=False)          # JSON: what was reported
    toelichting: Mapped[str | None] = mapped_column(Text)                 # the werkgever's own words
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    ingediend_door: Mapped[str] = mapped_column(USER, nullable=False)
    ingediend_op: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    beoordeeld_door: Mapped[str | None] = mapped_column(USER)
    beoordeeld_op: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reden: Mapped[str | None] = mapped_column(Text)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
