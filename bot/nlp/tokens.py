"""Token predicates shared by the attribution rules, the boundary model and the extractor.

Our own pipeline fills ``tag_`` (Penn Treebank); another installed pipeline may fill only
``pos_`` (UD), so each predicate reads whichever is there.
"""

from __future__ import annotations

from spacy.tokens import Token

FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})


def token_tag(token: Token) -> str:
    return token.tag_ or token.pos_


def is_verb(token: Token) -> bool:
    return token_tag(token).startswith("VB") or token.pos_ in {"VERB", "AUX"}


def is_finite(token: Token) -> bool:
    """A finite verb ("will", "opened", "says"): by its Penn tag, or by UD morphology when the
    pipeline has no Penn tags."""
    if token.tag_:
        return token.tag_ in FINITE_TAGS
    return "Fin" in token.morph.get("VerbForm", [])
