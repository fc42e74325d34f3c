"""What a werkgever reports through the portal, and what a medewerker does with it.

A werkgever reports the end of an employment (date and reason), new contracturen, or a new
bank account (with the name on the account). Nothing it reports counts until a medewerker
accepts it: acceptance turns the report into a delivery of facts through the importer (the
same validation as ``lks import``, recorded with the medewerker as the deliverer), and a new
bank account then still waits for a goedkeurder other than that medewerker. A rejection needs
a reason, which the werkgever sees.

Verloonde uren are the exception: within the contract's limits they count on arrival (that is
the point of the portal, ``lks.app.portaal.lever_uren``); hours above the month's maximum come
here as a melding for a medewerker to look at.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lks.app import audit
from lks.app.gebruikers import vereist
from lks.app.identiteit import Actie, Identiteit
from lks.app.omgeving import Omgeving


class MeldingFout(ValueError):
    """A report that cannot be made or decided (message in Dutch, for the user)."""


@dataclass(frozen=True)
class Melding:
    id: int
    werkgever_id: str
    soort: str
    plaatsing_id: str | None
    gegevens: dict
    toelichting: str | None
    status: str
    ingediend_door: str
    ingediend_op: dt.datetime
    beoordeeld_door: str | None
    beoordeeld_op: dt.datetime | None
    reden: str | None
    # a new bank account accepted by a medewerker: the goedkeurder's decision on it
    # ('wacht', 'goedgekeurd', 'afgewezen'; None when no second check was needed) and reason
    tweede_controle: str | None = None
    tweede_reden: str | None = None

    @property
    def omschrijving(self) -> str:
        g = self.gegevens
        if self.soort == "einde":
            return f"einde dienstverband per {g['einddatum']} ({g.get('reden', '')})"
        if self.soort == "contracturen":
            return f"{g['contracturen']} uur per week vanaf {g['ingangsdatum']}"
        if self.soort == "rekening":
            return f"nieuw rekeningnummer {g['iban']} t.n.v. {g['tenaamstelling']}"
        if self.soort == "verloonde_uren":
            return f"{g['uren']} verloonde uren in {g['periode']} (meer dan het maximum van {g['maximum']})"
        return self.soort

    @property
    def voor_werkgever(self) -> str:
        """What was reported, as the werkgever reads it on the portal (months and numbers in
        plain Dutch)."""
        from decimal import Decimal

        from lks.nl import datum, getal, maand
        g = self.gegevens
        if self.soort == "einde":
            reden = f" ({g['reden']})" if g.get("reden") else ""
            return f"einde dienstverband op {datum(dt.date.fromisoformat(g['einddatum']))}{reden}"
        if self.soort == "contracturen":
            return (f"{getal(Decimal(g['contracturen']))} uur per week vanaf "
                    f"{datum(dt.date.fromisoformat(g['ingangsdatum']))}")
        if self.soort == "verloonde_uren":
            uren = getal(Decimal(g["uren"]))
            if g.get("maximum") in (None, "onbekend"):
                return f"{uren} uur in {maand(g['periode'])} (het maximum is nog niet bekend)"
            return f"{uren} uur in {maand(g['periode'])} (meer dan het maximum van {getal(Decimal(g['maximum']))} uur)"
        return self.omschrijving


def _melding(rij, rekening=None) -> Melding:
    return Melding(rij.id, rij.werkgever_id, rij.soort, rij.plaatsing_id, json.loads(rij.gegevens), rij.toelichting,
                   rij.status, rij.ingediend_door, rij.ingediend_op, rij.beoordeeld_door, rij.beoordeeld_op,
                   rij.reden, rekening.status if rekening is not None else None,
                   rekening.reden if rekening is not None else None)


def meld(o: Omgeving, wie: Identiteit, soort: str, gegevens: dict, now: dt.datetime, *,
         plaatsing_id: str | None = None, toelichting: str | None = None) -> Melding:
    """A werkgever's report, waiting for a medewerker (checked for form here; for content
    again, by the importer, when it is accepted)."""
    from lks.db.models_portaal import WerkgeverMelding
    wie = vereist(o.engine, wie, Actie.PORTAAL)
    with Session(o.engine) as s, s.begin():
        rij = WerkgeverMelding(werkgever_id=wie.werkgever_id, soort=soort, plaatsing_id=plaatsing_id,
                               gegevens=json.dumps(gegevens, sort_keys=True, default=str),
                               toelichting=(toelichting or "").strip()[:2000] or None, status="wacht",
                               ingediend_door=wie.naam, ingediend_op=now)
        s.add(rij)
        s.flush()
        audit.vastleggen(s, wie, f"melding_{soort}", now, melding=rij.id, werkgever_id=wie.werkgever_id,
                         plaatsing_id=plaatsing_id)
        return _melding(rij)


def vervang_uren(o: Omgeving, wie: Identiteit, sleutels: set[tuple[str, str]], now: dt.datetime) -> list[int]:
    """A new delivery of hours for (plaatsing, periode) by the werkgever of ``wie``: its pending
    melding(en) of verloonde uren for those months are ``vervangen`` (no longer on the
    werklijst, never to be accepted). Returns their ids."""
    from lks.db.models_portaal import WerkgeverMelding
    wie = vereist(o.engine, wie, Actie.PORTAAL)
    if not sleutels:
        return []
    vervangen = []
    with Session(o.engine) as s, s.begin():
        rijen = s.scalars(select(WerkgeverMelding).where(
            WerkgeverMelding.werkgever_id == wie.werkgever_id, WerkgeverMelding.soort == "verloonde_uren",
            WerkgeverMelding.status == "wacht",
            WerkgeverMelding.plaatsing_id.in_(sorted({p for p, _ in sleutels})))).all()
        for rij in rijen:
            if (rij.plaatsing_id, json.loads(rij.gegevens).get("periode")) not in sleutels:
                continue
            gedaan = s.execute(update(WerkgeverMelding)
                               .where(WerkgeverMelding.id == rij.id, WerkgeverMelding.status == "wacht")
                               .values(status="vervangen", beoordeeld_op=now)
                               .execution_options(synchronize_session=False))
            if gedaan.rowcount == 1:
                vervangen.append(rij.id)
                audit.vastleggen(s, wie, "melding_vervangen", now, melding=rij.id, werkgever_id=wie.werkgever_id,
                                 plaatsing_id=rij.plaatsing_id)
    return vervangen


def _nog_de_laatste(o: Omgeving, m: Melding) -> bool:
    """Whether a melding of verloonde uren is still the latest word on its plaatsing and
    month: no later melding for them, and no hours delivered for them after it."""
    from lks.db.models import VerloondeUren
    from lks.db.models_portaal import WerkgeverMelding
    periode = m.gegevens.get("periode")
    with Session(o.engine) as s:
        for rij in s.scalars(select(WerkgeverMelding).where(
                WerkgeverMelding.soort == "verloonde_uren", WerkgeverMelding.plaatsing_id == m.plaatsing_id,
                WerkgeverMelding.id > m.id)):
            if json.loads(rij.gegevens).get("periode") == periode:
                return False
        later = s.scalar(select(VerloondeUren.id).where(
            VerloondeUren.plaatsing_id == m.plaatsing_id, VerloondeUren.periode == periode,
            VerloondeUren.recorded_at > m.ingediend_op).limit(1))
    return later is None


def van_werkgever(o: Omgeving, wie: Identiteit) -> list[Melding]:
    """The werkgever's own reports, newest first (with the reason of a rejection); an accepted
    new bank account with the goedkeurder's decision on it (the account it delivered, by the
    medewerker's import) and the reason of a rejection."""
    from lks.db.models_gebruiker import Rekeningwijziging
    from lks.db.models_portaal import WerkgeverMelding
    wie = vereist(o.engine, wie, Actie.PORTAAL)
    with Session(o.engine) as s:
        uit = []
        for r in s.scalars(select(WerkgeverMelding).where(WerkgeverMelding.werkgever_id == wie.werkgever_id)
                           .order_by(WerkgeverMelding.id.desc())):
            rekening = None
            if r.soort == "rekening" and r.status == "geaccepteerd" and r.import_id is not None:
                rekening = s.scalars(select(Rekeningwijziging).where(
                    Rekeningwijziging.import_id == r.import_id, Rekeningwijziging.werkgever_id == r.werkgever_id)
                    .order_by(Rekeningwijziging.id.desc()).limit(1)).first()
            uit.append(_melding(r, rekening))
        return uit


def wachtend(o: Omgeving, wie: Identiteit) -> list[Melding]:
    """Reports of all werkgevers that wait for a medewerker (oldest first): the werklijst."""
    from lks.db.models_portaal import WerkgeverMelding
    vereist(o.engine, wie, Actie.LEZEN)
    with Session(o.engine) as s:
        return [_melding(r) for r in s.scalars(select(WerkgeverMelding).where(WerkgeverMelding.status == "wacht")
                                               .order_by(WerkgeverMelding.id))]


def beoordeel(o: Omgeving, wie: Identiteit, melding_id: int, accepteren: bool, reden: str | None,
              now: dt.datetime) -> Melding:
    """Accept (the report becomes a delivery of facts by this medewerker) or reject (with a
    reason the werkgever sees). Once."""
    from lks.db.models_portaal import WerkgeverMelding
    from lks.importer import ImportFouten
    wie = vereist(o.engine, wie, Actie.WIJZIGING_BEOORDELEN)
    reden = (reden or "").strip()[:2000] or None
    if not accepteren and not reden:
        raise MeldingFout("geef een reden bij het afwijzen; de werkgever ziet die")
    with Session(o.engine) as s:
        rij = s.get(WerkgeverMelding, melding_id)
        if rij is None:
            raise MeldingFout(f"melding {melding_id} bestaat niet")
        if rij.status != "wacht":
            raise MeldingFout(f"melding {melding_id} is al {rij.status} door {rij.beoordeeld_door}")
        melding = _melding(rij)
    import_id = None
    if accepteren and melding.soort == "verloonde_uren" and not _nog_de_laatste(o, melding):
        raise MeldingFout(f"melding {melding_id} is niet meer de laatste opgave van de werkgever voor "
                          f"{melding.plaatsing_id} in {melding.gegevens.get('periode')}; er zijn daarna andere "
                          "uren doorgegeven")
    if accepteren:
        try:
            import_id = _lever(o, wie, melding, now)
        except ImportFouten as fouten:
            raise MeldingFout("de melding kan niet worden verwerkt: " + "; ".join(str(f) for f in fouten.fouten[:5]))
    with Session(o.engine) as s, s.begin():
        status = "geaccepteerd" if accepteren else "afgewezen"
        gedaan = s.execute(update(WerkgeverMelding)
                           .where(WerkgeverMelding.id == melding_id, WerkgeverMelding.status == "wacht")
                           .values(status=status, beoordeeld_door=wie.naam, beoordeeld_op=now, reden=reden,
                                   import_id=import_id).execution_options(synchronize_session=False))
        if gedaan.rowcount != 1:
            raise MeldingFout(f"melding {melding_id} is intussen door iemand anders beoordeeld")
        audit.vastleggen(s, wie, f"melding_{status}", now, melding=melding_id, werkgever_id=melding.werkgever_id,
                         reden=reden, import_id=import_id)
    with Session(o.engine) as s:
        return _melding(s.get(WerkgeverMelding, melding_id))


def _lever(o: Omgeving, wie: Identiteit, m: Melding, now: dt.datetime) -> int:
    """The accepted report as a delivery of its own, through the importer (all its checks),
    recorded with the medewerker who accepted it."""
    from lks.facts import load_facts
    from lks.importer import FILES, import_directory
    facts = load_facts(o.engine)
    map_ = Path(tempfile.mkdtemp(prefix="lks-melding-"))
    try:
        if m.soort in ("einde", "contracturen", "verloonde_uren"):
            p = facts.plaatsingen[(facts.plaatsingen["plaatsing_id"] == m.plaatsing_id)
                                  & (facts.plaatsingen["werkgever_id"] == m.werkgever_id)]
            if p.empty:
                raise MeldingFout(f"plaatsing {m.plaatsing_id} is niet (meer) bekend bij deze werkgever")
            p = p.iloc[0]
        if m.soort == "einde":
            rij = {c: _tekst(p[c]) for c in FILES["plaatsingen.csv"].columns}
            rij["einddatum"] = m.gegevens["einddatum"]
            _schrijf(map_ / "plaatsingen.csv", [rij])
        elif m.soort == "contracturen":
            _schrijf(map_ / "urenwijzigingen.csv", [{
                "plaatsing_id": m.plaatsing_id, "ingangsdatum": m.gegevens["ingangsdatum"],
                "contracturen": m.gegevens["contracturen"], "voltijdsuren": _tekst(p["voltijdsuren"])}])
        elif m.soort == "verloonde_uren":
            _schrijf(map_ / "verloonde_uren.csv", [{
                "plaatsing_id": m.plaatsing_id, "periode": m.gegevens["periode"], "uren": m.gegevens["uren"]}])
        elif m.soort == "rekening":
            w = facts.werkgevers[facts.werkgevers["werkgever_id"] == m.werkgever_id]
            if w.empty:
                raise MeldingFout(f"werkgever {m.werkgever_id} is niet bekend")
            rij = {c: _tekst(w.iloc[0][c]) for c in FILES["werkgevers.csv"].columns}
            rij["iban"], rij["bic"] = m.gegevens["iban"], m.gegevens.get("bic") or ""
            _schrijf(map_ / "werkgevers.csv", [rij])
        resultaat = import_directory(o.engine, map_, recorded_at=now, params=o.params, door=wie.naam,
                                     client_adres=wie.client_adres,
                                     tenaamstelling={m.werkgever_id: m.gegevens.get("tenaamstelling")}
                                     if m.soort == "rekening" else None)
        return resultaat.import_id
    finally:
        shutil.rmtree(map_, ignore_errors=True)


def _tekst(waarde) -> str:
    import pandas as pd
    if waarde is None or (not isinstance(waarde, str) and pd.isna(waarde)):
        return ""
    if hasattr(waarde, "date") and not isinstance(waarde, str):
        return waarde.date().isoformat() if hasattr(waarde, "hour") else waarde.isoformat()
    return str(waarde)


def _schrijf(pad: Path, rijen: list[dict]) -> None:
    with open(pad, "w", newline="", encoding="utf-8") as f:
        schrijver = csv.DictWriter(f, fieldnames=list(rijen[0]), lineterminator="\n")
        schrijver.writeheader()
        schrijver.writerows(rijen)


def meld_van_formulier(o: Omgeving, wie: Identiteit, soort: str | None, formulier, now: dt.datetime) -> Melding:
    """A report from the portal's form, checked for form (dates that exist, hours, an IBAN
    that passes its check digits, one of the werkgever's own plaatsingen) before it is stored."""
    from lks.facts import load_facts
    from lks.identifiers import check_bic, check_iban
    from lks.importer import _iso_date, _uren
    wie = vereist(o.engine, wie, Actie.PORTAAL)
    veld = lambda naam: (formulier.get(naam) or "").strip()  # noqa: E731
    toelichting = veld("toelichting")
    if soort == "rekening":
        try:
            iban = check_iban(veld("iban"))
            bic = check_bic(veld("bic")) if veld("bic") else None
        except ValueError as exc:
            raise MeldingFout(str(exc)) from None
        if not veld("tenaamstelling"):
            raise MeldingFout("vul de naam in die bij het rekeningnummer hoort (tenaamstelling)")
        return meld(o, wie, "rekening", {"iban": iban, "bic": bic, "tenaamstelling": veld("tenaamstelling")[:200]},
                    now, toelichting=toelichting)
    if soort not in ("einde", "contracturen"):
        raise MeldingFout("kies wat u wilt doorgeven")
    plaatsing_id = veld("plaatsing_id")
    if not plaatsing_id:
        raise MeldingFout("kies een van uw werknemers")
    facts = load_facts(o.engine)
    p = facts.plaatsingen[(facts.plaatsingen["plaatsing_id"] == plaatsing_id)
                          & (facts.plaatsingen["werkgever_id"] == wie.werkgever_id)]
    if p.empty:  # another werkgever's plaatsing, or none: not found (404), nothing said of it
        from lks.app.portaal import NietGevonden
        raise NietGevonden("plaatsing")
    start = p.iloc[0]["startdatum"].date()
    try:
        if soort == "einde":
            einde = _iso_date(veld("einddatum"))
            if einde < start:
                raise MeldingFout(f"de einddatum ligt voor de start van het dienstverband ({start:%d-%m-%Y})")
            if not veld("reden"):
                raise MeldingFout("vul de reden van het einde in")
            return meld(o, wie, "einde", {"einddatum": einde.isoformat(), "reden": veld("reden")[:500]}, now,
                        plaatsing_id=plaatsing_id, toelichting=toelichting)
        ingang = _iso_date(veld("ingangsdatum"))
        uren = _uren(veld("contracturen").replace(",", "."))  # 24,5 as people write it, or 24.5
        return meld(o, wie, "contracturen", {"ingangsdatum": ingang.isoformat(), "contracturen": str(uren)}, now,
                    plaatsing_id=plaatsing_id, toelichting=toelichting)
    except ValueError as exc:
        if isinstance(exc, MeldingFout):
            raise
        raise MeldingFout(str(exc)) from None
