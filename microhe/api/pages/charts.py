"""Horizontal bar charts as SVG geometry, computed on the server from facet counts, so a
chart is readable without JavaScript (each bar carries its label and count as text, and
links to the search it counts). No inline style: the template sets only geometry
attributes and classes (the Content-Security-Policy forbids ``style``)."""

from __future__ import annotations

from dataclasses import dataclass

ROW = 26          # px per bar
LABEL_W = 120     # px for the labels on the left
BAR_W = 230       # px of the longest bar
WIDTH = LABEL_W + BAR_W + 50


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    href: str
    y: int
    width: int
    short: str  # the label as drawn (cut to fit); the full one is the link's accessible name


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    bars: list[Bar]
    width: int = WIDTH
    label_w: int = LABEL_W

    @property
    def height(self) -> int:
        return max(1, len(self.bars)) * ROW + 4


def bar_chart(id: str, title: str, items: list[tuple[str, int, str]], *, max_label: int = 16) -> Chart:
    """A chart of ``(label, count, href)`` items, in the order given."""
    top = max((c for _, c, _ in items), default=0) or 1
    bars = []
    for i, (label, count, href) in enumerate(items):
        short = label if len(label) <= max_label else label[: max_label - 1] + "…"
        bars.append(Bar(label, count, href, i * ROW + 2, max(2, round(BAR_W * count / top)), short))
    return Chart(id, title, bars)


__all__ = ["Bar", "Chart", "bar_chart"]
