"""The headers every response carries so that a browser refuses what the pages never do.

- Content-Security-Policy: scripts, styles, fonts and connections from this origin only, no inline
  script or style (every page's JavaScript lives in app/web/static/js or the vendored libraries),
  no plugins, no <base>, forms post only here, and no other site may frame a page; frames and media
  only from here (the evidence previews; a file's own response carries a policy of its own, web/evidence.py).
- X-Frame-Options DENY for browsers that predate frame-ancestors (clickjacking).
- X-Content-Type-Options nosniff: an uploaded file is never guessed into HTML or script.
- Referrer-Policy same-origin: task and complaint addresses never leak to another site.
- Strict-Transport-Security when the app is configured for TLS (setting HTTPS).

A view that needs something else sets the header itself; these fill only what is missing.
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # bpmn-js draws its watermark from a data: image; diagrams export as blob: images
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        # evidence: the PDF viewer is an <iframe> of /evidence (which allows this origin to frame it)
        "frame-src 'self'",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    headers = dict(HEADERS)
    if app.config.get("HTTPS"):
        headers["Strict-Transport-Security"] = HSTS

    wanted = [(name.lower(), name, value) for name, value in headers.items()]

    def add_headers(response: Response) -> Response:
        # Every response passes here: one pass over its headers, then add() only what is missing
        # (`name in headers` and `headers[name] = v` each walk the list again, and set() removes first).
        present = {name.lower() for name, _ in response.headers}
        for lower, name, value in wanted:
            if lower not in present:
                response.headers.add(name, value)
        return response

    app.after_request(add_headers)
