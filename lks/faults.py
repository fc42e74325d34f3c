"""Fault injection for the reliability tests: ``LKS_CRASH_AT=<step>`` makes the process die
by SIGKILL at that step, as a power cut or an OOM kill would — no ``finally``, no rollback by
Python, no flush. Several steps may be given, comma-separated. Unset (production), a crash
point costs one dictionary lookup.

Steps in use (grep ``crash_point(`` for the places):

- ``berekenen.na_verwijderen``: old lines of the run deleted, new ones not yet inserted
- ``berekenen.halve_regels``: half of the new payment lines inserted
- ``berekenen.voor_commit``: everything written, transaction not yet committed
- ``goedkeuren.voor_commit`` / ``goedkeuren.na_commit``: around the approval's commit
- ``specificaties.tijdelijk_bestand``: a betaalspecificatie complete in its temporary file,
  not yet renamed (the first one written)
- ``sepa.tijdelijk_bestand``: SEPA file complete in its temporary file, not yet renamed
- ``bestand.voor_vastleggen``: SEPA file at its final path, hash not yet recorded
- ``beschikkingen.na_vastleggen``: letters recorded, no file written yet
- ``beschikkingen.halve_bestanden``: letters recorded, half of their files written
- ``beschikkingen.tijdelijk_bestand``: a letter complete in its temporary file, not yet
  renamed (the first one written)

The ``*.tijdelijk_bestand`` points sit in ``lks.atomic.atomic_file`` between the flushed
temporary file and its rename, where a killed process leaves a temporary file behind.
"""
from __future__ import annotations

import os
import signal

ENV_VAR = "LKS_CRASH_AT"


def crash_point(name: str) -> None:
    """Die here (SIGKILL) if ``LKS_CRASH_AT`` names this step."""
    wanted = os.environ.get(ENV_VAR)
    if wanted and name in wanted.split(","):
        os.kill(os.getpid(), signal.SIGKILL)
