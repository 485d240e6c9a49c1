"""Who may use the server: optional token authentication, and no cross-site writes.

When a token is set (``PLANNER_TOKEN``), every page and API call must carry
it, either as ``Authorization: Bearer <token>`` or as the cookie the login
form sets. The cookie holds a keyed digest of the token, not the token.

Whatever the token, a request that would change something (an upload, a
login) is refused when the browser says another site sent it, so a web page
elsewhere cannot make a planner's browser upload to a server on localhost.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that change nothing, accepted from anywhere."""

COOKIE_NAME = "planner_session"
"""The login cookie."""

OPEN_PATHS = ("/login", "/static/")
"""Paths served without authentication: the login form and its style sheet."""


def session_value(token: str) -> str:
    """The login cookie's value for ``token``: a digest that does not reveal it."""
    return hmac.new(token.encode(), b"planner web session", hashlib.sha256).hexdigest()


def is_authorized(connection: HTTPConnection, token: str | None) -> bool:
    """Whether a request may proceed: always without a token, else with the token or cookie."""
    if not token:
        return True
    path = connection.url.path
    if path == "/login" or path.startswith(OPEN_PATHS[1]):
        return True
    header = connection.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(
        credentials.strip().encode(), token.encode()
    ):
        return True
    cookie = connection.cookies.get(COOKIE_NAME, "")
    return hmac.compare_digest(cookie.encode(), session_value(token).encode())


def token_matches(candidate: str, token: str) -> bool:
    """Whether a typed token is the right one (compared in constant time)."""
    return hmac.compare_digest(candidate.strip().encode(), token.encode())


def safe_next(path: str | None) -> str:
    """Where to go after login: a path of this site only, never another host."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


def is_cross_site(connection: HTTPConnection, method: str) -> bool:
    """Whether a request that changes something was sent by a page of another site.

    Browsers name the sending page's origin in ``Origin`` and say in
    ``Sec-Fetch-Site`` whether it is another site; programs send neither and pass.
    """
    if method in SAFE_METHODS:
        return False
    if connection.headers.get("sec-fetch-site", "").lower() == "cross-site":
        return True
    origin = connection.headers.get("origin")
    if origin is None:
        return False
    if origin == "null":
        return True
    return urlsplit(origin).netloc.lower() != connection.headers.get("host", "").lower()
