"""Shared fixtures.

``shipped_nlp`` loads the committed spaCy pipeline once per test session.

Every test runs on a frozen clock: ``frozen_clock`` (autouse) moves time to ``DEFAULT_INSTANT``
and lets it tick from there, so no test depends on the hour or weekday the suite happens to run
at. Tests whose outcome hangs on the calendar (digests, schedulers) carry ``@pytest.mark.any_hour``
and run once at each of ``AWKWARD_INSTANTS``: the hours at which wall-clock bugs show up.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from spacy.language import Language

# A Wednesday midday in November (UTC and London agree; New York is on standard time).
DEFAULT_INSTANT = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)

AWKWARD_INSTANTS: dict[str, datetime] = {
    # before the Monday 09:00 slot of the new ISO week: "now" lies before this week's period
    "monday-0200-utc": datetime(2026, 12, 7, 2, 0, tzinfo=UTC),
    # the last minute of an ISO week
    "sunday-2359-utc": datetime(2026, 12, 6, 23, 59, tzinfo=UTC),
    # half an hour after London springs forward (01:00 UTC on the last Sunday of March)
    "london-spring-forward": datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
    # half an hour after New York falls back (06:00 UTC on the first Sunday of November)
    "new-york-fall-back": datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("any_hour") and "frozen_instant" in metafunc.fixturenames:
        metafunc.parametrize(
            "frozen_instant", list(AWKWARD_INSTANTS.values()), ids=list(AWKWARD_INSTANTS), indirect=True
        )


@pytest.fixture
def frozen_instant(request: pytest.FixtureRequest) -> datetime:
    """The instant the test's clock starts at (``AWKWARD_INSTANTS`` under ``any_hour``)."""
    instant: datetime = getattr(request, "param", DEFAULT_INSTANT)
    return instant


@pytest.fixture(autouse=True)
def frozen_clock(frozen_instant: datetime) -> Iterator[time_machine.Traveller]:
    """Wall-clock reads (``datetime.now``, ``time.time``) start at ``frozen_instant`` and tick on.

    The monotonic clock is left alone, so timeouts and asyncio still measure real time.
    """
    with time_machine.travel(frozen_instant, tick=True) as traveller:
        yield traveller


@pytest.fixture(scope="session", autouse=True)
def data_dir_in_a_temporary_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The default data directory (``CLAIMBOT_DATA_DIR``) is a temporary one for the whole session,
    so a test that opens a store without naming a directory writes nothing to
    ``~/.local/share/claimbot`` (nor to a directory set in the environment that runs the tests)."""
    directory = tmp_path_factory.mktemp("claimbot-data-dir")
    patch = pytest.MonkeyPatch()
    patch.setenv("CLAIMBOT_DATA_DIR", str(directory))
    yield directory
    patch.undo()


@pytest.fixture(scope="session")
def shipped_nlp() -> Language:
    """The pipeline in ``models/claimbot_en`` (slow to load: use it in ``@pytest.mark.slow`` tests)."""
    from bot.nlp.pipeline import load_pipeline

    return load_pipeline("claimbot_en")
