from __future__ import annotations

import pytest

from bot.known_speakers import fuller_name, names_to_show, normalise_name, resolve_speaker
from bot.models import Speaker, SpeakerKind

P = SpeakerKind.PERSON


def _known(*specs: tuple[str, str, tuple[str, ...]]) -> list[Speaker]:
    return [Speaker(id=i, tenant="t", name=n, kind=P, aliases=a) for i, n, a in specs]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Vladimir  Putin", "vladimir putin"),
        ("Putin's", "putin"),
        ("Olexi Réznikov", "olexi reznikov"),
        ("U.S. Intelligence Officials", "u s intelligence officials"),
    ],
)
def test_normalise_name(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


@pytest.mark.parametrize(
    ("name", "aliases", "known", "expected_name", "expected_id"),
    [
        # same person, three ways of naming him
        ("Putin", (), _known(("1", "Vladimir Putin", ())), "Vladimir Putin", "1"),
        ("Russian President Vladimir Putin", (), _known(("1", "Vladimir Putin", ())), "Vladimir Putin", "1"),
        ("Vladimir Putin", (), _known(("1", "Vladimir Putin", ("Putin",))), "Vladimir Putin", "1"),
        # an alias recorded earlier ("the prime minister" in one article) matches later
        ("Boris Johnson", ("the prime minister",), _known(("7", "Boris Johnson", ())), "Boris Johnson", "7"),
        # an ambiguous surname stays apart
        ("Johnson", (), _known(("1", "Boris Johnson", ()), ("2", "Lyndon Johnson", ())), "Johnson", None),
        # nobody known: a new speaker
        ("Ben Wallace", (), _known(("1", "Vladimir Putin", ())), "Ben Wallace", None),
        # a shared surname alias does not make two full names one person
        ("Ivanka Trump", ("Trump",), _known(("1", "Donald Trump", ("Trump",))), "Ivanka Trump", None),
        # a middle initial is the same name
        ("Donald J. Trump", (), _known(("1", "Donald Trump", ())), "Donald Trump", "1"),
        ("Donald Trump", (), _known(("1", "Donald J. Trump", ())), "Donald J. Trump", "1"),
        # a name written family name first is called by its first word
        ("Ban", ("Mr. Ban",), _known(("1", "Ban Ki-moon", ())), "Ban Ki-moon", "1"),
        ("Ki-moon", (), _known(("1", "Ban Ki-moon", ())), "Ki-moon", None),
        ("Holtz-Eakin", (), _known(("1", "Douglas Holtz-Eakin", ())), "Douglas Holtz-Eakin", "1"),
    ],
)
def test_resolve_speaker(
    name: str, aliases: tuple[str, ...], known: list[Speaker], expected_name: str, expected_id: str | None
) -> None:
    resolved = resolve_speaker(name, P, aliases, known)
    assert (resolved.name, resolved.known_id) == (expected_name, expected_id)


def test_full_name_written_family_name_first_upgrades_its_surname() -> None:
    resolved = resolve_speaker("Ban Ki-moon", P, (), _known(("3", "Ban", ("Mr. Ban",))))
    assert resolved.known_id == "3"


def test_resolving_keeps_the_new_form_as_an_alias() -> None:
    resolved = resolve_speaker("Putin", P, ("the Russian president",), _known(("1", "Vladimir Putin", ())))
    assert "Putin" in resolved.aliases
    assert "the Russian president" in resolved.aliases


def test_full_name_upgrades_a_surname_only_speaker() -> None:
    resolved = resolve_speaker("Ben Wallace", P, (), _known(("3", "Wallace", ())))
    assert resolved.known_id == "3"
    assert "Wallace" in resolved.aliases


def test_the_fullest_name_seen_becomes_the_canonical_one() -> None:
    # "Trump" stored first, with "Donald Trump" as an alias: the full name is what is shown
    resolved = resolve_speaker("Donald Trump", P, ("Trump",), _known(("5", "Trump", ("Donald Trump",))))
    assert (resolved.name, resolved.known_id) == ("Donald Trump", "5")
    assert "Trump" in resolved.aliases
    assert "Donald Trump" not in resolved.aliases


@pytest.mark.parametrize(
    ("current", "candidate", "shown"),
    [
        ("Trump", "Donald Trump", "Donald Trump"),
        ("Donald Trump", "Trump", "Donald Trump"),
        ("Trump", "President Trump", "Trump"),  # a title is no fuller name
        ("Trump", "Melania Trump", "Melania Trump"),  # only called on one resolved person
        ("Clinton", "Bill Gates", "Clinton"),  # not a longer form of the same name
        ("Anna Whitfield", "Council leader Anna Whitfield", "Anna Whitfield"),  # a description
        ("Trump", "Republican nominee Donald Trump", "Trump"),
        ("Beethoven", "Ludwig van Beethoven", "Ludwig van Beethoven"),
        ("Udall", "Senator Tom Udall", "Tom Udall"),
        ("Hillary Clinton", "Rival Hillary Clinton", "Hillary Clinton"),  # a headline's capitals
    ],
)
def test_fuller_name(current: str, candidate: str, shown: str) -> None:
    assert fuller_name(current, candidate) == shown


def _bodies(*names: str) -> list[Speaker]:
    return [
        Speaker(id=str(i), tenant="t", name=n, kind=SpeakerKind.ORGANISATION, aliases=())
        for i, n in enumerate(names)
    ]


@pytest.mark.parametrize(
    ("name", "known", "expected_id"),
    [
        ("transport authority", _bodies("regional transport authority"), "0"),
        ("transport authority", _bodies("Portmere Transport Authority"), "0"),
        # two bodies end so: ambiguous, kept apart
        ("transport authority", _bodies("regional transport authority", "city transport authority"), None),
        # a bare head word is too vague
        ("council", _bodies("Portmere City Council"), None),
        # a proper name is not a description of another body
        ("Transport Authority", _bodies("regional transport authority"), None),
    ],
)
def test_described_organisation_joins_the_one_known_body_named_so(
    name: str, known: list[Speaker], expected_id: str | None
) -> None:
    assert resolve_speaker(name, SpeakerKind.ORGANISATION, (), known).known_id == expected_id


def test_names_to_show_are_names_not_pieces_of_sentences() -> None:
    speaker = Speaker(
        id="1",
        tenant="t",
        name="Donald Trump",
        kind=P,
        aliases=(
            "Trump",
            "Trump, appearing after Clinton at the NBC/MSNBC forum",
            "a Bloomberg interview Trump",
            "public ― Trump",
            "Donald Trump's tweet",
            "Republican nominee Donald Trump",
            "The Republican nominee",
            "Mr. Trump",
            "Mr. Kerry and Mr. Obama, who",
            "donald trump",
        ),
    )
    assert names_to_show(speaker) == (
        "Trump",
        "Republican nominee Donald Trump",
        "The Republican nominee",
        "Mr. Trump",
    )
