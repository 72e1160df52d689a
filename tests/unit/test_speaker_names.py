"""How a resolved speaker's name is tidied before a reader sees it (bot.nlp.speakers.names)."""

import pytest

from bot.nlp.speakers.names import tidy_speaker_name


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Supreme Court this month", "Supreme Court"),
        ("United Nations Security Council on Friday", "United Nations Security Council"),
        ("United Nations Security Council on", "United Nations Security Council"),
        ("Times on Saturday", "Times"),
        ("Russia's propagandistic network RT he", "Russia's propagandistic network RT"),
        # names that end in a time word or a short word keep it
        ("Theresa May", "Theresa May"),
        ("Hans Joachim Schellnhuber", "Hans Joachim Schellnhuber"),
        ("Department of Veterans Affairs", "Department of Veterans Affairs"),
        ("He", "He"),
        ("reporter for USA Today", "reporter for USA Today"),
        ("Gap Goes On", "Gap Goes On"),
        ("Department of Veterans Affairs last month", "Department of Veterans Affairs"),
        ("Human Rights Council in 2015", "Human Rights Council"),
        ("Class of 2015", "Class of 2015"),
        ("2016 Olympics", "2016 Olympics"),
        # a time the parse ran into before the name
        ("next eight weeks the Clinton campaign", "Clinton campaign"),
        ("last week a spokesman", "spokesman"),
        ("the last word", "the last word"),
        ("activist'' investors and others", "activist investors and others"),
        ("“activist” investors", "activist investors"),
        ("O'Neill", "O'Neill"),
    ],
)
def test_tidy_speaker_name(name: str, shown: str) -> None:
    assert tidy_speaker_name(name) == shown
