"""Rules about the request URL that hold for every route, checked once before routing.

A pure ASGI middleware (no request object is built, no body is read), so no route can
forget a rule and a new route gets them for free:

* **The query string must be UTF-8.** Starlette decodes ``%FF`` into U+FFFD and the
  route would run what was never sent (a POST body with the same bytes is refused), so a
  query string whose percent-decoded bytes are not valid UTF-8 gets 400 with the name of
  the parameter.
* **No credential in the URL.** URLs end up in access logs, browser histories, proxies
  and ``Referer`` headers; a token there is a leaked token. A parameter named like a
  credential (:data:`microhe.api.auth.URL_TOKEN_PARAMS`, any case) gets 400 on every
  route, read or write, telling the client to use the ``Authorization`` header. The value
  is never echoed.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from microhe.api.auth import URL_TOKEN_PARAMS


def url_problem(query_string: bytes) -> str | None:
    """Why a raw query string is refused, or None when it is acceptable."""
    for part in query_string.split(b"&"):
        if not part:
            continue
        raw_name, _, raw_value = part.partition(b"=")
        name = unquote_to_bytes(raw_name.replace(b"+", b" "))
        try:
            text_name = name.decode("utf-8")
        except UnicodeDecodeError:
            return "the query string is not valid UTF-8 (a parameter name); percent-encode UTF-8 bytes only"
        try:
            unquote_to_bytes(raw_value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError as e:
            return (f"the query string is not valid UTF-8 (parameter {text_name!r}, byte {e.start}: "
                    f"{e.reason}); percent-encode UTF-8 bytes only")
        if text_name.lower() in URL_TOKEN_PARAMS:
            return (f"credentials are never accepted in the URL (got ?{text_name}=): send the token as "
                    "'Authorization: Bearer <token>' and revoke the exposed one (`microhe token revoke NAME`)")
    return None


class URLGuard:
    """ASGI middleware: 400 (plain text) for a request whose URL breaks a rule above."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            problem = url_problem(scope.get("query_string", b""))
            if problem is not None:
                body = (problem + "\n").encode("utf-8")
                await send({"type": "http.response.start", "status": 400, "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


#: The answer every operation may give because of the rules above (documented on each).
PLAIN_TEXT = {"schema": {"type": "string"}}
REFUSAL = {"description": "The URL breaks a rule of every route: a credential in the query string, or a query "
           "string that is not UTF-8 (a plain-text message says which)",
           "content": {"text/plain": PLAIN_TEXT}}


def document_refusals(schema: dict) -> dict:
    """Declare :data:`REFUSAL` as the 400 of every operation that declares no 400 of its own,
    and its plain-text body beside the 400 of those that do (a client checking answers
    against the document then meets no undeclared status or Content-Type)."""
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if method in {"get", "put", "post", "delete", "patch", "head", "options"}:
                responses = operation.setdefault("responses", {})
                if "400" not in responses:
                    responses["400"] = REFUSAL
                elif "content" in responses["400"]:
                    responses["400"]["content"].setdefault("text/plain", PLAIN_TEXT)
    return schema


__all__ = ["URLGuard", "url_problem", "document_refusals", "REFUSAL"]
