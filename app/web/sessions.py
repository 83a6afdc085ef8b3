"""The pages' signed-cookie sessions, without their cost on requests that carry no cookie.

Flask builds an itsdangerous serializer (an HMAC key derivation) on every request before it
looks for the cookie, about 0.1 ms each; the JSON API's calls carry a bearer token and never a
cookie, so on the completion path that was 3 % of a request. Same sessions, same cookie.
"""

from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface


class CookieSessions(SecureCookieSessionInterface):
    """Flask's SecureCookieSessionInterface, opening an empty session directly when no cookie came."""

    def open_session(self, app, request):
        # No Cookie header at all (every API call): decide without parsing request.cookies either.
        if app.secret_key and (
            "HTTP_COOKIE" not in request.environ or not request.cookies.get(self.get_cookie_name(app))
        ):
            return self.session_class()  # what the parent returns for a missing cookie
        return super().open_session(app, request)
