"""The language a text is written in (``detect_language``), without a model: the dominant
script first, then which language's function words are most frequent.
"""

from __future__ import annotations

import re
import unicodedata

from bot.text_prose import URL_OR_EMAIL_RE

_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def _words(listing: str) -> frozenset[str]:
    return frozenset(listing.split())


# Frequent function words per language. English is what we accept; the others exist so
# a French text is called French (and a short English text with few function words is
# not refused just for having few: it must lose to another language to be refused).
_STOPWORDS: dict[str, frozenset[str]] = {
    "English": _words(
        """the of and to a in is that for it was on with as he she his her by at be this
        are from or have has had an they not but which were their been would will there
        we you i its who said also more than after about into over when can could should
        what all one up out if no so do does did them these those our my your him me us
        says while because before under between against during without most other some such
        only new just first two how where why then now being may might must any each
        """
    ),
    "French": _words(
        """le la les de des du un une et est en que qui dans pour pas sur au aux avec ce
        cette ces il elle ils elles nous vous je sont été être ont mais ou où par plus se
        sa son ses leur leurs lui y ne même aussi tout très fait comme était selon après
        dit avait sous entre depuis
        """
    ),
    "German": _words(
        """der die das und ist nicht ein eine einen dem den des zu mit sich auf für von im
        auch es an sie er wir ihr wie als bei noch nach aus wird werden wurde hat haben
        sind war dass oder aber nur über vor so kein keine um einem einer durch sei sagte
        unter gegen seit sein seine ihre diese dieser mehr
        """
    ),
    "Spanish": _words(
        """el la los las de del y en que un una es por con para no se su sus al lo como
        más pero fue ha son está están era ser este esta estos sobre entre también muy
        cuando donde porque sin hay ya o ni le les nos desde según dijo ella él bajo
        estaba tiene hace todo todos otro
        """
    ),
    "Italian": _words(
        """il lo la gli le di del della dei delle e è un una che per con non si sono nel
        nella al alla da dal ma anche come più questo questa essere stato ha hanno
        """
    ),
    "Portuguese": _words(
        """o a os as de do da dos das e é um uma que em no na nos nas por para com não se
        seu sua ao mais como mas foi são está ele ela também pelo pela
        """
    ),
    "Dutch": _words(
        """de het een en van in is dat op te zijn met voor niet aan er die maar om ook als
        bij door was worden wordt werd naar uit heeft hebben zij wij ze hij
        """
    ),
}

_SCRIPT_NAMES = {
    "CYRILLIC": "Russian or another language in Cyrillic script",
    "GREEK": "Greek",
    "ARABIC": "Arabic script",
    "HEBREW": "Hebrew",
    "CJK": "Chinese or Japanese",
    "HIRAGANA": "Japanese",
    "KATAKANA": "Japanese",
    "HANGUL": "Korean",
    "DEVANAGARI": "Hindi or another language in Devanagari script",
    "THAI": "Thai",
    "ARMENIAN": "Armenian",
    "GEORGIAN": "Georgian",
}

_MIN_WORDS_FOR_LANGUAGE = 6  # below this we cannot tell and do not refuse
_MIN_FOREIGN_HITS = 3  # another language must show at least this many of its function words
_MIN_FOREIGN_RATIO = 0.12  # ... and make up this share of the words (prose runs at 30-50 %)


def _dominant_script(sample: str) -> str | None:
    """The non-Latin script most letters are written in, or None when Latin dominates."""
    counts: dict[str, int] = {}
    letters = 0
    for char in sample:
        if not char.isalpha():
            continue
        letters += 1
        if char.isascii():
            continue
        name = unicodedata.name(char, "")
        script = name.split(" ", 1)[0]
        if script in _SCRIPT_NAMES:
            counts[script] = counts.get(script, 0) + 1
    if not counts or letters == 0:
        return None
    script, count = max(counts.items(), key=lambda item: item[1])
    return script if count > 0.5 * letters else None


def detect_language(text: str, *, sample_chars: int = 20_000) -> str | None:
    """The language a text is written in: "English", another name, or None when too short to tell.

    A dependency-free test: the dominant script first, then which language's function
    words are most frequent. It names only languages it knows and says "English" unless
    another language clearly wins.
    """
    sample = text[:sample_chars]
    script = _dominant_script(sample)
    if script is not None:
        return _SCRIPT_NAMES[script]
    prose = URL_OR_EMAIL_RE.sub(" ", sample)  # "un.org/ha/..." is not Spanish
    words = [word.casefold().replace("’", "'") for word in _WORD_RE.findall(prose)]
    if len(words) < _MIN_WORDS_FOR_LANGUAGE:
        return None
    # Single letters ("a", "e", "o", "y") are initials and list markers as often as words.
    counted = [word for word in words if len(word) > 1]
    hits = {
        language: sum(1 for word in counted if word in stopwords)
        for language, stopwords in _STOPWORDS.items()
    }
    english = hits.pop("English")
    best_other, best_hits = max(hits.items(), key=lambda item: item[1])
    # A short sentence has few function words: two suffice when not one of them is English.
    needed = _MIN_FOREIGN_HITS if english else _MIN_FOREIGN_HITS - 1
    if best_hits >= needed and best_hits > english and best_hits >= _MIN_FOREIGN_RATIO * len(words):
        return best_other
    return "English"
