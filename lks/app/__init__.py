"""The application layer: what a user can do, with the acting identity.

Every face (the command line ``lks.cli``, the web application and the werkgeversportaal
``lks.web``) calls these operations and nothing below them for anything that changes data or
shows it to a user. Each operation takes an :class:`~lks.app.identiteit.Identiteit` made by
authentication (``lks.app.gebruikers``), checks the user's role for its
:class:`~lks.app.identiteit.Actie` against the database, does the work through the pipeline
stages (import → facts → calculation → betaalrun → documents → reports), and records it in
the audit log with the user and, on the web, the client address.

Modules: ``identiteit`` (roles and rights), ``gebruikers`` (users, authentication),
``leveringen`` (deliveries), ``berekening`` (calculation export and explanation),
``betaalruns``, ``rekeningen`` (bank account changes), ``beschikkingen``, ``werklijst``,
``verantwoording`` (controller), ``portaal`` (what a werkgever sees and delivers).
"""
