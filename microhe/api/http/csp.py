"""The Content-Security-Policy of every HTML answer, and the headers that go with it.

Pages are rendered on the server and escape every value from the graph; the policy is
the second wall: should a value ever slip through as markup, the browser still runs no
script and loads nothing that this server does not serve. Scripts and styles come only
from this origin's files (``/static/...``): no inline ``<script>``, no ``style=``
attribute, no ``on...=`` handler, no CDN. Non-executed data blocks
(``<script type="application/json">``) are allowed by every policy, as they run nothing.

A pure ASGI middleware on the response start: a route that sets its own
``Content-Security-Policy`` keeps it (a page with an exception lists it here and in
README, "Content-Security-Policy"); every other ``text/html`` answer gets :data:`POLICY`.
"""

from __future__ import annotations

#: The policy of every HTML page (one directive a line, joined with "; ").
DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",     # data: for the small icons of a vendored widget; nothing remote
    "font-src 'self'",
    "connect-src 'self'",        # the query page POSTs to /sparql on this origin only
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
POLICY = "; ".join(DIRECTIVES)

#: Paths whose HTML does not meet the policy, with why (listed in README, "Content-Security-Policy").
#: None today: /docs and /redoc serve vendored assets with static initialisers (routes/docs.py);
#: /redoc sends a policy of its own, which this middleware keeps (ReDoc needs inline styles).
EXEMPT: dict[str, str] = {}

#: Sent with the policy on every HTML answer.
EXTRA = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"))


class ContentSecurityPolicy:
    """Adds :data:`POLICY` (and :data:`EXTRA`) to ``text/html`` responses that have none."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root):]
        exempt = path in EXEMPT

        async def send_with_policy(message):
            if message["type"] == "http.response.start" and not exempt:
                headers = list(message.get("headers", ()))
                names = {k.lower() for k, _ in headers}
                ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if ctype.lower().startswith(b"text/html") and b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", POLICY.encode()))
                    headers.extend(h for h in EXTRA if h[0] not in names)
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_policy)


__all__ = ["ContentSecurityPolicy", "POLICY", "DIRECTIVES", "EXEMPT"]
