"""Loaders and an on-disk embedding cache shared by ``eval_matching.py`` and ``tune_matching.py``.

Not part of the product: reads ``../shared/data`` (path given on the command line).
"""

from __future__ import annotations

import csv
import hashlib
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from bot.inference.encoder import MiniLMEncoder, TorchRunner
from bot.ports import Encoder

csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True)
class MrpcPair:
    a: str
    b: str
    label: int


@dataclass(frozen=True)
class CheckThat:
    claim_ids: list[str]
    claims: list[str]
    titles: list[str]
    queries: dict[str, dict[str, str]]  # split -> tweet id -> text
    qrels: dict[str, dict[str, set[str]]]  # split -> tweet id -> relevant claim ids


def load_mrpc(data: Path) -> list[MrpcPair]:
    pairs: list[MrpcPair] = []
    with (data / "mrpc" / "msr_paraphrase_train.txt").open(encoding="utf-8-sig") as fh:
        next(fh)
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 5:
                pairs.append(MrpcPair(parts[3], parts[4], int(parts[0])))
    return pairs


def _read_tsv(path: Path, *, quoted: bool = False) -> list[list[str]]:
    # The claims file quotes fields that hold tabs, quotes or line breaks; the tweet files do not.
    with path.open(encoding="utf-8", newline="") as fh:
        if quoted:
            return list(csv.reader(fh, delimiter="\t"))
        return list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def load_checkthat(data: Path) -> CheckThat:
    root = data / "checkthat2020-task2"
    ids, claims, titles = [], [], []
    for row in _read_tsv(root / "verified_claims.docs.tsv", quoted=True)[1:]:
        if len(row) >= 2:
            ids.append(row[0])
            claims.append(" ".join(row[1].split()))
            titles.append(row[2] if len(row) > 2 else "")
    queries: dict[str, dict[str, str]] = {}
    qrels: dict[str, dict[str, set[str]]] = {}
    for split in ("train", "dev"):
        queries[split] = {
            r[0]: r[1] for r in _read_tsv(root / split / "tweets.queries.tsv")[1:] if len(r) >= 2
        }
        rel: dict[str, set[str]] = defaultdict(set)
        for r in _read_tsv(root / split / "tweet-vclaim-pairs.qrels"):
            if len(r) >= 4 and r[3].strip() == "1":
                rel[r[0]].add(r[2])
        qrels[split] = dict(rel)
    return CheckThat(ids, claims, titles, queries, qrels)


class EmbeddingCache:
    """Vectors keyed by the SHA-1 of the text, kept in one ``.npz`` under ``build/``."""

    def __init__(self, path: Path, encoder: Encoder) -> None:
        self.path = path
        self.encoder = encoder
        self._vectors: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path) as npz:
                keys, mat = npz["keys"], npz["vectors"]
            self._vectors = {str(k): mat[i].copy() for i, k in enumerate(keys)}
        self._dirty = False

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def encode(self, texts: list[str], desc: str = "embedding", chunk: int = 256) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if self.key(t) not in self._vectors))
        if missing:
            for start in tqdm(range(0, len(missing), chunk), desc=desc, unit="chunk"):
                part = missing[start : start + chunk]
                for text, vec in zip(part, self.encoder.encode(part), strict=True):
                    self._vectors[self.key(text)] = vec.astype(np.float32)
                self._dirty = True
                if (start // chunk) % 8 == 7:
                    self.save()
            self.save()
        return (
            np.stack([self._vectors[self.key(t)] for t in texts]) if texts else np.zeros((0, 384), np.float32)
        )

    def save(self) -> None:
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():  # another run may have added vectors meanwhile: keep them
            with np.load(self.path) as npz:
                keys, mat = npz["keys"], npz["vectors"].copy()
            for i, k in enumerate(keys):
                self._vectors.setdefault(str(k), mat[i].copy())
        keys = np.array(list(self._vectors), dtype="U40")
        mat = np.stack(list(self._vectors.values())).astype(np.float32)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vectors=mat)
        tmp.replace(self.path)
        self._dirty = False


OVERLAY_NAME = "minilm_top_layers"


def apply_overlay(model: Any, path: Path) -> None:
    """Replace the parameters stored in ``path`` (safetensors, named as in ``model.state_dict()``),
    refusing a file that names a parameter the model lacks or gives it another shape."""
    from safetensors.torch import load_file

    tensors = load_file(str(path))
    own = model.state_dict()
    bad = [k for k, v in tensors.items() if k not in own or own[k].shape != v.shape]
    if bad or not tensors:
        raise RuntimeError(f"embedding overlay {path} does not fit the model: {bad[:3] or 'empty'}")
    model.load_state_dict({k: v.to(own[k].dtype) for k, v in tensors.items()}, strict=False)


class OverlayMiniLMEncoder(MiniLMEncoder):
    """The product's MiniLM with fine-tuned top layers from ``finetune_encoder.py`` laid over it
    (an experiment: the product does not ship them; see ``finetune_encoder.py``)."""

    def __init__(self, overlay: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.overlay = overlay

    def _load(self) -> None:
        if self._runner is not None:
            return
        super()._load()
        if not isinstance(self._runner, TorchRunner):
            raise RuntimeError("a fine-tuned overlay needs the PyTorch encoder (float32 or bfloat16)")
        apply_overlay(self._runner.model, self.overlay)


# ----------------------------------------------------------------------------- pair judge data
@dataclass(frozen=True)
class StsPair:
    a: str
    b: str
    score: float  # 0-5
    genre: str


def load_stsb(data: Path, split: str) -> list[StsPair]:
    """STS-B ``train`` or ``dev``: columns 4-6 of the tab-separated file (no quoting, see its SOURCE.md)."""
    pairs: list[StsPair] = []
    with (data / "stsb" / f"sts-{split}.csv").open(encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) >= 7:
                pairs.append(StsPair(row[5].strip(), row[6].strip(), float(row[4]), row[0]))
    return pairs


_SENTENCE_END = __import__("re").compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘A-Z])")


_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "gov",
    "sen",
    "rep",
    "st",
    "gen",
    "lt",
    "col",
    "jr",
    "sr",
    "no",
    "vs",
    "u.s",
    "d.c",
    "inc",
    "corp",
    "prof",
    "rev",
    "sgt",
    "capt",
    "ft",
}


def _merge_abbreviations(pieces: list[str]) -> list[str]:
    """Glues back a split made after "Mr." or "Gov." (the next piece is the same sentence)."""
    out: list[str] = []
    for piece in pieces:
        last = out[-1].rstrip().rsplit(" ", 1)[-1].rstrip(".").lower() if out else ""
        if out and out[-1].rstrip().endswith(".") and (last in _ABBREVIATIONS or len(last) == 1):
            out[-1] = out[-1].rstrip() + " " + piece
        else:
            out.append(piece)
    return out


def polnear_sentences(data: Path, split: str, *, min_words: int = 8, max_words: int = 40) -> list[list[str]]:
    """Per PolNeAR article of ``split``: its sentences of ``min_words``-``max_words`` words (a plain
    punctuation split, good enough to make pairs from; headlines and one-word lines are dropped)."""
    articles: list[list[str]] = []
    for file in sorted((data / "polnear" / split / "text").glob("*.txt")):
        sentences: list[str] = []
        for paragraph in file.read_text(encoding="utf-8").split("\n"):
            for sentence in _merge_abbreviations(_SENTENCE_END.split(paragraph.strip())):
                sentence = " ".join(sentence.split())
                if min_words <= len(sentence.split()) <= max_words and sentence[-1:] in '.!?"”':
                    sentences.append(sentence)
        if len(sentences) >= 2:
            articles.append(list(dict.fromkeys(sentences)))
    return articles


@dataclass(frozen=True)
class EditPair:
    a: str
    b: str
    kind: str  # number, negation, stance, reworded, other; swapped (swap_pairs)
    expected: str  # the product's verdict: repeat, changed or different
    same: int  # the judge's label: 1 = same proposition (explicit checks decide repeat/changed)


EDIT_EXPECTED = {
    "number": "changed",
    "negation": "changed",
    "stance": "changed",
    "reworded": "repeat",
    "other": "different",
}

_AUX = frozenset(
    {"is", "was", "are", "were", "will", "would", "can", "could", "should"}
    | {"has", "have", "had", "does", "did", "must"}
)
_CONTRACTED = {
    "doesn't": "does", "don't": "do", "didn't": "did", "isn't": "is", "wasn't": "was",
    "aren't": "are", "weren't": "were", "won't": "will", "can't": "can", "couldn't": "could",
    "wouldn't": "would", "shouldn't": "should", "hasn't": "has", "haven't": "have", "hadn't": "had",
}  # fmt: skip
_RE = __import__("re")
_NUMBER = _RE.compile(r"(?<![\w.,$])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w]|,\d|\.\d)")
# Opposite words with the same inflection, both ways (the stance edit).
_OPPOSITES = dict(
    pair
    for left, right in (
        ("supports", "opposes"), ("supported", "opposed"), ("support", "oppose"),
        ("increase", "decrease"), ("increased", "decreased"), ("increases", "decreases"),
        ("rose", "fell"), ("rise", "fall"), ("rises", "falls"), ("rising", "falling"),
        ("higher", "lower"), ("won", "lost"), ("win", "lose"), ("wins", "loses"),
        ("legal", "illegal"), ("approved", "rejected"), ("approve", "reject"),
        ("agreed", "disagreed"), ("agree", "disagree"), ("agrees", "disagrees"),
        ("allowed", "banned"), ("guilty", "innocent"), ("safe", "dangerous"),
        ("strong", "weak"), ("stronger", "weaker"), ("best", "worst"), ("before", "after"),
        ("started", "stopped"), ("opened", "closed"), ("joined", "left"),
        ("successful", "unsuccessful"), ("likely", "unlikely"), ("true", "false"),
    )
    for pair in ((left, right), (right, left))
)  # fmt: skip
# Meaning-preserving substitutions (the rewording edit).
_SYNONYMS = {
    "big": "large", "large": "big", "buy": "purchase", "bought": "purchased", "help": "assist",
    "helped": "assisted", "began": "started", "begin": "start", "shows": "indicates",
    "showed": "indicated", "children": "kids", "kids": "children", "quickly": "rapidly",
    "rapidly": "quickly", "important": "significant", "main": "primary", "tried": "attempted",
    "try": "attempt", "need": "require", "needs": "requires", "needed": "required",
    "nearly": "almost", "almost": "nearly", "often": "frequently", "frequently": "often",
    "country": "nation", "nation": "country", "countries": "nations", "said": "stated",
    "says": "states", "believe": "think", "believes": "thinks", "thinks": "believes",
    "think": "believe", "claimed": "asserted", "because": "since", "people": "individuals",
    "told": "informed", "enough": "sufficient", "percent": "%", "approximately": "about",
    "roughly": "about", "around": "about", "received": "got", "wanted": "wished",
    "called": "described", "asked": "requested", "before": "prior to", "after": "following",
    "lawmakers": "legislators", "legislators": "lawmakers", "officials": "authorities",
    "voters": "the electorate", "election": "vote", "candidate": "contender",
    "campaign": "bid", "president": "President", "administration": "government",
    "chief": "head", "huge": "enormous", "many": "numerous", "several": "a number of",
    "announced": "declared", "criticized": "attacked", "former": "ex-", "also": "additionally",
}  # fmt: skip
_DISCOURSE = _RE.compile(r"^(?:But|And|So|Still|Yet|Meanwhile|However|Also|Now|Indeed),?\s+(?=\w)")


def _match_case(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def _edit_number(sentence: str, rng: Any) -> str | None:
    found = [m for m in _NUMBER.finditer(sentence) if m.group(1) not in {"0", "1"}]
    if not found:
        return None
    m = rng.choice(found)
    whole, decimals = m.group(1), m.group(2) or ""
    value = float(whole.replace(",", "") + decimals)
    if not decimals and "," not in whole and 1900 <= value <= 2099:
        new = value + rng.choice([-3, -2, -1, 1, 2, 3])  # a year: another year
    elif value < 12 and not decimals:
        new = value + rng.choice([2, 3, 5])
    else:
        new = value * rng.choice([0.5, 0.6, 0.75, 1.3, 1.5, 2.0, 3.0])
    places = len(decimals) - 1 if decimals else 0
    text = f"{new:,.{places}f}" if "," in whole else f"{new:.{places}f}"
    if float(text.replace(",", "")) == value:
        return None
    return sentence[: m.start()] + text + sentence[m.end() :]


def _edit_negation(sentence: str, rng: Any) -> str | None:
    """Removes the first "not"/"n't" after an auxiliary, or adds "not" after the first auxiliary."""
    words_ = sentence.split(" ")
    for i, w in enumerate(words_):
        bare = w.lower().replace("’", "'")
        if bare in _CONTRACTED:
            words_[i] = _match_case(_CONTRACTED[bare], w)
            return " ".join(words_)
        if bare in {"not", "never"} and i > 0 and words_[i - 1].lower() in _AUX:
            return " ".join(words_[:i] + words_[i + 1 :])
    if any(w.lower() in {"no", "never", "nothing", "nobody", "none", "without"} for w in words_):
        return None
    for i, w in enumerate(words_[:-1]):
        if w.lower() in _AUX and words_[i + 1][:1].isalpha() and words_[i + 1].lower() not in {"not", "no"}:
            return " ".join([*words_[: i + 1], "not", *words_[i + 1 :]])
    return None


def _edit_stance(sentence: str, rng: Any) -> str | None:
    words_ = sentence.split(" ")
    spots = [i for i, w in enumerate(words_) if w.lower().strip(",.;:") in _OPPOSITES]
    if not spots:
        return None
    i = rng.choice(spots)
    core = words_[i].strip(",.;:")
    words_[i] = words_[i].replace(core, _match_case(_OPPOSITES[core.lower()], core))
    return " ".join(words_)


def _reword(sentence: str, rng: Any) -> str | None:
    """One to three meaning-preserving changes: synonyms, a dropped opening "But", contractions."""
    out = sentence
    changes = 0
    if _DISCOURSE.match(out) and rng.random() < 0.7:
        rest = _DISCOURSE.sub("", out)
        out = rest[:1].upper() + rest[1:]
        changes += 1
    words_ = out.split(" ")
    spots = [i for i, w in enumerate(words_) if w.lower().strip(",.;:") in _SYNONYMS]
    rng.shuffle(spots)
    for i in spots[: rng.choice([1, 2, 3])]:
        core = words_[i].strip(",.;:")
        new = _SYNONYMS[core.lower()]
        if new == "%" and i > 0 and words_[i - 1][-1:].isdigit():
            words_[i - 1] += "%" + words_[i][len(core) :]
            words_[i] = ""
        else:
            words_[i] = words_[i].replace(core, _match_case(new, core) if i == 0 else new)
        changes += 1
    out = " ".join(w for w in words_ if w)
    for full, short in (
        ("does not", "doesn't"),
        ("did not", "didn't"),
        ("is not", "isn't"),
        ("was not", "wasn't"),
    ):
        if full in out and rng.random() < 0.5:
            out = out.replace(full, short, 1)
            changes += 1
        elif short in out and rng.random() < 0.5:
            out = out.replace(short, full, 1)
            changes += 1
    return out if changes and out != sentence else None


_EDITORS = {"number": _edit_number, "negation": _edit_negation, "stance": _edit_stance, "reworded": _reword}


def edit_pairs(articles: list[list[str]], *, seed: int, per_kind: int) -> list[EditPair]:
    """Up to ``per_kind`` pairs of each kind (``EDIT_EXPECTED``) from the articles' sentences:
    a sentence and its edited copy, or (``other``) two sentences of the same article. The
    statement and its edit are put in a random order."""
    import random

    rng = random.Random(seed)
    order = [(ai, si) for ai, sentences in enumerate(articles) for si in range(len(sentences))]
    rng.shuffle(order)
    out: list[EditPair] = []
    counts = dict.fromkeys(EDIT_EXPECTED, 0)
    for ai, si in order:
        sentence = articles[ai][si]
        kinds = [k for k in _EDITORS if counts[k] < per_kind]
        rng.shuffle(kinds)
        edited = None
        for kind in kinds:  # at most one edit per sentence, the first that applies
            edited = _EDITORS[kind](sentence, rng)
            if edited and edited != sentence:
                break
        if edited and edited != sentence:
            a, b = (sentence, edited) if rng.random() < 0.5 else (edited, sentence)
            out.append(EditPair(a, b, kind, EDIT_EXPECTED[kind], 1))
            counts[kind] += 1
        if counts["other"] < per_kind and len(articles[ai]) > 1:
            others = [s for j, s in enumerate(articles[ai]) if j != si]
            other = rng.choice(others)
            wa, wb = set(sentence.lower().split()), set(other.lower().split())
            if len(wa & wb) / max(1, len(wa | wb)) < 0.5:
                out.append(EditPair(sentence, other, "other", "different", 0))
                counts["other"] += 1
        if all(c >= per_kind for c in counts.values()):
            break
    return out


# Content words a swap takes and puts in: verbs and common nouns, by Penn tag, so the swapped
# word keeps its inflection ("delayed" -> "funded", "repairs" -> "salaries").
_SWAP_TAGS = frozenset({"VBD", "VBN", "VBZ", "VBP", "VBG", "VB", "NN", "NNS"})
_SWAP_KEEP = frozenset(
    {"be", "have", "do", "say", "tell", "get", "make", "go", "will", "would", "can", "could", "may"}
    | {"might", "shall", "should", "must", "percent", "year", "years", "time", "people", "thing"}
)
_SWAP_VERB_DEPS = frozenset({"ROOT", "ccomp", "xcomp"})
_SWAP_NOUN_DEPS = frozenset({"dobj", "nsubj", "pobj"})


def _swappable(token: Any) -> bool:
    return (
        token.tag_ in _SWAP_TAGS
        and token.is_alpha
        and len(token.text) > 2
        and token.lemma_.lower() not in _SWAP_KEEP
        and token.lower_ not in _SYNONYMS
        and token.lower_ not in _OPPOSITES
        and not token.is_stop
    )


def swap_pairs(articles: list[list[str]], nlp: Any, *, seed: int, count: int) -> list[EditPair]:
    """Hard negatives: a sentence and its copy with one content word — a verb, or a noun the verb
    governs — swapped for another word of the same part of speech and inflection seen elsewhere in
    the corpus. The frame stays, the proposition goes ("the council had delayed the repairs" /
    "the council had funded the repairs"): cosine, word overlap and a judge trained on rewordings
    and unrelated sentences all read such pairs as the same statement. The judge's label: not the
    same proposition; the product's verdict: changed, naming the two words, as for a name put in
    place of another (``bot.matching.substitution``)."""
    import random

    rng = random.Random(seed)
    sentences = [s for article in articles for s in article]
    rng.shuffle(sentences)
    sentences = sentences[: count * 3]
    docs = list(nlp.pipe(sentences, batch_size=64))
    seen: dict[tuple[str, str], int] = defaultdict(int)
    for doc in docs:
        for token in doc:
            if _swappable(token) and token.pos_ == ("VERB" if token.tag_.startswith("V") else "NOUN"):
                seen[(token.tag_, token.lower_)] += 1
    # words tagged so at least twice: a tagger's slip ("feel" as a noun) seldom repeats
    pools: dict[str, list[str]] = defaultdict(list)
    for (tag, word), n in sorted(seen.items()):
        if n >= 2:
            pools[tag].append(word)
    out: list[EditPair] = []
    for sentence, doc in zip(sentences, docs, strict=True):
        verbs = [t for t in doc if _swappable(t) and t.pos_ == "VERB" and t.dep_ in _SWAP_VERB_DEPS]
        nouns = [t for t in doc if _swappable(t) and t.pos_ == "NOUN" and t.dep_ in _SWAP_NOUN_DEPS]
        spots = verbs if verbs and (not nouns or rng.random() < 0.5) else nouns
        if not spots:
            continue
        token = rng.choice(spots)
        choices = [w for w in pools[token.tag_] if w != token.lower_ and w[:4] != token.lower_[:4]]
        if not choices:
            continue
        new = _match_case(rng.choice(choices), token.text)
        edited = sentence[: token.idx] + new + sentence[token.idx + len(token.text) :]
        a, b = (sentence, edited) if rng.random() < 0.5 else (edited, sentence)
        out.append(EditPair(a, b, "swapped", "changed", 0))
        if len(out) >= count:
            break
    return out
