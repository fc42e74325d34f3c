"""CLI: ``lks serve`` — the web application and the werkgeversportaal on this database
(interfaces §5), served by waitress."""
from __future__ import annotations

from pathlib import Path

import typer

from lks.cli.kern import app, console, fail, omgeving


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", "--host", metavar="ADRES", help="Adres om op te luisteren."),
    port: int = typer.Option(8000, "--port", metavar="POORT", help="Poort om op te luisteren."),
    uitvoer: Path = typer.Option(Path("."), "--uitvoer", metavar="MAP",
                                 help="Map met de uitvoer (betaalbestanden/, beschikkingen/)."),
    betaalbestanden: Path = typer.Option(None, "--betaalbestanden", metavar="MAP",
                                         help="Map met de betaalrun-mappen (standaard UITVOER/betaalbestanden)."),
    threads: int = typer.Option(8, "--threads", metavar="GETAL", help="Gelijktijdige verzoeken."),
):
    """Start de webapplicatie voor medewerkers, goedkeurders, controllers en beheerders, en het
    werkgeversportaal. Inloggen op /login. Zet er in productie een reverse proxy met https voor
    ([web] achter_proxy = true)."""
    from lks.web import maak_app

    if not 1 <= port <= 65535:
        fail(f"--port {port}: geen geldige poort (1-65535)")
    if not uitvoer.is_dir():
        fail(f"--uitvoer {uitvoer}: map bestaat niet")
    o = omgeving(uitvoer.resolve())
    if betaalbestanden is not None:
        o.betaalmap = betaalbestanden.resolve()
    toepassing = maak_app(o)
    console.print(f"lks webapplicatie op http://{host}:{port}/login (stoppen met Ctrl-C)", highlight=False)
    from waitress import serve as waitress_serve
    waitress_serve(toepassing, host=host, port=port, threads=threads, ident="lks")
