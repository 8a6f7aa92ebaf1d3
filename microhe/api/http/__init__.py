"""HTTP mechanics shared by the routes: content negotiation, streaming, body and URL limits,
request log, client identity."""
