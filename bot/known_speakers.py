"""Known speakers across articles: one stored speaker per person per tenant.

"Putin", "Vladimir Putin" and "Russian President Vladimir Putin" must land on the same
stored speaker. In-article resolution (pronouns, roles) happens in ``bot.nlp.speakers``;
this module only reconciles a resolved name with the tenant's known speakers.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.models import Speaker, SpeakerKind
from bot.words import family_name_index

_TITLE_WORDS = frozenset(
    (
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "prof",
        "sir",
        "dame",
        "lord",
        "lady",
        "president",
        "prime",
        "minister",
        "secretary",
        "senator",
        "sen",
        "rep",
        "representative",
        "governor",
        "gov",
        "chancellor",
        "king",
        "queen",
        "prince",
        "princess",
        "general",
        "gen",
        "defense",
        "defence",
        "foreign",
        "chief",
        "minister's",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "mayor",
        "judge",
        "justice",
        "the",
        "former",
        "acting",
        "deputy",
        "vice",
        "us",
        "u.s.",
        "uk",
        "british",
        "russian",
        "ukrainian",
        "american",
        "french",
        "german",
        "chinese",
    )
)


@lru_cache(maxsize=65_536)  # every check compares its speakers with all of the tenant's
def normalise_name(name: str) -> str:
    """Case-, accent- and punctuation-insensitive key for a speaker name."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("’", "'")
    text = re.sub(r"'s\b", "", text)
    text = re.sub(r"[^\w\s-]", " ", text)
    return " ".join(text.split())


def _core_tokens(name: str) -> list[str]:
    """Name tokens without leading titles ("russian president vladimir putin" -> [vladimir, putin])."""
    tokens = normalise_name(name).split()
    while len(tokens) > 1 and tokens[0] in _TITLE_WORDS:
        tokens.pop(0)
    return tokens


@dataclass(frozen=True, slots=True)
class ResolvedSpeaker:
    name: str
    kind: SpeakerKind
    aliases: tuple[str, ...]
    known_id: str | None  # the stored speaker it matched, if any


def resolve_speaker(
    name: str,
    kind: SpeakerKind,
    aliases: Sequence[str],
    known: Iterable[Speaker],
) -> ResolvedSpeaker:
    """Maps an article's speaker onto a stored speaker of the tenant, or keeps it as new.

    Matching order: exact name or alias; then the person's full name (title-stripped);
    then a surname against a unique known person with that surname (and the reverse,
    a known surname-only speaker upgraded to the full name). Ambiguous surnames stay apart:
    two Johnsons are not merged on "Johnson" alone.
    """
    known = list(known)
    forms = [name, *aliases]
    keys = {normalise_name(f) for f in forms if f.strip()}
    core = _core_tokens(name)
    for speaker in known:
        speaker_keys = {normalise_name(speaker.name), *(normalise_name(a) for a in speaker.aliases)}
        if keys & speaker_keys and not _other_people(core, _core_tokens(speaker.name)):
            return _merge(speaker, name, aliases)

    if not core:
        return ResolvedSpeaker(name, kind, tuple(aliases), None)
    core_key = _without_initials(core)
    for speaker in known:
        if _without_initials(_core_tokens(speaker.name)) == core_key:
            return _merge(speaker, name, aliases)

    if kind is SpeakerKind.ORGANISATION and name == name.lower() and len(core) >= 2:
        # a described body ("the transport authority") is the one known body whose name ends
        # so ("regional transport authority"), as a surname is the one known person's; a
        # bare head word ("the council") is too vague to go by
        bodies = [
            s
            for s in known
            if s.kind is SpeakerKind.ORGANISATION
            and len(tokens := _core_tokens(s.name)) > len(core)
            and tokens[-len(core) :] == core
        ]
        if len(bodies) == 1:
            return _merge(bodies[0], name, aliases)
    if kind in (SpeakerKind.PERSON, SpeakerKind.UNKNOWN):
        people = [s for s in known if s.kind in (SpeakerKind.PERSON, SpeakerKind.UNKNOWN)]
        if len(core) == 1:
            same_surname = [s for s in people if _family_name(s.name) == core[0]]
            if len(same_surname) == 1:
                return _merge(same_surname[0], name, aliases)
        else:
            upgraded = [s for s in people if _core_tokens(s.name) == [_family_name(name)]]
            if len(upgraded) == 1:
                return ResolvedSpeaker(
                    name,
                    kind,
                    tuple(dict.fromkeys([*aliases, upgraded[0].name])),
                    upgraded[0].id,
                )
    return ResolvedSpeaker(name, kind, tuple(aliases), None)


def _family_name(name: str) -> str | None:
    """The word a person is called by alone: the surname ("Ban" for "Ban Ki-moon")."""
    core = _core_tokens(name)
    if not core:
        return None
    words = name.split()[-len(core) :]
    return core[family_name_index(words)] if len(words) == len(core) else core[-1]


def _without_initials(core: Sequence[str]) -> tuple[str, ...]:
    """ "Donald J. Trump" and "Donald Trump" are one name; a lone initial is kept ("J. Smith")."""
    full = tuple(t for t in core if len(t) > 1)
    return full if len(full) >= 2 else tuple(core)


def _other_people(a: Sequence[str], b: Sequence[str]) -> bool:
    """Two full names with one surname and different first names are two people, though each
    may be called by the surname alone: "Ivanka Trump" is not "Donald Trump"."""
    return len(a) >= 2 and len(b) >= 2 and a[-1] == b[-1] and a[0] != b[0] and len(a[0]) > 1 and len(b[0]) > 1


_NAME_PARTICLES = frozenset({"al", "bin", "da", "de", "del", "der", "di", "du", "ibn", "la", "le", "van"})


def fuller_name(current: str, candidate: str) -> str:
    """The name to show for one person known by both: the fuller one ("Donald Trump" over
    "Trump", "Tom Udall" from "Senator Tom Udall"); a title is no fuller name ("President
    Trump") and a description is none ("Council leader Anna Whitfield")."""
    have, offered = _core_tokens(current), _core_tokens(candidate)
    if not (len(offered) > len(have) and have and offered[-len(have) :] == have):
        return current
    words = candidate.split()
    while len(words) > 1 and normalise_name(words[0]) in _TITLE_WORDS:
        words.pop(0)
    # the words it adds open with a first name: "Donald Trump", not a headline's "Rival
    # Hillary Clinton"
    if (
        all(w[:1].isupper() or w.lower() in _NAME_PARTICLES for w in words)
        and len(words) > len(current.split())
        and _known_first_name(words[0])
    ):
        return " ".join(words)
    return current


def _known_first_name(word: str) -> bool:
    from bot.nlp.name_genders import first_name_genders, first_name_leanings

    key = word.lower().rstrip(".")
    return word[:1].isupper() and (key in first_name_genders() or key in first_name_leanings())


def _merge(speaker: Speaker, name: str, aliases: Sequence[str]) -> ResolvedSpeaker:
    canonical = speaker.name
    if speaker.kind in (SpeakerKind.PERSON, SpeakerKind.UNKNOWN):
        canonical = fuller_name(canonical, name)
    forms = (speaker.name, *speaker.aliases, name, *aliases)
    return ResolvedSpeaker(
        canonical,
        speaker.kind,
        tuple(dict.fromkeys(a for a in forms if normalise_name(a) != normalise_name(canonical))),
        speaker.id,
    )


# ---------------------------------------------------------------------------- typed names
def find_speaker(name: str, known: Sequence[Speaker]) -> Speaker | None:
    """The stored speaker a typed name means: its name or an alias, else the unique person
    with that surname or full name ("Putin" → "Vladimir Putin"); None when there is none."""
    key = normalise_name(name)
    if not key:
        return None
    for speaker in known:
        if key in {normalise_name(speaker.name), *(normalise_name(a) for a in speaker.aliases)}:
            return speaker
    resolved = resolve_speaker(name, SpeakerKind.UNKNOWN, (), known)
    if resolved.known_id:
        return next(s for s in known if s.id == resolved.known_id)
    return None


def names_to_show(speaker: Speaker) -> tuple[str, ...]:
    """The other names a reader should see for a speaker ("also called"): the forms its
    mentions took, cut before an apposition ("Trump, appearing after Clinton at the forum"),
    without a mention the parse ran too wide ("a Bloomberg interview Trump", "The ad uses
    footage of Hillary Clinton") and without repeats. Every alias still finds the speaker."""
    seen = {normalise_name(speaker.name)}
    shown: list[str] = []
    for alias in speaker.aliases:
        form = re.split(r",|\s[―—–]|\s--\s", alias, maxsplit=1)[0].strip()
        key = normalise_name(form)
        if not key or key in seen or not _reads_as_a_name(form):
            continue
        seen.add(key)
        shown.append(form)
    return tuple(shown)


def _reads_as_a_name(form: str) -> bool:
    """Capitalised words, with titles, particles and determiners between them ("the Republican
    nominee", "Mr. Trump", "Bill de Blasio"); a run of ordinary words is a sentence's piece."""
    words = form.split()
    ordinary = [
        w
        for w in words
        if w[:1].islower()
        and w.lower().strip(".")
        not in _TITLE_WORDS | _ROLE_WORDS | _NAME_PARTICLES | {"a", "an", "of", "for"}
    ]
    return not ordinary and not re.search(r"['’]s\b", form)


# roles a description of a speaker is named by ("the Republican nominee", "the Vermont senator")
_ROLE_WORDS = frozenset(
    [
        "nominee",
        "candidate",
        "senator",
        "governor",
        "mayor",
        "spokesman",
        "spokeswoman",
        "chairman",
        "chairwoman",
        "leader",
        "official",
        "officials",
        "director",
        "ambassador",
        "businessman",
        "businesswoman",
        "adviser",
        "aide",
    ]
)


def closest_names(name: str, known: Iterable[Speaker], *, limit: int = 3) -> list[str]:
    """Up to ``limit`` canonical names spelled most like ``name`` (its aliases count too)."""
    names = {n: s.name for s in known for n in (s.name, *s.aliases)}
    near = difflib.get_close_matches(name, list(names), n=5, cutoff=0.6)
    return list(dict.fromkeys(names[n] for n in near))[:limit]


def unknown_speaker_reason(name: str, known: Iterable[Speaker]) -> str:
    """ "no speaker called 'Ben Walace' has been seen here; closest: Ben Wallace" """
    closest = closest_names(name, known)
    reason = f"no speaker called {name!r} has been seen here"
    return reason + (f"; closest: {', '.join(closest)}" if closest else "")
