"""Benchmark of the SEPA file of a betaalrun: N credit transfers (default 15,000, the size of
the monthly steady-state run at 50,000 plaatsingen, see the README's Scale section) rendered
as pain.001.001.09 and validated (XSD and SEPA rules). Target: under 4 s for the file.

    .venv/bin/python benchmarks/bench_sepa.py [N_WERKGEVERS] [REPEATS]

The input is what ``lks.betaalrun.bestand`` builds from a run: one transaction per werkgever
and budget (about 78 % BUIG, 22 % re-integratie, as in the benchmark dataset, whose
werkgevers with an ontwikkelbaan are also paid from the re-integratiebudget), names and
addresses with diacritics, '&' and apostrophes to transliterate, valid IBANs, a BIC for most,
and the remittance text of ``ustrd``. Each phase runs REPEATS times (default 3) and the
fastest run is reported: other processes on a shared machine slow a run down but never
speed it up.
"""
from __future__ import annotations

import datetime as dt
import os
import sys
import time
from zoneinfo import ZoneInfo

from schwifty import IBAN

from lks.documents.sepa import (Betaalbestand, Betaalopdracht, Debiteur, Transactie,
                                render_pain001, ustrd, validate_pain001)

NAMEN = ["Bakkerij Ömer & Zn.", "Zorgboerderij 't Hoekje", "Schoonmaakbedrijf Čapek & Søn",
         "Groen & Co — hoveniers", "Hoveniersbedrijf De Vries B.V.", "Stichting Werkplaats Noord",
         "Café 'De Zon' V.O.F.", "Installatiebedrijf Huizinga", "Kringloop Het Hogeland",
         "Autobedrijf Wierenga & Zonen"]
PLAATSEN = ["Uithuizen", "Winsum", "Ĳlst", "Bedum", "Leens", "Warffum", "Zoutkamp", "Baflo"]
PERIODE, KENMERK = "2026-06", "2026-06-1"


def transactie(i: int, budget: str) -> Transactie:
    werkgever = f"W{i:06d}"
    naam = f"{NAMEN[i % len(NAMEN)]} {i}"
    code = "B" if budget == "buig" else "R"
    return Transactie(
        end_to_end_id=f"LKS2026061-{code}-{werkgever}",
        bedrag_cent=1_000 + (i * 7919) % 2_500_000,
        naam=naam,
        iban=str(IBAN.generate("NL", bank_code="RABO", account_code=f"{100000 + i:010d}")),
        bic="RABONL2U" if i % 5 else None,
        straat="Hoofdstraat", huisnummer=str(1 + i % 200) + ("a" if i % 7 == 0 else ""),
        postcode="9981 AA", plaats=PLAATSEN[i % len(PLAATSEN)],
        omschrijving=ustrd(PERIODE, KENMERK, "BUIG" if budget == "buig" else "REIN", werkgever, naam))


def betaalbestand(n: int) -> Betaalbestand:
    n_rein = round(n * 0.22)
    n_buig = n - n_rein
    buig = tuple(transactie(i, "buig") for i in range(n_buig))
    rein = tuple(transactie(i, "reintegratie") for i in range(0, n_buig, max(1, n_buig // n_rein))[:n_rein])
    uitvoering = dt.date(2026, 6, 25)
    return Betaalbestand(
        msg_id="LKS-202606-1", aangemaakt=dt.datetime(2026, 6, 18, 9, tzinfo=ZoneInfo("Europe/Amsterdam")),
        initiator_naam="Gemeente Het Hogeland",
        debiteur=Debiteur(naam="Gemeente Het Hogeland", iban="NL91ABNA0417164300", bic="ABNANL2A",
                          straat="Hoofdstraat W", huisnummer="80", postcode="9951 AA", plaats="Winsum"),
        opdrachten=(
            Betaalopdracht(pmt_inf_id="LKS-202606-1-BUIG", budget="buig", uitvoerdatum=uitvoering,
                           transacties=buig),
            Betaalopdracht(pmt_inf_id="LKS-202606-1-REIN", budget="reintegratie",
                           uitvoerdatum=uitvoering, transacties=rein),
        ))


def best_of(repeats: int, fn):
    best, result = float("inf"), None
    for _ in range(repeats):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 15_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    print(f"SEPA pain.001.001.09, {n:,} transacties, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")
    t = time.perf_counter()
    bestand = betaalbestand(n)
    print(f"  invoer opbouwen (Transactie-objecten, ustrd): {time.perf_counter() - t:.2f} s")

    t = time.perf_counter()
    validate_pain001(render_pain001(bestand))                 # first run: schema load, imports
    print(f"  eerste keer renderen + valideren (incl. schema laden): {time.perf_counter() - t:.2f} s")

    render_s, xml = best_of(repeats, lambda: render_pain001(bestand))
    validate_s, _ = best_of(repeats, lambda: validate_pain001(xml))
    print(f"  renderen: {render_s:.2f} s ({len(xml) / 2**20:.1f} MiB)")
    print(f"  valideren (XSD + SEPA-regels): {validate_s:.2f} s")
    print(f"  samen: {render_s + validate_s:.2f} s (doel < 4 s), snelste van {repeats}; "
          f"load average nu {os.getloadavg()[0]:.2f}")
    assert render_pain001(bestand) == xml, "not deterministic"


if __name__ == "__main__":
    main()
