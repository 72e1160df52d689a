"""Convert UD English-EWT (.conllu) + UNER English-EWT (.iob2) into spaCy DocBin corpora.

One corpus trains tagger, morphologizer, lemmatizer, parser and NER together: UNER annotates the
very same EWT sentences (same ``sent_id``), so its PER / ORG / LOC spans are merged into the UD docs.
Sentences are grouped into multi-sentence docs (per ``newdoc``, at most ``--doc-sents`` sentences)
so the parser also learns where sentences start.

    python -m scripts.convert_data --data ../shared/data --out build/corpus

Never add UD_English-GUM to the shipped corpus: its licence is non-commercial.
"""

from __future__ import annotations

import argparse
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spacy.tokens import Doc, DocBin, Span
from spacy.vocab import Vocab

logger = logging.getLogger(__name__)

ENTITY_LABELS = ("PER", "ORG", "LOC")
SPLITS = ("train", "dev", "test")


@dataclass
class UDWord:
    form: str
    lemma: str
    upos: str
    xpos: str
    feats: str
    head: int  # 1-based within the sentence, 0 = root
    deprel: str
    space_after: bool


@dataclass
class UDSentence:
    sent_id: str
    newdoc: bool
    words: list[UDWord] = field(default_factory=list)
    # surface tokens (multiword tokens such as "don't" counted once), for matching UNER
    surface_forms: list[str] = field(default_factory=list)


@dataclass
class ConversionStats:
    sentences: int = 0
    docs: int = 0
    ner_matched: int = 0
    ner_missing: int = 0  # no UNER sentence with that sent_id
    ner_mismatched: int = 0  # UNER tokens differ from the UD words: entities skipped
    entities: Counter[str] = field(default_factory=Counter)
    dropped_tags: Counter[str] = field(default_factory=Counter)


def _space_after(misc: str) -> bool:
    return "SpaceAfter=No" not in misc.split("|")


def read_conllu(path: Path) -> Iterator[UDSentence]:
    """Yield sentences; multiword-token ranges give surface forms, empty nodes (``8.1``) are skipped."""
    sentence: UDSentence | None = None
    newdoc = False
    sent_id = ""
    range_end = 0
    range_space = True
    with path.open(encoding="utf-8") as handle:
        for raw in handle:
            line = raw.rstrip("\n")
            if not line:
                if sentence is not None and sentence.words:
                    yield sentence
                sentence, newdoc, sent_id, range_end = None, False, "", 0
                continue
            if line.startswith("#"):
                if line.startswith("# newdoc"):
                    newdoc = True
                elif line.startswith("# sent_id"):
                    sent_id = line.split("=", 1)[1].strip()
                continue
            cols = line.split("\t")
            if sentence is None:
                sentence = UDSentence(sent_id=sent_id, newdoc=newdoc)
            token_id = cols[0]
            if "." in token_id:
                continue
            if "-" in token_id:
                _, end = token_id.split("-")
                range_end = int(end)
                range_space = _space_after(cols[9])
                sentence.surface_forms.append(cols[1])
                continue
            index = int(token_id)
            inside_range = index <= range_end
            if inside_range:
                # words of "don't" touch each other; the last one takes the range's SpaceAfter
                space = range_space if index == range_end else False
            else:
                space = _space_after(cols[9])
                sentence.surface_forms.append(cols[1])
            sentence.words.append(
                UDWord(
                    form=cols[1],
                    lemma=cols[2],
                    upos=cols[3],
                    xpos=cols[4],
                    feats="" if cols[5] == "_" else cols[5],
                    head=int(cols[6]),
                    deprel=cols[7],
                    space_after=space,
                )
            )
    if sentence is not None and sentence.words:
        yield sentence


def normalise_iob_tag(tag: str) -> str:
    """Map the early UNER commit's stray ``B-O`` and ``*-OTH`` tags (and anything unknown) to ``O``."""
    if tag == "O" or "-" not in tag:
        return "O"
    prefix, label = tag.split("-", 1)
    if prefix not in ("B", "I") or label not in ENTITY_LABELS:
        return "O"
    return tag


def read_iob2(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Map sent_id → [(form, raw tag)] for a UNER .iob2 file."""
    sentences: dict[str, list[tuple[str, str]]] = {}
    sent_id = ""
    tokens: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as handle:
        for raw in handle:
            line = raw.rstrip("\n")
            if not line:
                if sent_id and tokens:
                    sentences[sent_id] = tokens
                sent_id, tokens = "", []
                continue
            if line.startswith("#"):
                if line.startswith("# sent_id"):
                    sent_id = line.split("=", 1)[1].strip()
                continue
            cols = line.split("\t")
            if len(cols) >= 3:
                tokens.append((cols[1], cols[2]))
    if sent_id and tokens:
        sentences[sent_id] = tokens
    return sentences


def iob_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, label) word spans from normalised IOB2 tags; an orphan ``I-X`` opens a span."""
    spans: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, tag_label = tag.partition("-")
        continues = prefix == "I" and tag_label == label and start >= 0
        if not continues and start >= 0:
            spans.append((start, i, label))
            start, label = -1, ""
        if prefix in ("B", "I") and not continues:
            start, label = i, tag_label
    return spans


def sentence_entities(
    sentence: UDSentence, uner: dict[str, list[tuple[str, str]]], stats: ConversionStats
) -> list[tuple[int, int, str]] | None:
    """Entity word spans for one UD sentence, or None when UNER has no usable annotation for it."""
    annotated = uner.get(sentence.sent_id)
    if annotated is None:
        stats.ner_missing += 1
        return None
    forms = [form for form, _ in annotated]
    for _, raw_tag in annotated:
        if normalise_iob_tag(raw_tag) == "O" and raw_tag != "O":
            stats.dropped_tags[raw_tag] += 1
    tags = [normalise_iob_tag(tag) for _, tag in annotated]
    if forms == [w.form for w in sentence.words]:
        stats.ner_matched += 1
        return iob_spans(tags)
    if forms == sentence.surface_forms:
        # UNER tokenised by surface token: spread each tag over the words of a multiword token.
        word_tags = _surface_tags_to_words(sentence, tags)
        if word_tags is not None:
            stats.ner_matched += 1
            return iob_spans(word_tags)
    stats.ner_mismatched += 1
    return None


def _surface_tags_to_words(sentence: UDSentence, tags: list[str]) -> list[str] | None:
    word_tags: list[str] = []
    word_index = 0
    for form, tag in zip(sentence.surface_forms, tags, strict=True):
        consumed = ""
        first = True
        while word_index < len(sentence.words) and consumed != form:
            consumed += sentence.words[word_index].form
            word_tags.append(tag if first or tag == "O" else "I-" + tag.split("-", 1)[1])
            first = False
            word_index += 1
        if consumed != form:
            return None
    return word_tags if word_index == len(sentence.words) else None


def group_sentences(sentences: Iterator[UDSentence], max_sents: int) -> Iterator[list[UDSentence]]:
    group: list[UDSentence] = []
    for sentence in sentences:
        if group and (sentence.newdoc or len(group) >= max_sents):
            yield group
            group = []
        group.append(sentence)
    if group:
        yield group


def build_doc(
    vocab: Vocab,
    group: list[UDSentence],
    uner: dict[str, list[tuple[str, str]]] | None,
    stats: ConversionStats,
) -> Doc:
    words: list[str] = []
    spaces: list[bool] = []
    tags: list[str] = []
    pos: list[str] = []
    morphs: list[str] = []
    lemmas: list[str] = []
    heads: list[int] = []
    deps: list[str] = []
    sent_starts: list[bool | int | None] = []
    entity_spans: list[tuple[int, int, str]] = []
    ner_known = True
    for sentence in group:
        offset = len(words)
        for i, word in enumerate(sentence.words):
            words.append(word.form)
            # the last word of a sentence is followed by a space unless the next sentence glues on
            spaces.append(word.space_after)
            tags.append(word.xpos)
            pos.append(word.upos)
            morphs.append(word.feats)
            lemmas.append(word.lemma)
            heads.append(offset + i if word.head == 0 else offset + word.head - 1)
            deps.append("ROOT" if word.deprel == "root" else word.deprel)
            sent_starts.append(i == 0)
        if uner is not None:
            spans = sentence_entities(sentence, uner, stats)
            if spans is None:
                ner_known = False
            else:
                entity_spans.extend((offset + s, offset + e, label) for s, e, label in spans)
                stats.entities.update(label for _, _, label in spans)
        stats.sentences += 1
    doc = Doc(
        vocab,
        words=words,
        spaces=spaces,
        tags=tags,
        pos=pos,
        morphs=morphs,
        lemmas=lemmas,
        heads=heads,
        deps=deps,
        sent_starts=sent_starts,
    )
    if uner is not None:
        ents = [Span(doc, s, e, label=label) for s, e, label in entity_spans]
        if ner_known:
            doc.ents = ents
        else:
            # Unknown outside the annotated spans: leave those tokens missing rather than teach "O".
            doc.set_ents(ents, default="missing")
    stats.docs += 1
    return doc


def convert_split(
    conllu: Path, iob2: Path | None, max_sents: int, vocab: Vocab
) -> tuple[DocBin, ConversionStats]:
    stats = ConversionStats()
    uner = read_iob2(iob2) if iob2 is not None and iob2.exists() else None
    doc_bin = DocBin(store_user_data=False)
    for group in group_sentences(read_conllu(conllu), max_sents):
        doc_bin.add(build_doc(vocab, group, uner, stats))
    return doc_bin, stats


def find_split_files(data: Path, split: str) -> tuple[Path, Path | None]:
    conllu = data / "UD_English-EWT" / f"en_ewt-ud-{split}.conllu"
    iob2_candidates = sorted((data / "UNER_English-EWT").glob(f"en_ewt-ud-{split}*.iob2"))
    return conllu, (iob2_candidates[0] if iob2_candidates else None)


def convert_all(data: Path, out: Path, max_sents: int = 10) -> dict[str, ConversionStats]:
    """Write ``{out}/{split}.spacy`` for every split present in ``data``; return per-split stats."""
    out.mkdir(parents=True, exist_ok=True)
    vocab = Vocab()
    results: dict[str, ConversionStats] = {}
    for split in SPLITS:
        conllu, iob2 = find_split_files(data, split)
        if not conllu.exists():
            continue
        doc_bin, stats = convert_split(conllu, iob2, max_sents, vocab)
        doc_bin.to_disk(out / f"{split}.spacy")
        results[split] = stats
        logger.info(
            "%s: %d sentences in %d docs; NER matched %d, missing %d, mismatched %d (skipped); "
            "entities %s; tags mapped to O %s",
            split,
            stats.sentences,
            stats.docs,
            stats.ner_matched,
            stats.ner_missing,
            stats.ner_mismatched,
            dict(stats.entities),
            dict(stats.dropped_tags),
        )
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder")
    parser.add_argument("--out", type=Path, default=Path("build/corpus"))
    parser.add_argument("--doc-sents", type=int, default=10, help="max sentences per training doc")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    convert_all(args.data, args.out, args.doc_sents)


if __name__ == "__main__":
    main()
