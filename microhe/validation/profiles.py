"""The SHACL profiles by name: which exist and which apply by default.

Kept apart from the validator (which needs rdflib and pyshacl) so that callers naming
profiles (the CLI's options, loading's defaults, the Graph Store's ``?profile=``) do not
import the SHACL engine before they validate.
"""

from __future__ import annotations

from importlib import resources

from microhe.errors import InputError

DEFAULT_PROFILES: tuple[str, ...] = ("council-2022", "consistency")
SHAPES_BASE = "https://w3id.org/microhe/shapes/"


class UnknownProfileError(InputError, ValueError):
    """A profile name that has no shapes file; the message lists the valid names."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(f"unknown validation profile {name!r}; valid profiles: {', '.join(available_profiles())}")


def shapes_dir():
    return resources.files("microhe").joinpath("shapes")


def available_profiles() -> list[str]:
    """The profile names: the stems of the Turtle files in ``microhe/shapes/``."""
    return sorted(f.name[:-4] for f in shapes_dir().iterdir() if f.name.endswith(".ttl"))


__all__ = ["DEFAULT_PROFILES", "SHAPES_BASE", "UnknownProfileError", "available_profiles", "shapes_dir"]
