"""A small OpenID Connect provider that the tests start themselves on 127.0.0.1: discovery,
JWKS, an /authorize that approves at once for the identity a test set, and a /token that
answers with an id_token signed RS256 (an RSA key made for the test run).

It is a real provider over real HTTP (werkzeug's server in a thread), so lks's Authlib client
fetches the discovery document and the keys, exchanges the code with its client secret and
PKCE verifier and checks the signature, ``iss``, ``aud`` and ``nonce`` exactly as it would
against Entra ID. ``vervalsing`` makes the next id_token wrong on purpose: signed with another
key (``handtekening``) or for another client (``audience``)."""
from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server


@dataclass
class Provider:
    clients: dict[str, str]                      # client_id -> client secret
    claims: dict = field(default_factory=dict)  # who signs in next (sub, roles, kvk, …)
    vervalsing: str | None = None               # None, "handtekening" or "audience"
    issuer: str = ""
    sleutel: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "test-1"}))
    _codes: dict = field(default_factory=dict)
    token_verzoeken: int = 0

    def app(self) -> Flask:
        app = Flask("oidc-testprovider")

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify(issuer=self.issuer, authorization_endpoint=f"{self.issuer}/authorize",
                           token_endpoint=f"{self.issuer}/token", jwks_uri=f"{self.issuer}/jwks",
                           response_types_supported=["code"], subject_types_supported=["public"],
                           id_token_signing_alg_values_supported=["RS256"],
                           token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
                           code_challenge_methods_supported=["S256"])

        @app.get("/jwks")
        def jwks():
            return jsonify(keys=[self.sleutel.as_dict(private=False)])

        @app.get("/authorize")
        def authorize():
            a = request.args
            if a.get("client_id") not in self.clients or a.get("response_type") != "code":
                abort(400)
            code = secrets.token_urlsafe(16)
            self._codes[code] = dict(client_id=a["client_id"], redirect_uri=a["redirect_uri"], nonce=a.get("nonce"),
                                     challenge=a.get("code_challenge"), claims=dict(self.claims))
            return redirect(f"{a['redirect_uri']}?{urlencode({'code': code, 'state': a.get('state', '')})}")

        @app.post("/token")
        def token():
            self.token_verzoeken += 1
            client_id, secret = _client_auth()
            if self.clients.get(client_id) != secret:
                return jsonify(error="invalid_client"), 401
            verzoek = self._codes.pop(request.form.get("code", ""), None)
            if (verzoek is None or verzoek["client_id"] != client_id
                    or verzoek["redirect_uri"] != request.form.get("redirect_uri")):
                return jsonify(error="invalid_grant"), 400
            verifier = request.form.get("code_verifier", "")
            berekend = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if verzoek["challenge"] and berekend != verzoek["challenge"]:
                return jsonify(error="invalid_grant", error_description="PKCE"), 400
            nu = int(time.time())
            inhoud = {"iss": self.issuer, "aud": client_id, "iat": nu, "exp": nu + 300,
                      "nonce": verzoek["nonce"], **verzoek["claims"]}
            sleutel = self.sleutel
            if self.vervalsing == "handtekening":
                sleutel = RSAKey.generate_key(2048, parameters={"kid": "test-1"})  # same kid, other key
            elif self.vervalsing == "audience":
                inhoud["aud"] = "een-andere-applicatie"
            id_token = jwt.encode({"alg": "RS256", "kid": "test-1"}, inhoud, sleutel)
            return jsonify(access_token=secrets.token_urlsafe(16), token_type="Bearer", expires_in=300,
                           id_token=id_token)

        return app


def _client_auth() -> tuple[str | None, str | None]:
    if request.authorization and request.authorization.type == "basic":
        from urllib.parse import unquote
        return unquote(request.authorization.username or ""), unquote(request.authorization.password or "")
    return request.form.get("client_id"), request.form.get("client_secret")


class Draaiend:
    """The provider served on 127.0.0.1 (a free port) in a thread, until ``stop()``."""

    def __init__(self, provider: Provider):
        self.provider = provider
        self.server = make_server("127.0.0.1", 0, provider.app(), threaded=True)
        provider.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)
