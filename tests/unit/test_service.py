"""ClaimService use cases against fakes of our own ports (no models, no database)."""

from __future__ import annotations

import pytest

from bot.errors import BadInput, LinkRefused
from bot.models import ArticleInput, KnownClaim, Status
from bot.service import ClaimService
from tests.fakes import HashingEncoder, InMemoryStore, PagesFetcher, SaidThatExtractor

FIRST = (
    "Ben Wallace said that Russia has about 70,000 troops stationed near the Ukrainian border.\n"
    "Maria Lopez said that the new bridge will open to traffic in the spring.\n"
)
FOLLOW_UP = (
    "Ben Wallace said that Russia has about 100,000 troops stationed near the Ukrainian border.\n"
    "Maria Lopez said that the new bridge will open to traffic in the spring.\n"
    "Tom Reed said that the harbour ferry timetable changes every winter.\n"
)


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


@pytest.fixture
def service(store: InMemoryStore) -> ClaimService:
    return ClaimService(
        store=store,
        extractor=SaidThatExtractor(),
        encoder=HashingEncoder(),
        fetcher=PagesFetcher({"https://news.example/bridge": FIRST}),
    )


def test_first_article_is_all_new_and_stored(service: ClaimService, store: InMemoryStore) -> None:
    report = service.check(tenant="t1", article=ArticleInput(text=FIRST, title="Bridge"))
    assert [c.status for c in report.claims] == [Status.NEW, Status.NEW]
    assert report.summary.new == 2
    assert report.summary.speakers == ("Ben Wallace", "Maria Lopez")
    assert all(c.id in store.claims for c in report.claims)


def test_follow_up_reports_changed_repeat_and_new(service: ClaimService, store: InMemoryStore) -> None:
    first = service.check(tenant="t1", article=ArticleInput(text=FIRST))
    report = service.check(tenant="t1", article=ArticleInput(text=FOLLOW_UP))
    statuses = {c.claim.speaker: c.status for c in report.claims}
    assert statuses == {"Ben Wallace": Status.CHANGED, "Maria Lopez": Status.REPEAT, "Tom Reed": Status.NEW}
    changed = next(c for c in report.claims if c.status is Status.CHANGED)
    assert changed.match is not None
    assert changed.match.same_speaker
    assert any("70,000" in r and "100,000" in r for r in changed.match.reasons)
    repeat = next(c for c in report.claims if c.status is Status.REPEAT)
    # a repeat adds a mention to the stored claim instead of a second claim
    assert repeat.id == first.claims[1].id
    assert store.claims[repeat.id].mentions == 2


def test_a_swapped_verb_is_reported_as_a_change_naming_both_words(service: ClaimService) -> None:
    """One word apart, so cosine and overlap call it a repeat; the two words are unrelated (the
    fake encoder hashes them into different buckets), so it is a change."""
    service.check(
        tenant="t1", article=ArticleInput(text="Anna Whitfield said the council delayed the repairs.\n")
    )
    report = service.check(
        tenant="t1", article=ArticleInput(text="Anna Whitfield said the council funded the repairs.\n")
    )
    (checked,) = report.claims
    assert checked.status is Status.CHANGED
    assert checked.match is not None
    assert "a different word: funded vs delayed" in checked.match.reasons


def test_same_article_twice_is_not_counted_twice(service: ClaimService, store: InMemoryStore) -> None:
    first = service.check(tenant="t1", article=ArticleInput(text=FIRST))
    again = service.check(tenant="t1", article=ArticleInput(text="  " + FIRST.upper().lower() + "\n"))
    assert again.article.duplicate_of == first.article.id
    assert len(store.articles) == 1
    assert all(c.mentions == 1 for c in store.claims.values())
    assert any("already checked" in note for note in again.notes)


def test_dry_run_stores_nothing(service: ClaimService, store: InMemoryStore) -> None:
    report = service.check(tenant="t1", article=ArticleInput(text=FIRST), dry_run=True)
    assert report.summary.claims == 2
    assert not store.claims
    assert not store.articles


def test_failed_save_stores_nothing_and_raises(service: ClaimService, store: InMemoryStore) -> None:
    store.fail_next_save = True
    with pytest.raises(RuntimeError):
        service.check(tenant="t1", article=ArticleInput(text=FIRST))
    assert not store.claims
    assert not store.articles


@pytest.mark.parametrize("text", ["", "   \n\t  "])
def test_empty_text_is_refused(service: ClaimService, text: str) -> None:
    with pytest.raises(BadInput):
        service.check(tenant="t1", article=ArticleInput(text=text))


def test_tenants_never_see_each_other(service: ClaimService) -> None:
    service.check(tenant="discord:1", article=ArticleInput(text=FIRST))
    report = service.check(tenant="slack:T2", article=ArticleInput(text=FIRST))
    assert report.article.duplicate_of is None
    assert all(c.status is Status.NEW for c in report.claims)
    assert service.search(tenant="slack:T9", query="troops near the border") == []


def test_search_finds_and_filters_by_speaker(service: ClaimService) -> None:
    service.check(tenant="t1", article=ArticleInput(text=FOLLOW_UP))
    hits = service.search(tenant="t1", query="how many troops are near the border", top_k=3)
    assert hits[0].claim.speaker == "Ben Wallace"
    only_reed = service.search(tenant="t1", query="troops", top_k=3, speaker="Reed")
    assert {h.claim.speaker for h in only_reed} <= {"Tom Reed"}
    with pytest.raises(BadInput, match=r"no speaker called .Nobody Known."):
        service.search(tenant="t1", query="troops", speaker="Nobody Known")


def test_search_rejects_an_empty_query(service: ClaimService) -> None:
    with pytest.raises(BadInput):
        service.search(tenant="t1", query="   ")


def test_import_skips_lines_already_imported(service: ClaimService) -> None:
    claims = [KnownClaim(external_id=f"fc-{i}", text=f"Claim number {i} about bridges") for i in range(5)]
    first = service.import_claims(tenant="t1", claims=claims)
    second = service.import_claims(tenant="t1", claims=claims)
    assert (first.imported, first.skipped_duplicates) == (5, 0)
    assert (second.imported, second.skipped_duplicates) == (0, 5)
    hit = service.search(tenant="t1", query="claim number 3 about bridges", top_k=1)[0]
    assert hit.claim.external_id == "fc-3"


def test_read_source_fetches_links_and_keeps_text(service: ClaimService) -> None:
    article = service.read_source("https://news.example/bridge")
    assert article.url == "https://news.example/bridge"
    assert "bridge" in article.text
    with pytest.raises(LinkRefused):
        service.read_source("https://news.example/missing")
    assert service.read_source("plain pasted text").text == "plain pasted text"


def test_speaker_timeline_by_alias(service: ClaimService) -> None:
    service.check(tenant="t1", article=ArticleInput(text=FIRST))
    found = service.speaker_timeline(tenant="t1", name="Wallace")
    assert found is not None
    speaker, claims = found
    assert speaker.name == "Ben Wallace"
    assert len(claims) == 1


def test_per_tenant_thresholds_override_the_defaults(service: ClaimService) -> None:
    default = service.thresholds_for(tenant="strict")
    strict = service.set_thresholds(tenant="strict", repeat=0.99)
    assert strict.repeat == 0.99
    assert strict.changed == default.changed
    assert service.thresholds_for(tenant="other").repeat == default.repeat
    # a reworded statement is a repeat by default, but not under this tenant's stricter bar
    reworded = "Maria Lopez said that the new bridge opens to traffic in spring.\n"
    for tenant in ("strict", "other"):
        service.check(tenant=tenant, article=ArticleInput(text=FIRST))
    strict_report = service.check(tenant="strict", article=ArticleInput(text=reworded))
    other_report = service.check(tenant="other", article=ArticleInput(text=reworded))
    assert other_report.claims[0].status is Status.REPEAT
    assert strict_report.claims[0].status is not Status.REPEAT
    assert service.set_thresholds(tenant="strict", reset=True).repeat == default.repeat


@pytest.mark.parametrize("value", [0.0, 1.0, 1.5, -0.2])
def test_thresholds_outside_zero_one_are_refused(service: ClaimService, value: float) -> None:
    with pytest.raises(BadInput, match="between 0 and 1"):
        service.set_thresholds(tenant="t", repeat=value)


def test_a_file_is_prepared_once_and_its_notes_reach_the_report(service: ClaimService) -> None:
    paragraphs = "".join(f"<p>{line}</p>" for line in FIRST.splitlines())
    page = f"<html><head><title>Bridge news</title></head><body><article>{paragraphs}</article></body></html>"
    article = service.read_file(page.encode("utf-8"))
    assert article.text == page  # only decoded: check() prepares it
    report = service.check(tenant="t1", article=article)
    assert any("the text was HTML" in note for note in report.notes)
    assert report.article.title == "Bridge news"
    assert report.summary.speakers == ("Ben Wallace", "Maria Lopez")
