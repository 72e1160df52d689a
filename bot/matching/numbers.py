"""Numbers in a statement: digits with separators, "70k", "1.5 million", spelled-out numbers,
percentages, money and years, normalised to values so that "70,000" == "70 thousand".

Pure functions; no model. Used to tell a repeated statement from a changed one
("about 70,000 troops" -> "about 100,000 troops").
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from bot.matching.features import swapped_in_place

logger = logging.getLogger(__name__)

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
SCALES = {
    "hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000,
}  # fmt: skip
SUFFIX_SCALES = {"k": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000, "b": 1_000_000_000}
EXTRA_WORDS = {"dozen": 12, "a dozen": 12, "half": 0.5}
CURRENCY_SYMBOLS = {"$": "$", "€": "€", "£": "£", "¥": "¥"}
CURRENCY_WORDS = {
    "dollar": "$", "dollars": "$", "usd": "$", "euro": "€", "euros": "€", "eur": "€",
    "pound": "£", "pounds": "£", "gbp": "£", "yen": "¥",
}  # fmt: skip
PERCENT_WORDS = ("%", "percent", "per cent", "pct", "percentage points")
ROUNDING_TOLERANCE = 0.01  # relative difference under which two quantities are the same
MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip

_WORD_NUMBER = "|".join(sorted([*UNITS, *TENS], key=len, reverse=True))
_SCALE = "|".join(SCALES)
_NUMBER_RE = re.compile(
    r"""
    (?P<cur>[$€£¥])?\s?
    (?:
        (?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)
        (?:\s?(?P<suffix>k|m|mn|bn|b)\b)?
      |
        (?P<words>(?:(?:"""
    + _WORD_NUMBER
    + r"""|"""
    + _SCALE
    + r""")(?:[\s-]+(?:and\s+)?)?)+)
    )
    (?:\s?(?P<scale>"""
    + _SCALE
    + r"""))?
    (?P<pct>\s?(?:%|percent\b|per\s?cent\b|pct\b))?
    """,
    re.VERBOSE | re.IGNORECASE,
)
_WORD_TOKEN_RE = re.compile(r"[a-z]+", re.IGNORECASE)
# "10:33", "12:01 p.m.", "5pm", "9.30 a.m."
_CLOCK_RE = re.compile(
    r"(?<![\d.,])\d{1,2}(?::\d{2}(?!\d)(?:\s?[ap]\.?m\.?(?![a-z]))?|(?:\.\d{2})?\s?[ap]\.?m\.?(?![a-z]))",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Quantity:
    value: float
    kind: str  # "number", "percent", "money", "year"
    text: str  # as written
    currency: str = ""

    def same_as(self, other: Quantity) -> bool:
        if self.kind != other.kind and {self.kind, other.kind} != {"number", "year"}:
            # "70,000 troops" vs "$70,000": a different thing, not the same number
            return False
        if self.currency and other.currency and self.currency != other.currency:
            return False
        if self.kind == "year" or other.kind == "year":
            return self.value == other.value
        # Rounding is not a change: "60,000 years" vs "59,619 years", "1,861.52" vs "1,863.18".
        return abs(self.value - other.value) <= ROUNDING_TOLERANCE * max(abs(self.value), abs(other.value))

    def display(self) -> str:
        return self.text.strip()


def words_to_number(words: str) -> float | None:
    """ "seventy thousand" -> 70000; "two hundred and five" -> 205; None when not a number."""
    tokens = [t.lower() for t in _WORD_TOKEN_RE.findall(words) if t.lower() != "and"]
    if not tokens:
        return None
    total = 0.0
    current = 0.0
    seen = False
    for tok in tokens:
        if tok in UNITS:
            current += UNITS[tok]
        elif tok in TENS:
            current += TENS[tok]
        elif tok in SCALES:
            scale = SCALES[tok]
            if scale == 100:
                current = (current or 1) * 100
            else:
                total += (current or 1) * scale
                current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


def extract_numbers(text: str) -> list[Quantity]:
    """Every quantity mentioned in ``text``, in order of appearance."""
    return list(_extract_numbers(text))


@lru_cache(maxsize=16_384)  # pair scoring asks for the same text's numbers many times
def _extract_numbers(text: str) -> tuple[Quantity, ...]:
    found: list[Quantity] = []
    clocks = [m.span() for m in _CLOCK_RE.finditer(text)]
    for m in _NUMBER_RE.finditer(text):
        raw = m.group(0)
        if not raw.strip() or not (m.group("digits") or m.group("words")):
            continue
        end = m.end()
        start = m.start("cur") if m.group("cur") else m.start("digits" if m.group("digits") else "words")
        # Inside a word or an identifier ("COVID-19", "F-35", "G7", "B2B"): not a quantity.
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "-_/") and not m.group("cur"):
            continue
        if end < len(text) and text[end - 1].isdigit() and (text[end].isalpha() or text[end] == "_"):
            continue
        # A clock time ("as of 10:33 a.m.") says when, not how many.
        if any(c_start <= start < c_end for c_start, c_end in clocks):
            continue
        scale = 1.0
        if m.group("suffix"):
            scale = SUFFIX_SCALES[m.group("suffix").lower()]
        if m.group("scale"):
            scale *= SCALES[m.group("scale").lower()]
        if m.group("digits"):
            value = float(m.group("digits").replace(",", "")) * scale
        else:
            words = m.group("words").strip(" -")
            # "one" is as often a pronoun as a number ("one of them"); keep it only with a scale or unit.
            if words.lower() in {"one", "zero"} and scale == 1 and not m.group("pct") and not m.group("cur"):
                continue
            parsed = words_to_number(words)
            if parsed is None:
                continue
            value = parsed * scale
        currency = CURRENCY_SYMBOLS.get(m.group("cur") or "", "")
        tail = text[end : end + 12].lower()
        if not currency:
            word = re.match(r"\s*([a-z]+)", tail)
            if word and word.group(1) in CURRENCY_WORDS:
                currency = CURRENCY_WORDS[word.group(1)]
        if m.group("pct"):
            kind = "percent"
        elif currency:
            kind = "money"
        elif m.group("digits") and re.fullmatch(r"(1[6-9]|20)\d\d", m.group("digits")) and scale == 1:
            kind = "year"
        else:
            kind = "number"
        found.append(Quantity(value=value, kind=kind, text=text[start:end].strip(), currency=currency))
    return tuple(found)


def _pair_up(
    left: list[Quantity], right: list[Quantity]
) -> tuple[list[tuple[Quantity, Quantity]], list[Quantity]]:
    """(each of ``left``'s quantities that ``right`` states too, with ``right``'s; the rest of
    ``left``): each of ``right``'s quantities answers one of ``left``'s at most."""
    pool = list(right)
    matched: list[tuple[Quantity, Quantity]] = []
    rest: list[Quantity] = []
    for q in left:
        hit = next((i for i, r in enumerate(pool) if q.same_as(r)), None)
        if hit is None:
            rest.append(q)
        else:
            matched.append((q, pool.pop(hit)))
    return matched, rest


@dataclass(frozen=True, slots=True)
class NumberCheck:
    only_a: tuple[Quantity, ...]
    only_b: tuple[Quantity, ...]
    both: tuple[tuple[Quantity, Quantity], ...]  # (a's, b's) for each quantity both state

    @property
    def shared(self) -> int:
        return len(self.both)

    @property
    def shared_figures(self) -> tuple[Quantity, ...]:
        """The quantities both give exactly that pin down which fact two statements report ("4.2
        percent" / "4.2%", "70,000" / "seventy thousand"): not rounded ("46 percent" / "46.2
        percent" may be another poll's, or the same figures with the candidates swapped), not a
        year (it says when), not a count under ten ("the two parties"), not a bare scale
        ("millions of dollars")."""
        return tuple(
            q
            for q, r in self.both
            if q.value == r.value
            and q.kind != "year"
            and not (q.kind == "number" and q.value < 10)
            and q.text.lower().rstrip("s") not in SCALES
        )

    @property
    def conflict(self) -> bool:
        """Both sides state a quantity of the same kind that the other does not: "70,000" vs
        "100,000", "12%" vs "15%", "in 2019" vs "in 2020" (but not "13 cents" vs "1.5 percent")."""
        return bool(self.conflicting())

    def conflicting(self) -> tuple[list[Quantity], list[Quantity]] | None:
        kinds = {q.kind for q in self.only_a} & {q.kind for q in self.only_b}
        if not kinds:
            return None
        return [q for q in self.only_a if q.kind in kinds], [q for q in self.only_b if q.kind in kinds]

    @property
    def one_sided(self) -> bool:
        return bool(self.only_a) != bool(self.only_b)

    def reason(self) -> str | None:
        pair = self.conflicting()
        if pair:
            a = ", ".join(q.display() for q in pair[0])
            b = ", ".join(q.display() for q in pair[1])
            return f"numbers differ: {a} vs {b}"
        if self.only_a and self.only_b:
            a = ", ".join(q.display() for q in self.only_a)
            b = ", ".join(q.display() for q in self.only_b)
            return f"different quantities: {a} vs {b}"
        if self.only_a or self.only_b:
            extra = self.only_a or self.only_b
            return "only one mentions " + ", ".join(q.display() for q in extra)
        return None


_WORD_EDGES = "\"'“”‘’()[],.;:!?"


def digits_changed_in_place(a: str, b: str) -> tuple[str, str] | None:
    """Words with digits put in place of each other, the rest the same: times ("9:00AM" vs
    "11:00AM"), dates ("9/11" vs "9/16"), ranges ("2007-09" vs "2007-12") and codes ("EB-5" vs
    "EB-8") that are not quantities, so ``compare_numbers`` does not read them; or None."""
    wa = [w.strip(_WORD_EDGES).lower() for w in a.split()]
    wb = [w.strip(_WORD_EDGES).lower() for w in b.split()]
    return swapped_in_place(wa, wb, _other_digits)


def _other_digits(x: str, y: str) -> bool:
    """Both words hold digits, and not the same numbers ("9:00" is "9")."""

    def numbers(word: str) -> list[int]:
        return [int(d) for d in re.findall(r"\d+", word) if int(d)]

    return bool(re.search(r"\d", x) and re.search(r"\d", y)) and numbers(x) != numbers(y)


def compare_numbers(a: str, b: str) -> NumberCheck:
    qa, qb = extract_numbers(a), extract_numbers(b)
    both, only_a = _pair_up(qa, qb)
    _, only_b = _pair_up(qb, qa)
    return NumberCheck(tuple(only_a), tuple(only_b), tuple(both))
