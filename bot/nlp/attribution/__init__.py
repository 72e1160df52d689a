"""Who said what: pure functions from a parsed ``Doc`` to attributions.

Candidate generation is syntactic and lexical, decisions are learned:

* cues are verbs (plus "according to") whose word form has a cue prior at or above a
  threshold; the priors are learned from PolNeAR train (``models/attribution/
  cue_lexicon.json``, see ``scripts/train_attribution.py``) and the threshold is tuned
  on PolNeAR dev;
* the source is the cue's grammatical subject when the parser gives a plausible one,
  else the noun phrase next to the cue (before it, or after it in "…, said Wallace"),
  else, for participles and coordinated cues (", warning that …", "… and accused …"),
  the subject of the clause they hang from;
* the content is the complement after the cue (skipping "that", a colon and the
  addressee of "told"), or the sentence part before a trailing cue ("…, he said."),
  extended to whole quotes so quotes spanning sentences and split quotes
  (“X,” he said, “Y.”) stay one statement;
* quoted paragraphs with no cue of their own continue the previous speaker.

Everything here works on token tags (PTB) and a few dependency relations whose names
are mapped from either the UD or the ClearNLP scheme, so any English spaCy pipeline
with a tagger and a parser works.

The modules, in the order a statement is found: ``sentences`` (units), ``cues``,
``sources`` (who), ``contents`` (what), ``shapes`` (transcript labels, as-clauses),
``finder`` (the per-sentence steps and ``find_attributions``), ``followers`` (signed and
continued quotes); ``lexicon`` and ``features`` are the learned cue model, ``tagged`` turns
the span tagger's spans into statements, ``training`` serves the boundary model's training
only, ``vocabulary`` holds the word lists and ``records`` the types passed between steps.
"""

from __future__ import annotations

from bot.nlp.attribution.features import FEATURE_NAMES, attribution_features
from bot.nlp.attribution.finder import find_attributions
from bot.nlp.attribution.lexicon import (
    DEFAULT_THRESHOLD,
    LEXICON_PATH,
    AttributionModels,
    CueModel,
    load_lexicon,
)
from bot.nlp.attribution.records import Attribution, CharSpan, Fragment, SentenceUnit, TokenRange
from bot.nlp.attribution.sentences import sentence_units
from bot.nlp.attribution.tagged import attribution_from_spans, tagged_content_fragment
from bot.nlp.attribution.training import BoundaryExample, boundary_example

__all__ = [
    "DEFAULT_THRESHOLD",
    "FEATURE_NAMES",
    "LEXICON_PATH",
    "Attribution",
    "AttributionModels",
    "BoundaryExample",
    "CharSpan",
    "CueModel",
    "Fragment",
    "SentenceUnit",
    "TokenRange",
    "attribution_features",
    "attribution_from_spans",
    "boundary_example",
    "find_attributions",
    "load_lexicon",
    "sentence_units",
    "tagged_content_fragment",
]
