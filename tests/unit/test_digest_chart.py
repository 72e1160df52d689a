"""The digest chart is a real PNG of a fixed size that PIL can open, with the data drawn in it."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import numpy as np
import pytest
from PIL import Image

from bot.digest import build_digest
from bot.digest_chart import (
    CHANGED_COLOUR,
    CHART_HEIGHT_PX,
    CHART_MEASURE,
    CHART_WIDTH_PX,
    MAX_SERIES,
    OTHERS,
    PALETTE,
    chart_figure,
    render_chart,
)
from bot.models import Digest
from tests.digest_data import Said, save_at
from tests.fakes import InMemoryStore

TENANT = "slack:T9"
START = datetime(2026, 11, 16, 9, tzinfo=UTC)
END = datetime(2026, 11, 23, 9, tzinfo=UTC)


def open_png(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def digest_with(speakers: int, *, repeat: bool = True) -> Digest:
    store = InMemoryStore()
    first = save_at(
        store,
        tenant=TENANT,
        at=datetime(2026, 11, 17, 10, tzinfo=UTC),
        said=[Said(f"Speaker {n}", f"statement {n}") for n in range(speakers)],
    )
    if repeat:
        save_at(
            store,
            tenant=TENANT,
            at=datetime(2026, 11, 19, 10, tzinfo=UTC),
            said=[Said("Speaker 0", "statement 0", repeats=first.claim_ids[0])],
        )
    return build_digest(store, tenant=TENANT, start=START, end=END)


def colour_pixels(image: Image.Image, hex_colour: str) -> int:
    rgb = np.asarray(image.convert("RGB")).reshape(-1, 3)
    target = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(rgb.astype(int) - target).sum(axis=1) < 12).sum())


@pytest.mark.parametrize("speakers", [1, 3, MAX_SERIES + 4])
def test_chart_is_a_png_of_the_expected_size(speakers: int) -> None:
    image = open_png(render_chart(digest_with(speakers)))
    assert image.format == "PNG"
    assert image.size == (CHART_WIDTH_PX, CHART_HEIGHT_PX)


def test_chart_draws_each_speaker_in_its_colour() -> None:
    image = open_png(render_chart(digest_with(2)))
    assert colour_pixels(image, PALETTE[0]) > 1000  # Speaker 0: two bars (one of them hatched)
    assert colour_pixels(image, PALETTE[1]) > 500
    assert colour_pixels(image, PALETTE[2]) == 0  # no third speaker


def test_many_speakers_fold_into_others() -> None:
    digest = digest_with(MAX_SERIES + 4)
    image = open_png(render_chart(digest))
    assert colour_pixels(image, "#999999") > 500  # the grey "Others" bar
    assert OTHERS == "Others"


def test_empty_week_still_renders() -> None:
    digest = build_digest(InMemoryStore(), tenant=TENANT, start=START, end=END)
    image = open_png(render_chart(digest))
    assert image.size == (CHART_WIDTH_PX, CHART_HEIGHT_PX)
    assert all(colour_pixels(image, c) == 0 for c in PALETTE)


def test_title_and_axis_measure_the_same_thing() -> None:
    ax = chart_figure(digest_with(2)).axes[0]
    # before: the title said "Claims per day" over a y axis of "mentions" (a repeat is 1 claim, 2 mentions)
    assert ax.get_ylabel() == CHART_MEASURE
    assert ax.get_title().startswith(f"{CHART_MEASURE.capitalize()} per day")


def test_a_week_has_seven_columns() -> None:
    # Monday 09:00 to Monday 09:00: before, 8 columns (16..23 Nov), the last always empty
    ax = chart_figure(digest_with(2)).axes[0]
    assert len(ax.get_xticks()) == 7
    assert ax.get_xlabel() == "each day from 09:00"


def changed_digest() -> Digest:
    store = InMemoryStore()
    old = save_at(
        store,
        tenant=TENANT,
        at=datetime(2026, 11, 2, tzinfo=UTC),
        said=[Said("Ben Wallace", "we send 20 tanks")],
    )
    save_at(
        store,
        tenant=TENANT,
        at=datetime(2026, 11, 18, 10, tzinfo=UTC),
        said=[Said("Ben Wallace", "we send 30 tanks", changes=old.claim_ids[0])],
    )
    return build_digest(store, tenant=TENANT, start=START, end=END)


def test_changed_statements_are_marked() -> None:
    # before: nothing in the chart told a change from a new statement
    assert colour_pixels(open_png(render_chart(changed_digest())), CHANGED_COLOUR) > 100
    assert colour_pixels(open_png(render_chart(digest_with(2))), CHANGED_COLOUR) == 0
