"""The ``lks`` command line: one face over the application layer (``lks.app``).

Verbs and generic options in English, domain nouns and every message a user reads in Dutch
(interfaces.md §1). A command parses its arguments, names the acting user, calls the
application layer and prints; it holds no rules. The command modules import only typer and
rich at module level, so ``lks --help`` starts without pandas, SQLAlchemy or WeasyPrint
(tests/cli/test_startup.py keeps it so)."""
import gc

# Start-up makes hundreds of thousands of long-lived objects (the modules of pandas, SQLAlchemy,
# typer); with the default threshold (700) the cyclic collector walks them again and again:
# 0.15 s of a 20,000-plaatsing `lks calculate`. Collecting young objects every 10,000
# allocations halves that; memory stays bounded (reference counting frees nearly all of it).
gc.set_threshold(10_000, 10, 10)

from lks.cli.kern import app, state  # noqa: E402

# every command module registers its commands on ``app``
from lks.cli import (beschikkingen, betaalrun, calc, demo, gebruiker, levering, parameters,  # noqa: E402,F401
                     rekening, scheduler, serve, verantwoording)

__all__ = ["app", "state"]
