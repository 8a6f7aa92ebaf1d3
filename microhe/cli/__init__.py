"""The ``microhe`` command line: a thin click layer over the library.

One module per command group (:mod:`.data`, :mod:`.importing`, :mod:`.exporting`, :mod:`.query`,
:mod:`.recognition`, :mod:`.supplement`, :mod:`.serve`, :mod:`.devtools`), the client of a running server for the read commands
(:mod:`.remote`), and what they share (:mod:`.common`: exit codes, store opening,
options). Exit codes: 0 success; 1 the data was refused (SHACL violations, learner
data, a conflict with what is stored); 2 the call was wrong, the input could not be
read or parsed, or something needed is unavailable. Machine-readable output goes to
stdout alone; logs, progress and warnings go to stderr. Heavy libraries (rdflib,
pyshacl, fastapi, uvicorn, owlready2, httpx) are imported only by the commands that
need them, so ``microhe --help`` and read commands such as ``level`` start fast.
"""

from __future__ import annotations

import click

from microhe.cli import data, devtools, exporting, importing, query, recognition, serve, supplement, vocab
from microhe.cli.common import Group


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="microhe")
def main() -> None:
    """microhe: a knowledge graph and clearinghouse of European micro-credentials."""


for _module in (data, importing, exporting, vocab, query, recognition, supplement, serve, devtools):
    for _command in _module.COMMANDS:
        main.add_command(_command)

__all__ = ["main"]
