"""One word swapped: the same sentence frame with another verb or noun in it.

"The council had delayed the repairs" / "The council had funded the repairs" share every word
but one, so their cosine, word overlap and the pair judge all read them as one statement. On
PolNeAR dev sentences with one verb or noun swapped for another of the same tag
(``scripts.matching_data.swap_pairs``) the verdict was `repeat` for 379 of 400
(docs/measurements.md).
Whether the two words mean the same ("stay" / "remain", a rewording) or not is read, roughly,
from the MiniLM cosine of the two words alone: rewordings from a hand-made synonym list score
0.65 at the median, swapped words 0.28, but the two overlap (the model puts "help" / "assist" at
0.37, "campaign" / "bid" at 0.33, "delayed" / "funded" at 0.34). So only a pair of words far
apart counts as a change: the threshold keeps every one-word rewording of the edits (dev and
train) a repeat and catches about half of the swaps.

The word similarity comes from the caller (``WordSimilarity``, the sentence encoder on the two
words), so this module stays free of models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.matching.features import STOPWORDS, cased_tokens, stem
from bot.matching.negation import NEGATION_WORDS

# The MiniLM cosine of two single words below which they are not a rewording of each other.
# Tuned on PolNeAR dev edits (swapped words against the rewording edits' synonyms): below 0.33,
# where "campaign" / "bid" sits, no rewording of dev or train is lost; 0.30 leaves a margin.
SWAP_SIMILARITY = 0.30

WordSimilarity = Callable[[str, str], float]


@dataclass(frozen=True, slots=True)
class SwappedWord:
    before: str
    after: str

    def reason(self) -> str:
        return f"a different word: {self.before} vs {self.after}"


def swapped_word(a: str, b: str) -> SwappedWord | None:
    """The one word where ``a`` and ``b`` differ, when they are otherwise the same words in the
    same order and that word is an ordinary content word in both: not a stop word, a number, a
    negation, a name (capitalised past the first word: the names check reads those), nor another
    form of the same word ("said" / "says")."""
    words_a, words_b = cased_tokens(a), cased_tokens(b)
    if len(words_a) != len(words_b) or len(words_a) < 3:
        return None
    differ = [i for i, (x, y) in enumerate(zip(words_a, words_b, strict=True)) if x.lower() != y.lower()]
    if len(differ) != 1:
        return None
    i = differ[0]
    x, y = words_a[i], words_b[i]
    for word in (x, y):
        low = word.lower()
        if (
            not word.isalpha()
            or len(word) < 3
            or low in STOPWORDS
            or low in NEGATION_WORDS
            or (i > 0 and word[:1].isupper())
        ):
            return None
    if stem(x) == stem(y):
        return None
    return SwappedWord(x.lower(), y.lower())


def word_swap_difference(a: str, b: str, word_similarity: WordSimilarity | None) -> str | None:
    """The reason to call the pair "changed" when one content word was swapped for another that
    does not mean the same; None otherwise (or with no way to compare words)."""
    if word_similarity is None:
        return None
    swap = swapped_word(a, b)
    if swap is None or word_similarity(swap.before, swap.after) >= SWAP_SIMILARITY:
        return None
    return swap.reason()
