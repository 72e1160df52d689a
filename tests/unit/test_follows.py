"""Following a speaker: alert selection and wording (pure), name resolution, and FollowService
against fakes of our ports (the database side is in tests/integration/test_follows.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.errors import BadInput
from bot.follow_service import NOT_AVAILABLE
from bot.follows import (
    AlertReason,
    Follow,
    FollowAlert,
    Statement,
    alert_from_dict,
    alert_plain,
    alert_text,
    alert_to_dict,
    select_alerts,
)
from bot.known_speakers import find_speaker, unknown_speaker_reason
from bot.models import ArticleInput, FactCheck, KnownClaim, Speaker, SpeakerKind, Stance
from bot.service import ClaimService
from tests.fakes import HashingEncoder, InMemoryFollowStore, InMemoryStore, PagesFetcher, SaidThatExtractor

FIRST = (
    "Ben Wallace said that Russia has about 70,000 troops stationed near the Ukrainian border.\n"
    "Maria Lopez said that the new bridge will open to traffic in the spring.\n"
)
FOLLOW_UP = (
    "Ben Wallace said that Russia has about 100,000 troops stationed near the Ukrainian border.\n"
    "Maria Lopez said that the new bridge will open to traffic in the spring.\n"
)
TENANT = "slack:T1"


@pytest.fixture
def follows() -> InMemoryFollowStore:
    return InMemoryFollowStore(InMemoryStore())


@pytest.fixture
def service(follows: InMemoryFollowStore) -> ClaimService:
    return ClaimService(
        store=follows.claims,
        extractor=SaidThatExtractor(),
        encoder=HashingEncoder(),
        fetcher=PagesFetcher(),
        follows=follows,
    )


def speaker(name: str, *aliases: str, id: str = "s1", kind: SpeakerKind = SpeakerKind.PERSON) -> Speaker:
    return Speaker(id=id, tenant=TENANT, name=name, kind=kind, aliases=aliases)


# ----------------------------------------------------------------------------- names
KNOWN = [
    speaker("Vladimir Putin", "Russian President Vladimir Putin", id="s1"),
    speaker("Ben Wallace", id="s2"),
    speaker("Boris Johnson", id="s3"),
    speaker("Dan Johnson", id="s4"),
    speaker("Kremlin", "the Kremlin", id="s5", kind=SpeakerKind.ORGANISATION),
]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Putin", "Vladimir Putin"),  # a surname, unique among the people
        ("vladimir  PUTIN", "Vladimir Putin"),
        ("Russian President Vladimir Putin", "Vladimir Putin"),  # an alias
        ("President Putin", "Vladimir Putin"),  # a title is no part of the name
        ("the Kremlin", "Kremlin"),
        ("Johnson", None),  # two Johnsons: not guessed
        ("Putn", None),
        ("", None),
    ],
)
def test_a_typed_name_resolves_through_the_canonical_speaker_and_its_aliases(
    typed: str, found: str | None
) -> None:
    match = find_speaker(typed, KNOWN)
    assert (match.name if match else None) == found


def test_an_unknown_name_is_refused_with_the_closest_stored_names() -> None:
    assert unknown_speaker_reason("Ben Walace", KNOWN) == (
        "no speaker called 'Ben Walace' has been seen here; closest: Ben Wallace"
    )
    assert unknown_speaker_reason("Nobody", KNOWN) == "no speaker called 'Nobody' has been seen here"


# ----------------------------------------------------------------------------- wording
CHANGED = FollowAlert(
    tenant=TENANT,
    platform="slack",
    channel_id="C9",
    speaker="Ben Wallace",
    claim_id="c7",
    article_id="a3",
    reasons=(AlertReason.CHANGED,),
    now=Statement(
        text="Russia has about 100,000 troops near the border",
        speaker="Ben Wallace",
        stance=Stance.ASSERTS,
        when=date(2026, 12, 8),
        link="https://news.example/troops",
        title="Troops build up",
    ),
    before=Statement(
        text="Russia has about 70,000 troops near the border",
        speaker="Ben Wallace",
        stance=Stance.DENIES,
        when=date(2026, 11, 20),
        link="https://news.example/earlier",
    ),
    why=("numbers differ: 100,000 vs 70,000",),
)
FACT_CHECKED = FollowAlert(
    tenant=TENANT,
    platform="discord",
    channel_id="42",
    speaker="Anna Whitfield",
    claim_id="c1",
    article_id="a9",
    reasons=(AlertReason.FACT_CHECKED,),
    now=Statement(
        "the bridge cost 40 million pounds", "Anna Whitfield", Stance.ASSERTS, date(2026, 12, 8), None
    ),
    before=Statement(
        "The new harbour bridge cost 40 million pounds",
        None,
        Stance.ASSERTS,
        date(2026, 11, 2),
        "https://factdesk.example/checks/bridge-cost",
    ),
    fact_check=FactCheck(
        verdict="Mostly false", by="Fact Desk", url="https://factdesk.example/checks/bridge-cost"
    ),
)


def test_a_changed_statement_alert_says_who_now_before_when_and_why() -> None:
    assert alert_plain(CHANGED) == (
        "🔔 Ben Wallace changed a statement\n"
        "Now (8 Dec 2026, “Troops build up”): “Russia has about 100,000 troops near the border”\n"
        "  https://news.example/troops\n"
        "Before (20 Nov 2026): denies: “Russia has about 70,000 troops near the border”\n"
        "  https://news.example/earlier\n"
        "Why: numbers differ: 100,000 vs 70,000"
    )


def test_a_fact_checked_repeat_alert_gives_the_verdict_and_links_the_fact_check_once() -> None:
    text = alert_text(FACT_CHECKED)
    assert text.title == "Anna Whitfield repeated a fact-checked claim"
    assert (
        text.before
        == "Fact-checked claim (2 Nov 2026, unattributed): “The new harbour bridge cost 40 million pounds”"
    )
    assert text.before_link is None  # the fact-check itself: linked as such
    assert text.why == ("Fact-checked by Fact Desk: Mostly false",)
    assert text.fact_check_link == "https://factdesk.example/checks/bridge-cost"


def test_a_changed_fact_checked_claim_gives_both_reasons() -> None:
    both = FollowAlert(
        **{
            **{f: getattr(CHANGED, f) for f in CHANGED.__dataclass_fields__},
            "reasons": (AlertReason.CHANGED, AlertReason.FACT_CHECKED),
            "fact_check": FactCheck(verdict="False", by="PolitiFact"),
        }
    )
    text = alert_text(both)
    assert text.title == "Ben Wallace changed a fact-checked claim"
    assert text.why == ("numbers differ: 100,000 vs 70,000", "Fact-checked by PolitiFact: False")


@pytest.mark.parametrize("alert", [CHANGED, FACT_CHECKED])
def test_an_alert_survives_its_stored_form(alert: FollowAlert) -> None:
    again = alert_from_dict(alert_to_dict(alert), tenant=alert.tenant, platform=alert.platform, alert_id="f1")
    assert again == FollowAlert(**{**{f: getattr(alert, f) for f in alert.__dataclass_fields__}, "id": "f1"})


# ----------------------------------------------------------------------------- the use case
def test_a_followed_speaker_changing_a_statement_queues_one_alert_for_the_following_channel(
    service: ClaimService, follows: InMemoryFollowStore
) -> None:
    service.check(tenant=TENANT, article=ArticleInput(text=FIRST))
    wallace = service.follows.follow(tenant=TENANT, platform="slack", channel_id="C9", name="Wallace")
    service.follows.follow(tenant=TENANT, platform="slack", channel_id="C9", name="Maria Lopez")
    assert wallace.name == "Ben Wallace"
    report = service.check(tenant=TENANT, article=ArticleInput(text=FOLLOW_UP, url="https://news.example/b"))

    [alert] = follows.alerts.values()  # Maria Lopez only repeated herself: no alert
    assert (alert.channel_id, alert.speaker, alert.reasons) == ("C9", "Ben Wallace", (AlertReason.CHANGED,))
    assert alert.claim_id == next(c.id for c in report.claims if c.claim.speaker == "Ben Wallace")
    assert alert.now.link == "https://news.example/b"
    assert any("70,000" in why and "100,000" in why for why in alert.why)

    # the same article again is a duplicate, and a dry run stores nothing: no new alert
    service.check(tenant=TENANT, article=ArticleInput(text=FOLLOW_UP, url="https://news.example/b"))
    service.check(
        tenant=TENANT, article=ArticleInput(text=FOLLOW_UP.replace("100,000", "90,000")), dry_run=True
    )
    assert len(follows.alerts) == 1


def test_a_fact_checked_claim_repeated_by_a_followed_speaker_raises_an_alert(
    service: ClaimService, follows: InMemoryFollowStore
) -> None:
    service.import_claims(
        tenant=TENANT,
        claims=[
            KnownClaim(
                external_id="https://factdesk.example/1",
                text="the new bridge will open to traffic in the spring",
                speaker="Maria Lopez",
                fact_check=FactCheck(verdict="False", by="Fact Desk", url="https://factdesk.example/1"),
            )
        ],
    )
    service.check(tenant=TENANT, article=ArticleInput(text="Maria Lopez said that the ferry runs hourly.\n"))
    service.follows.follow(tenant=TENANT, platform="discord", channel_id="42", name="Lopez")
    service.check(tenant=TENANT, article=ArticleInput(text=FIRST))
    [alert] = follows.alerts.values()
    assert alert.reasons == (AlertReason.FACT_CHECKED,)
    assert alert_text(alert).why[-1] == "Fact-checked by Fact Desk: False"


def test_follows_of_another_tenant_are_never_used(
    service: ClaimService, follows: InMemoryFollowStore
) -> None:
    service.check(tenant=TENANT, article=ArticleInput(text=FIRST))
    report = service.check(tenant=TENANT, article=ArticleInput(text=FOLLOW_UP))
    elsewhere = Follow("slack:T2", speaker("Ben Wallace"), "slack", "C1", datetime(2026, 11, 1, tzinfo=UTC))
    assert select_alerts(report, [elsewhere]) == []


def test_bad_follow_input_is_refused_in_one_line(service: ClaimService) -> None:
    service.check(tenant=TENANT, article=ArticleInput(text=FIRST))
    follows = service.follows
    cases = [
        (
            lambda: follows.follow(tenant=TENANT, platform="slack", channel_id="C9", name="  "),
            "give the name",
        ),
        (
            lambda: follows.follow(tenant=TENANT, platform="slack", channel_id="C9", name="Ben Walace"),
            "no speaker called 'Ben Walace' has been seen here; closest: Ben Wallace",
        ),
        (
            lambda: follows.unfollow(tenant=TENANT, channel_id="C9", name="Ben Wallace"),
            "this channel does not follow Ben Wallace",
        ),
    ]
    follows.follow(tenant=TENANT, platform="slack", channel_id="C8", name="Ben Wallace")
    cases.append(
        (
            lambda: follows.follow(tenant=TENANT, platform="slack", channel_id="C8", name="wallace"),
            "this channel already follows Ben Wallace",
        )
    )
    for call, reason in cases:
        with pytest.raises(BadInput) as refused:
            call()
        assert refused.value.reason.startswith(reason)
        assert "\n" not in refused.value.reason
    assert follows.unfollow(tenant=TENANT, channel_id="C8", name="Wallace").name == "Ben Wallace"
    assert follows.following(tenant=TENANT) == []


def test_a_failure_to_record_alerts_never_fails_the_check(
    service: ClaimService, follows: InMemoryFollowStore, caplog: pytest.LogCaptureFixture
) -> None:
    service.check(tenant=TENANT, article=ArticleInput(text=FIRST))
    service.follows.follow(tenant=TENANT, platform="slack", channel_id="C9", name="Ben Wallace")
    follows.fail_queue = RuntimeError("database went away")
    report = service.check(tenant=TENANT, article=ArticleInput(text=FOLLOW_UP))
    assert report.summary.changed == 1
    assert "could not record the follow alerts" in caplog.text


def test_without_a_follow_store_following_is_refused_and_checks_go_on() -> None:
    service = ClaimService(
        store=InMemoryStore(), extractor=SaidThatExtractor(), encoder=HashingEncoder(), fetcher=PagesFetcher()
    )
    assert service.check(tenant=TENANT, article=ArticleInput(text=FIRST)).summary.new == 2
    with pytest.raises(BadInput, match=NOT_AVAILABLE):
        service.follows.follow(tenant=TENANT, platform="slack", channel_id="C9", name="Ben Wallace")
