"""Demo data: a realistic, deterministic gemeente modelled on Het Hogeland.

``build_gemeente(seed)`` returns a :class:`DemoGemeente`: the import files of
interfaces.md §2 as known at the start of 2025 (``base``) plus the facts that become known
later (``late_facts``), so a demo can import the base set and then, month by month, what was
known by then (``known_on(day)`` / ``snapshots()``). ``write_import_dir`` writes one set as
CSV files; ``samenvatting`` counts what a set holds for the demo to print.
"""
from lks.demo.gemeente import (
    BASE_KNOWN_ON,
    HORIZON,
    IMPORT_COLUMNS,
    KEY_COLUMNS,
    DemoGemeente,
    FactVersion,
    LateFact,
    Samenvatting,
    Snapshot,
    as_frames,
    build_gemeente,
    leeftijd,
    merge_tables,
    render_csv,
    samenvatting,
    write_import_dir,
)

__all__ = [
    "BASE_KNOWN_ON",
    "HORIZON",
    "IMPORT_COLUMNS",
    "KEY_COLUMNS",
    "DemoGemeente",
    "FactVersion",
    "LateFact",
    "Samenvatting",
    "Snapshot",
    "as_frames",
    "build_gemeente",
    "leeftijd",
    "merge_tables",
    "render_csv",
    "samenvatting",
    "write_import_dir",
]
