"""Developer commands: ``synth`` (a deterministic synthetic dataset)."""

from __future__ import annotations

from pathlib import Path

import click

from microhe.cli.common import err
from microhe.errors import InputError


@click.command("synth")
@click.option("--credentials", "n", type=int, required=True, help="Number of specifications to generate (>= 1).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: same seed, same bytes.")
@click.option("--invalid-rate", "rate", type=float, default=0.0, show_default=True,
              help="Fraction (0-1) of specifications made to violate one shape each (listed in <out>.violations.json).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Output file: .nt (N-Triples) or .ttl (Turtle).")
@click.option("--shards", type=int, default=1, show_default=True,
              help="Split the dataset into this many files <stem>-<k><suffix>, each valid on its own "
                   "(skills and institutions repeated in each).")
def synth_cmd(n, seed, rate, out, shards) -> None:
    """Write a deterministic synthetic dataset of N micro-credential specifications."""
    from microhe.devtools.synth import generate, shard_paths, violations_path

    if n < 1:
        raise click.BadParameter(f"{n} is not a positive number of credentials", param_hint="--credentials")
    if not 0.0 <= rate <= 1.0:
        raise click.BadParameter(f"{rate} is not between 0 and 1", param_hint="--invalid-rate")
    if out.suffix not in (".nt", ".ttl"):
        raise click.BadParameter(f"{out}: use a .nt or .ttl file name", param_hint="--out")
    if not 1 <= shards <= max(1, n // 40):
        raise click.BadParameter(f"{shards} shards for {n} credentials: use 1 to {max(1, n // 40)} "
                                 "(at least 40 specifications per shard)", param_hint="--shards")
    try:
        stats = generate(out, credentials=n, seed=seed, invalid_rate=rate, shards=shards)
    except OSError as e:
        raise InputError(f"{out}: cannot write: {e.strerror or e}") from None
    if shards > 1:
        err(f"{shards} files: {', '.join(str(p) for p in shard_paths(out, shards))}")
    extra = f", {stats.invalid} invalid (listed in {violations_path(out)})" if rate > 0 else ""
    err(f"{out}: {stats.credentials} specifications, {stats.institutions} institutions, {stats.skills} skills, "
        f"{stats.triples} triples{extra}")


COMMANDS = [synth_cmd]
