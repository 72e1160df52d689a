"""``claimbot digest`` (the function the CLI wires): JSON, PNG and Markdown, never posting."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image

from adapters.bootstrap import App, bootstrap
from adapters.console.digest_cmd import digest_command
from bot.digest_chart import CHART_HEIGHT_PX, CHART_WIDTH_PX
from bot.ports import DigestSchedule
from bot.settings import Settings
from tests.digest_data import Said, save_at
from tests.fakes import HashingEncoder, InMemoryStore, PagesFetcher, SaidThatExtractor

TENANT = "local"
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.fixture
def store() -> InMemoryStore:
    s = InMemoryStore()
    old = save_at(
        s, tenant=TENANT, at=datetime(2026, 11, 1, tzinfo=UTC), said=[Said("Ben Wallace", "20 tanks")]
    )
    save_at(
        s,
        tenant=TENANT,
        at=datetime(2026, 11, 20, tzinfo=UTC),
        said=[
            Said("Ben Wallace", "30 tanks", changes=old.claim_ids[0]),
            Said("Rishi Sunak", "growth is back"),
        ],
    )
    return s


@pytest.fixture
def app(store: InMemoryStore, tmp_path: Path) -> Iterator[App]:
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    built = bootstrap(
        settings,
        store=store,
        config=store,
        extractor=SaidThatExtractor(),
        encoder=HashingEncoder(),
        fetcher=PagesFetcher(),
    )
    yield built
    built.close()


def run(app: App, **kwargs: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = digest_command(app, tenant=TENANT, now=NOW, stdout=out, stderr=err, **kwargs)  # type: ignore[arg-type]
    return code, out.getvalue(), err.getvalue()


def test_json_covers_the_last_seven_days(app: App) -> None:
    code, out, _ = run(app, fmt="json")
    data = json.loads(out)
    assert code == 0
    # today and the six days before, from midnight (before: 18 Nov 12:00, eight dates)
    assert (data["start"], data["end"]) == ("2026-11-19T00:00:00+00:00", "2026-11-25T12:00:00+00:00")
    assert (data["articles"], data["claims"], data["new_claims"]) == (1, 2, 2)
    assert data["changed"][0]["text"].startswith(
        "Ben Wallace said “20 tanks” on 1 Nov 2026, now says “30 tanks”"
    )


def test_since_reaches_back_to_a_local_midnight(app: App) -> None:
    app.config.set_digest(
        schedule=DigestSchedule(
            tenant=TENANT, platform="slack", channel_id="C1", weekday=0, hour=9, timezone="Europe/Paris"
        )
    )
    code, out, _ = run(app, fmt="json", since=date(2026, 10, 31))
    data = json.loads(out)
    assert code == 0
    assert data["start"] == "2026-10-31T00:00:00+01:00"
    assert (data["articles"], data["claims"]) == (2, 3)


def test_markdown(app: App) -> None:
    code, out, _ = run(app, fmt="markdown")
    assert code == 0
    assert out.startswith("# Claims digest, 19 Nov 2026 – 25 Nov 2026\n")
    assert "## Changed" in out


def test_png_is_written_with_the_expected_size(app: App, tmp_path: Path) -> None:
    target = tmp_path / "digest.png"
    code, out, err = run(app, fmt="png", png_path=target)
    assert (code, out) == (0, "")
    assert "digest.png" in err
    with Image.open(target) as image:
        assert (image.format, image.size) == ("PNG", (CHART_WIDTH_PX, CHART_HEIGHT_PX))


def test_an_empty_period_is_one_line(app: App) -> None:
    code, out, _ = run(app, fmt="markdown", since=date(2026, 11, 24))
    assert code == 0
    assert out == "An empty week: no claims were checked between 24 Nov 2026 and 25 Nov 2026.\n"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fmt": "png"}, "--png needs a file name"),
        ({"fmt": "json", "since": date(2026, 12, 1)}, "--since"),
        ({"fmt": "png", "png_path": Path("/nonexistent/dir/x.png")}, "cannot write"),
    ],
)
def test_bad_input_exits_2_with_a_reason(app: App, kwargs: dict[str, object], message: str) -> None:
    code, out, err = run(app, **kwargs)
    assert (code, out) == (2, "")
    assert message in err
