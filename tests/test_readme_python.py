"""The README's Python examples run as written (a snippet that no longer matches the
package fails here, not in a reader's notebook)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text("utf-8"), re.DOTALL)


def test_the_readme_has_python_examples():
    assert BLOCKS


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block-{i + 1}" for i in range(len(BLOCKS))])
def test_a_readme_python_example_runs_and_prints_what_its_comments_say(code):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(README), "exec"), {"__name__": "readme_example"})  # noqa: S102 - our own README
    printed = out.getvalue().splitlines()
    # a `print(...)  # value` line documents what it prints
    promised = [m.group(1).strip() for line in code.splitlines()
                if line.startswith("print(") and (m := re.search(r"\)\s+#\s*(.+)$", line))]
    for value in promised:
        assert value in printed, (value, printed)
