"""Shared fixtures. ``shipped_nlp`` loads the committed spaCy pipeline once per test session."""

from __future__ import annotations

import pytest
from spacy.language import Language


@pytest.fixture(scope="session")
def shipped_nlp() -> Language:
    """The pipeline in ``models/claimbot_en`` (slow to load: use it in ``@pytest.mark.slow`` tests)."""
    from bot.nlp.pipeline import load_pipeline

    return load_pipeline("claimbot_en")
