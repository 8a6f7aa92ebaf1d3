"""The validation profiles (one Turtle file each in ``microhe/shapes/``; profile name =
file stem) and the bundled reference data every validation sees beside the input."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources

from microhe.errors import InputError
from microhe.kg.bundled import reference_graphs

#: The namespace of the profiles' IRIs (``<SHAPES_BASE><profile>#<shape>``).
SHAPES_BASE = "https://w3id.org/microhe/shapes/"


class UnknownProfileError(InputError, ValueError):
    """A profile name that has no shapes file; the message lists the valid names."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(f"unknown validation profile {name!r}; valid profiles: {', '.join(available_profiles())}")


def _shapes_dir():
    return resources.files("microhe").joinpath("shapes")


def available_profiles() -> list[str]:
    """The profile names: the stems of the Turtle files in ``microhe/shapes/``."""
    return sorted(f.name[:-4] for f in _shapes_dir().iterdir() if f.name.endswith(".ttl"))


def resolve(profiles: str | Iterable[str]) -> tuple[str, ...]:
    """``profiles`` (a name or names) as a tuple without repeats; UnknownProfileError for a
    name without a shapes file, ValueError for none."""
    names = (profiles,) if isinstance(profiles, str) else tuple(profiles)
    valid = set(available_profiles())
    out: list[str] = []
    for name in names:
        if name not in valid:
            raise UnknownProfileError(name)
        if name not in out:
            out.append(name)
    if not out:
        raise ValueError(f"no validation profile given; valid profiles: {', '.join(sorted(valid))}")
    return tuple(out)


@lru_cache(maxsize=32)
def shapes_graph(profiles: tuple[str, ...]):
    """The shapes of ``profiles`` as one rdflib graph (cached; treat it as read-only)."""
    from rdflib import Graph

    g = Graph()
    for name in profiles:
        g.parse(data=_shapes_dir().joinpath(f"{name}.ttl").read_text(encoding="utf-8"), format="turtle")
    return g


@cache
def all_shapes():
    """The shapes of every profile (to find a result's shape, whatever the profile)."""
    return shapes_graph(tuple(available_profiles()))


@cache
def reference_graph():
    """The bundled reference data validation sees (``microhe/kg/reference/*.ttl``), as an
    rdflib graph parsed once and cached. Treat it as read-only."""
    from rdflib import Graph

    g = Graph()
    for bundled in reference_graphs():
        g.parse(data=bundled.data, format="turtle")
    return g
