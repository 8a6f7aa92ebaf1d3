"""The operator's context directory: JSON-LD contexts microhe does not bundle (no clear
licence: Edubadges' extension, pilot contexts), added by whoever runs it. Nothing is ever
fetched; a context is either bundled (``contexts/``) or a file in this folder.

Layout (the folder is named by ``MICROHE_CONTEXT_DIR`` or ``--context-dir``)::

    DIR/index.json      {"contexts": {"https://example.org/ctx/v1.jsonld": "pilot-v1.jsonld", ...}}
    DIR/pilot-v1.jsonld the context document as published (a JSON object with "@context")

The index is checked when the folder is opened (:func:`open_context_dir`): each URL is an
absolute IRI not already bundled; each file a plain name of a regular file *inside* the
folder (no ``..``, no absolute path, no symlink leading out). A context file is read when
a document first refers to its URL, held to the parse limits (size, nesting, duplicate
keys); its own ``@context`` references resolve like a document's (bundled, this folder,
else refused). The result is a ``Mapping[url, document]`` for the ``contexts=`` argument of
:func:`microhe.rdf.parse.parse`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from microhe.errors import InputError
from microhe.rdf.iri import is_absolute_iri
from microhe.rdf.reading import DEFAULT_LIMITS, Limits, ParseError

INDEX = "index.json"
_INDEX_MAX_BYTES = 1024 * 1024
_HOW = ('a folder with index.json {"contexts": {"<URL>": "<file name>"}} and the context files beside it, '
        "named by --context-dir DIR or the setting MICROHE_CONTEXT_DIR")


class ContextDirError(InputError, ValueError):
    """A context directory (or its index) that cannot be used; the message says what to fix."""


class ContextDirectory(Mapping[str, Any]):
    """URL -> context document, read lazily from the folder (see the module docstring)."""

    def __init__(self, root: Path, files: dict[str, Path], limits: Limits) -> None:
        self.root = root
        self._files = files
        self._limits = limits
        self._loaded: dict[str, Any] = {}

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def __contains__(self, url: object) -> bool:
        return url in self._files

    def __getitem__(self, url: str) -> Any:
        if url not in self._loaded:
            self._loaded[url] = self._read(url, self._files[url])
        return self._loaded[url]

    def _read(self, url: str, path: Path) -> Any:
        from microhe.rdf.jsonld import load_json

        where = f"{path.name} (the context for <{url}> in the context directory {self.root})"
        size = path.stat().st_size
        if size > self._limits.max_bytes:
            raise ParseError(f"{where}: {size} bytes exceeds the limit of {self._limits.max_bytes} bytes")
        with open(path, "rb") as f:
            raw = f.read(self._limits.max_bytes + 1)
        if len(raw) > self._limits.max_bytes:
            raise ParseError(f"{where}: exceeds the limit of {self._limits.max_bytes} bytes")
        try:
            doc = load_json(raw, where, self._limits)
        except ParseError as e:
            raise ParseError(f"{where}: not JSON: {e.message}") from None
        if not isinstance(doc, dict) or "@context" not in doc:
            raise ParseError(f"{where}: a context document is a JSON object with a top-level @context")
        return doc

    def __repr__(self) -> str:
        return f"ContextDirectory({str(self.root)!r}, {len(self)} context(s))"


def open_context_dir(path: str | os.PathLike[str] | None, *, limits: Limits = DEFAULT_LIMITS
                     ) -> ContextDirectory | None:
    """The context directory at ``path`` (None: none configured), its index checked.
    Raises :class:`ContextDirError` naming the entry to fix."""
    if path is None or str(path) == "":
        return None
    root = Path(path)
    if not root.is_dir():
        raise ContextDirError(f"context directory {root} does not exist (or is not a folder); it is {_HOW}")
    real_root = root.resolve()
    index = root / INDEX
    if not index.is_file():
        raise ContextDirError(f"context directory {root} has no {INDEX}; it is {_HOW}")
    if index.stat().st_size > _INDEX_MAX_BYTES:
        raise ContextDirError(f"{index}: larger than {_INDEX_MAX_BYTES} bytes")
    try:
        table = json.loads(index.read_bytes())
    except (ValueError, UnicodeDecodeError) as e:
        raise ContextDirError(f"{index}: not JSON ({e}); it must be {{\"contexts\": {{\"<URL>\": \"<file name>\"}}}}"
                              ) from None
    entries = table.get("contexts") if isinstance(table, dict) else None
    if not isinstance(entries, dict):
        raise ContextDirError(f"{index}: must be a JSON object with a \"contexts\" object "
                              "{\"<URL>\": \"<file name>\", ...}")
    from microhe.rdf.jsonld import bundled_contexts

    bundled = bundled_contexts()
    files: dict[str, Path] = {}
    for url, name in entries.items():
        entry = f"{index}: entry {url!r}"
        if not is_absolute_iri(url):
            raise ContextDirError(f"{entry}: the key must be the context's absolute URL")
        if url in bundled:
            raise ContextDirError(f"{entry}: <{url}> is bundled with microhe ({bundled[url]}); remove it from the index")
        if not isinstance(name, str):
            raise ContextDirError(f"{entry}: the value must be a file name in {root}, not {json.dumps(name)}")
        if name in ("", ".", "..") or "/" in name or "\\" in name or os.path.isabs(name):
            raise ContextDirError(f"{entry}: {name!r} is not a plain file name inside {root} "
                                  "(no folders, no '..', no absolute path)")
        file = root / name
        if not file.resolve().is_relative_to(real_root):
            raise ContextDirError(f"{entry}: {name} leads outside {root} (a symbolic link?)")
        if not file.is_file():
            raise ContextDirError(f"{entry}: no file {name} in {root}")
        files[url] = file
    return ContextDirectory(root, files, limits)


__all__ = ["INDEX", "ContextDirError", "ContextDirectory", "open_context_dir"]
