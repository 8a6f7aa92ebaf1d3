"""microhe's HTTP API (FastAPI routers over ``microhe.kg``)."""

from microhe.api.app import create_app

__all__ = ["create_app"]
