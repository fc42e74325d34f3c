"""Reports, the last stage: the controller's reconciliation of calculated, approved, paid and
recovered amounts (``rapport``), the finance system's ledger and the bank's camt.053
statements read in and checked (``invoer``), and the terminal, Excel and HTML renderings
(``uitvoer``). Reports read results; they never recompute amounts of their own."""
