"""The digest chart: mentions per speaker per day, repeats hatched, changes marked, as a PNG.

One bar per day of the period (``bot.digest.period_days``: a 7-day period has 7), its height
the statements mentioned that day, stacked by speaker; the repeated part of each speaker's
bar is hatched and a day with statements that changed an earlier one carries a red marker
with their number. Title and y axis both say "mentions".

Sized for a phone held upright or sideways: a fixed 1200 × 800 px image (Slack and Discord
scale it to the screen width), few series (top speakers, the rest as "Others"), large type.
Uses the object API with the Agg canvas, never pyplot: no global state, safe in worker
threads, no display needed.
"""

from __future__ import annotations

import io
import logging
from datetime import date, time

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from bot.digest import period_days, top_speakers
from bot.digest_text import period_label
from bot.models import Digest

log = logging.getLogger(__name__)

CHART_WIDTH_PX = 1200
CHART_HEIGHT_PX = 800
CHART_DPI = 100
MAX_SERIES = 6  # more colours than this are unreadable on a phone; the rest become "Others"
OTHERS = "Others"
# colour-blind safe (Okabe-Ito), then grey for "Others"
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
OTHERS_COLOUR = "#999999"
CHANGED_COLOUR = "#C00000"
CHART_MEASURE = "statement mentions"  # what the bars count: the title and the y axis say the same


def changes_per_day(digest: Digest) -> list[int]:
    """Statements that changed an earlier one, per chart column (``period_days`` order)."""
    days = period_days(digest)
    index = {day: i for i, day in enumerate(days)}
    out = [0] * len(days)
    for row in digest.daily:
        if row.day in index:
            out[index[row.day]] += row.changes
    return out


def render_chart(digest: Digest) -> bytes:
    """PNG bytes of exactly ``CHART_WIDTH_PX`` × ``CHART_HEIGHT_PX`` pixels."""
    fig = chart_figure(digest)
    out = io.BytesIO()
    # no bbox_inches="tight": it would change the pixel size the tests and adapters rely on
    fig.savefig(out, format="png", dpi=CHART_DPI, facecolor="white")
    return out.getvalue()


def chart_figure(digest: Digest) -> Figure:
    """The chart as a matplotlib figure (one axes), before it is drawn to PNG."""
    fig = Figure(figsize=(CHART_WIDTH_PX / CHART_DPI, CHART_HEIGHT_PX / CHART_DPI), dpi=CHART_DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    days = period_days(digest)
    labels = [f"{d:%a}\n{d.day} {d:%b}" for d in days]
    x = list(range(len(days)))

    ax.set_title(f"{CHART_MEASURE.capitalize()} per day, {period_label(digest)}", fontsize=20, pad=14)
    ax.set_xticks(x, labels, fontsize=15)
    ax.tick_params(axis="y", labelsize=15)
    ax.set_ylabel(CHART_MEASURE, fontsize=16)
    if digest.start.time() != time(0):  # days of 24 hours from the slot's hour, not calendar days
        ax.set_xlabel(f"each day from {digest.start:%H:%M}", fontsize=13)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)

    if digest.empty or not digest.daily:
        ax.set_ylim(0, 1)
        ax.set_yticks([])
        ax.text(
            0.5,
            0.5,
            "No claims were checked this week",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=22,
            color="#555555",
        )
    else:
        _stacked_bars(ax, digest, days, x)

    fig.subplots_adjust(left=0.08, right=0.98, top=0.88, bottom=0.25)
    return fig


def _stacked_bars(ax: Axes, digest: Digest, days: list[date], x: list[int]) -> None:
    ranked = top_speakers(digest, len(digest.daily))
    series = ranked if len(ranked) <= MAX_SERIES else [*ranked[: MAX_SERIES - 1], OTHERS]
    index = {day: i for i, day in enumerate(days)}
    claims = {s: [0] * len(days) for s in series}
    repeats = {s: [0] * len(days) for s in series}
    for row in digest.daily:
        if row.day not in index:
            continue
        who = row.speaker if row.speaker in claims else OTHERS
        claims[who][index[row.day]] += row.claims
        repeats[who][index[row.day]] += row.repeats

    bottom = [0] * len(days)
    handles: list[Artist] = []
    for n, who in enumerate(series):
        colour = OTHERS_COLOUR if who == OTHERS else PALETTE[n % len(PALETTE)]
        fresh = [c - r for c, r in zip(claims[who], repeats[who], strict=True)]
        ax.bar(x, fresh, bottom=bottom, color=colour, edgecolor="white", width=0.7)
        bottom = [b + f for b, f in zip(bottom, fresh, strict=True)]
        # the repeated part of the same speaker's bar: same colour, hatched, dark edge
        ax.bar(
            x,
            repeats[who],
            bottom=bottom,
            color=colour,
            hatch="//",
            edgecolor="#222222",
            linewidth=[0.8 if r else 0.0 for r in repeats[who]],  # no stray lines on empty days
            width=0.7,
        )
        bottom = [b + r for b, r in zip(bottom, repeats[who], strict=True)]
        handles.append(Patch(facecolor=colour, label=_short(who)))
    handles.append(Patch(facecolor="white", edgecolor="#222222", hatch="//", label="repeated"))
    changes = changes_per_day(digest)
    if any(changes):
        top = max(max(bottom), 1)
        marked = [i for i, n in enumerate(changes) if n]
        ax.scatter(
            [x[i] for i in marked],
            [bottom[i] + top * 0.04 for i in marked],
            marker="v",
            s=160,
            color=CHANGED_COLOUR,
            zorder=3,
        )
        for i in marked:
            ax.annotate(
                f"{changes[i]} changed",
                (x[i], bottom[i] + top * 0.07),
                ha="center",
                va="bottom",
                fontsize=13,
                color=CHANGED_COLOUR,
            )
        handles.append(
            Line2D([], [], marker="v", color=CHANGED_COLOUR, linestyle="", markersize=12, label="changed")
        )
    ax.set_ylim(0, max(max(bottom), 1) * 1.25)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # mentions are whole numbers
    ax.legend(
        handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=4, fontsize=14, frameon=False
    )


def _short(name: str, limit: int = 22) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


__all__ = [
    "CHART_DPI",
    "CHART_HEIGHT_PX",
    "CHART_MEASURE",
    "CHART_WIDTH_PX",
    "changes_per_day",
    "chart_figure",
    "render_chart",
]
