"""Betaalrun: payment lines (deltas), verrekening, the run's lifecycle and its audit log."""
