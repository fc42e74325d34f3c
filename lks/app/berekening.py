"""The calculation as a user asks for it: the export of interfaces §3 and the derivation of
one plaatsing-month (``lks explain``), with the facts as known now or at a moment."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from lks.app.gebruikers import vereist
from lks.app.identiteit import Actie, Identiteit
from lks.app.omgeving import Omgeving


class BerekeningFout(ValueError):
    """A calculation that cannot be made (message in Dutch, for the user)."""


def _policy(o: Omgeving, indexatie: str | None):
    policy = o.settings.policy()
    if indexatie is None:
        return policy
    if indexatie not in ("halfjaarlijks", "jaarlijks"):
        raise BerekeningFout(f"--indexatie '{indexatie}' is onbekend (halfjaarlijks of jaarlijks)")
    return type(policy)(indexatie=indexatie,
                        ontwikkelbaan_vakantiebijslag=policy.ontwikkelbaan_vakantiebijslag,
                        ontwikkelbaan_werkgeverslasten=policy.ontwikkelbaan_werkgeverslasten)


def _invoer(o: Omgeving, as_of: dt.datetime | None):
    from lks.facts import FactsFout, load_calc_input
    try:
        return load_calc_input(o.engine, as_of=as_of)
    except FactsFout as exc:
        raise BerekeningFout(str(exc)) from None


def bereken(o: Omgeving, wie: Identiteit, van: str, tot: str, *, indexatie: str | None = None,
            as_of: dt.datetime | None = None):
    """LKS per plaatsing per month ``van``..``tot`` (the core's result)."""
    from lks.calc import calculate
    vereist(o.engine, wie, Actie.LEZEN)
    policy = _policy(o, indexatie)
    return calculate(_invoer(o, as_of), van, tot, o.params, policy), policy


def exporteer(o: Omgeving, wie: Identiteit, van: str, tot: str, csv: Path, *, indexatie: str | None = None,
              as_of: dt.datetime | None = None):
    """Write the export of interfaces §3; (rows, totals per budget in cents, policy)."""
    from lks.export import write_calculation_csv
    result, policy = bereken(o, wie, van, tot, indexatie=indexatie, as_of=as_of)
    rows = write_calculation_csv(result.plaatsing_maanden, csv)
    maanden = result.plaatsing_maanden
    totals = ({str(b): int(t) for b, t in maanden.groupby("budget", observed=True)["lks_totaal"].sum().items()}
              if rows else {})
    return rows, totals, policy


def uitleg(o: Omgeving, wie: Identiteit, plaatsing_id: str, periode: str, *, indexatie: str | None = None,
           as_of: dt.datetime | None = None) -> list[str]:
    """The derivation of one plaatsing-month in Dutch: segments, parameters with their
    sources, rounding, reasons. Empty when the plaatsing is not active in that month."""
    from lks.calc import calculate
    from lks.uitleg import uitleg as tekst
    vereist(o.engine, wie, Actie.LEZEN)
    policy = _policy(o, indexatie)
    invoer = _invoer(o, as_of)
    if not (invoer.plaatsingen["plaatsing_id"] == plaatsing_id).any():
        from lks.facts import plaatsingen_met_ingetrokken
        alle = plaatsingen_met_ingetrokken(o.engine, as_of=as_of)
        weg = alle[(alle["plaatsing_id"] == plaatsing_id) & alle["ingetrokken"].notna()]
        if len(weg):
            moment = weg["recorded_at"].iloc[0].strftime("%Y-%m-%dT%H:%M:%SZ")
            raise BerekeningFout(f"plaatsing {plaatsing_id} is ingetrokken op {moment} ({weg['ingetrokken'].iloc[0]}); "
                                 f"met --as-of vóór dat moment ziet u de berekening zoals die toen gold")
        raise BerekeningFout(f"plaatsing {plaatsing_id} is niet bekend")
    result = calculate(_subset(invoer, plaatsing_id), periode, periode, o.params, policy, explain=True)
    return tekst(result, plaatsing_id, periode, o.params, policy)


def _subset(invoer, plaatsing_id: str):
    """The calculation input of one plaatsing: every frame of the input filtered on its id."""
    import dataclasses
    return type(invoer)(**{f.name: (getattr(invoer, f.name)[getattr(invoer, f.name)["plaatsing_id"] == plaatsing_id]
                                    if "plaatsing_id" in getattr(invoer, f.name) else getattr(invoer, f.name))
                           for f in dataclasses.fields(invoer)})
