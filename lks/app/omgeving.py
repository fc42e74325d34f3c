"""What every operation of the application layer works on: the database, the gemeente's
settings and the parameters in force (loaded once, when first needed)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine


@dataclass
class Omgeving:
    engine: Engine
    settings: object  # lks.settings.Settings (imported lazily: start-up time of the CLI)
    uitvoer: Path = Path(".")
    """Where files are written: betaalbestanden/, beschikkingen/, rapporten."""
    _params: object | None = field(default=None, repr=False)
    betaalmap: Path | None = None
    """Where the betaalrun folders are (default: uitvoer/betaalbestanden)."""

    @property
    def params(self):
        """The parameters in force: the shipped tables plus the gemeente's own folder."""
        if self._params is None:
            from lks.parameters import Parameters
            self._params = Parameters.voor(self.settings)
        return self._params

    @property
    def betaalbestanden(self) -> Path:
        return self.betaalmap if self.betaalmap is not None else self.uitvoer / "betaalbestanden"
