"""The calculation core: pure, vectorised, exact. No database, CLI, clock or templates here."""
from lks.calc.model import CalcInput, CalcResult, Policy
from lks.calc.core import calculate

__all__ = ["CalcInput", "CalcResult", "Policy", "calculate"]
