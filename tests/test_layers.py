"""The package's structure holds: no import cycle between any two modules of microhe
(import-linter's contracts in pyproject.toml check the layers; `.ci/run` runs it)."""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest

import microhe


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    adj = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in sorted(graph.modules)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in adj:
        if root in index:
            continue
        work = [(root, iter(adj[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(adj.get(child, []))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for m in ("a", "b", "c"):
        graph.add_module(m)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="a")
    graph.add_import(importer="b", imported="c")
    assert _cycles(graph) == [["a", "b"]]


def test_no_module_of_microhe_is_in_an_import_cycle():
    assert _cycles(grimp.build_graph("microhe")) == []


def _imports_between(graph, importers: str, imported: str) -> list[tuple[str, str]]:
    """(importer, imported) pairs of direct imports from modules under ``importers`` to
    modules under ``imported`` (a module never counts as importing itself)."""
    def under(module: str, package: str) -> bool:
        return module == package or module.startswith(package + ".")

    return sorted((a, b) for a in graph.modules if under(a, importers)
                  for b in graph.find_modules_directly_imported_by(a)
                  if under(b, imported) and a != b and b != imported)


def test_no_router_imports_another_router():
    """What two routers share lives below them, in microhe.api.http (RDF responses, the
    SPARQL protocol, CORS, the app's paths): a router can be read, moved or dropped alone."""
    graph = grimp.build_graph("microhe")
    assert _imports_between(graph, "microhe.api.routes", "microhe.api.routes") == []
    assert _imports_between(graph, "microhe.api.http", "microhe.api.routes") == []


PACKAGE = Path(microhe.__file__).parent


def _files_containing(text: str) -> list[str]:
    return sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if text in p.read_text("utf-8"))


def test_views_derived_from_a_store_are_cached_by_per_store_only():
    # one cache of derived views, keyed on the committed state (store/views.py); the
    # write lock's registry is the one other per-store table, and it caches nothing
    assert _files_containing("WeakKeyDictionary") == ["ingest/lock.py", "store/views.py"]


@pytest.mark.parametrize("constant", ['"http://127.0.0.1:8000/"', '"https://w3id.org/microhe/shapes/"',
                                      '("council-2022", "consistency")'])
def test_each_constant_is_written_once(constant):
    assert len(_files_containing(constant)) == 1, _files_containing(constant)
