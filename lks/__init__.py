"""lks — loonkostensubsidie: berekening, betaalruns, beschikkingen en verantwoording."""
__version__ = "0.1.0"
