"""Input preparation: decoding, refusals, HTML extraction, language, duplicate hashing."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import BadInput, NotEnglish
from bot.text import (
    content_hash,
    decode_bytes,
    detect_language,
    drop_invisible,
    headline_of,
    looks_like_html,
    not_prose_reason,
    prepare_text,
)

ENGLISH_ARTICLE = (
    "Defence Secretary Ben Wallace said on Saturday that Russia had massed about 100,000 troops "
    "near the border. “We will not stand by,” he told reporters in London.\n\n"
    "The Kremlin denied the claims and accused Western governments of stoking tension. "
    "Prices rose by 5% in November, the statistics office said."
)

# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("raw", "reason_part"),
    [
        ("", "empty"),
        ("   \n\t  \r\n", "empty"),
        (b"", "empty"),
        (b"\xef\xbb\xbf  \n", "empty"),
        (b"%PDF-1.7\n\x00\x01\x02binary", "binary"),
        (bytes(range(256)) * 4, "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("text with a \x00 NUL inside it " * 3, "binary"),
        ("".join(chr(c) for c in range(1, 31) if c not in (9, 10, 12, 13, 27)) * 20, "binary"),
        ("<html><body><script>var x = 1;</script></body></html>", "no readable text"),
    ],
)
def test_refuses_unreadable_input_with_a_reason(raw: bytes | str, reason_part: str) -> None:
    with pytest.raises(BadInput) as caught:
        prepare_text(raw)
    assert reason_part in caught.value.reason
    assert "\n" not in caught.value.reason


def test_refuses_text_over_the_limit_and_says_the_numbers() -> None:
    text = "Word " * 250_000 + "end."  # 1,250,004 characters
    with pytest.raises(BadInput) as caught:
        prepare_text(text)
    assert caught.value.reason == "text is 1,250,004 characters; the limit is 500,000 — split it"


def test_refuses_huge_bytes_before_decoding() -> None:
    with pytest.raises(BadInput, match="bytes; the limit is 100 characters"):
        prepare_text(b"a" * 401, max_chars=100)


def test_a_text_at_the_limit_is_accepted() -> None:
    text = ("The minister said the army has 70,000 troops.\n" * 40)[:1000]
    assert prepare_text(text, max_chars=1000).text == text


def test_a_50000_character_sentence_is_refused_with_its_position() -> None:
    sentence = "and the minister said " * 2300  # ~50,600 characters, no sentence end
    text = "A short opening sentence. " + sentence + "."
    with pytest.raises(BadInput) as caught:
        prepare_text(text)
    assert caught.value.reason.startswith(f"a sentence of {len(sentence) + 1:,} characters")
    assert "starts at character 25" in caught.value.reason
    assert "the limit is 5,000" in caught.value.reason


def test_long_text_made_of_normal_sentences_is_accepted() -> None:
    text = "The minister said the army has 70,000 troops at the border. " * 2000
    assert prepare_text(text).text == text


# --------------------------------------------------------------------------- plain text


@pytest.mark.parametrize(
    "text",
    [
        ENGLISH_ARTICLE,
        "  leading spaces and\r\nwindows line endings, said the minister.\r\n",
        "Tabs\tand  double  spaces are kept as they are, he said, “quoted”.",
        "He said that <p> tags are used for paragraphs in HTML, and that is all.",
    ],
)
def test_plain_text_is_returned_unchanged_so_offsets_hold(text: str) -> None:
    prepared = prepare_text(text)
    assert prepared.text == text
    assert prepared.was_html is False
    assert prepared.title is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Le café “fermé”, he said.".encode(), "Le café “fermé”, he said."),
        (b"\xef\xbb\xbfThe minister said so.", "The minister said so."),
        ("The minister said so.".encode("utf-16"), "The minister said so."),
        ("The caf\u00e9 \u201cclosed\u201d, he said.".encode("cp1252"), "The café “closed”, he said."),
        (b"na\xefve r\xe9sum\xe9 \x81", "naïve résumé \x81"),  # latin-1 where cp1252 has holes
    ],
)
def test_decode_bytes(raw: bytes, expected: str) -> None:
    assert decode_bytes(raw) == expected


def test_a_leading_bom_in_a_string_is_dropped() -> None:
    assert prepare_text("\ufeff" + ENGLISH_ARTICLE).text == ENGLISH_ARTICLE


@pytest.mark.parametrize(
    ("text", "has_note"),
    [
        ('He said "we will win" and left.', False),
        ("He said “we will win” and left.", False),
        ('He said "we will win and left. Nobody knew what came next after that.', True),
        ("He said “we will win and left. Nobody knew what came next after that.", True),
    ],
)
def test_unbalanced_quotes_are_noted_not_refused(text: str, has_note: bool) -> None:
    prepared = prepare_text(text)
    assert prepared.text == text
    assert any("quote marks" in note for note in prepared.notes) is has_note


# --------------------------------------------------------------------------- HTML

HTML_PAGE = """<!DOCTYPE html>
<html><head><title>Troops at the border | The Daily</title>
<script>window.tracking = {"a": 1};</script><style>p { color: red }</style></head>
<body><nav><a href="/">Home</a> | <a href="/news">News</a></nav>
<article><h1>Troops at the border</h1>
<p>Defence Secretary Ben Wallace said on Saturday that Russia had massed about 100,000 troops
near the border with Ukraine, in what he called a serious escalation.</p>
<p>The Kremlin denied the claims and accused Western governments of stoking tension in the
region. Officials in Kyiv said talks would continue next week.</p>
</article><footer>Copyright 2021 The Daily</footer></body></html>"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HTML_PAGE, True),
        ("<html><body><p>The minister said so.</p></body></html>", True),
        ("<p>The minister said so.</p><p>He added that it was true.</p>", True),
        ("<div>Officials said <b>100,000</b> troops were there.</div>", True),
        (ENGLISH_ARTICLE, False),
        ("He said that <p> tags are used for paragraphs, and that is all there is to it.", False),
        ("The result was 3 < 5 and 7 > 2, the minister said.", False),
    ],
)
def test_looks_like_html(text: str, expected: bool) -> None:
    assert looks_like_html(text) is expected


def test_html_page_is_extracted_to_its_main_text() -> None:
    prepared = prepare_text(HTML_PAGE)
    assert prepared.was_html is True
    assert "Russia had massed about 100,000 troops" in prepared.text
    assert "talks would continue next week" in prepared.text
    for boilerplate in ("<p>", "window.tracking", "color: red", "Home"):
        assert boilerplate not in prepared.text
    assert prepared.title is not None
    assert "Troops at the border" in prepared.title
    assert any("HTML" in note for note in prepared.notes)


@pytest.mark.parametrize(
    ("markup", "must_contain"),
    [
        ("<p>The minister said the army has 70,000 troops.</p><p>He added more.</p>", "70,000 troops"),
        ("<div><p>Broken <b>markup <i>where the minister said so</p></div></span></td>", "minister said so"),
        ("<html><body><p>Unclosed paragraph about the minister who said it<div><p>And more", "minister"),
        ("<p>Entities &amp; such: the minister said &ldquo;yes&rdquo; today.</p><br/>", "& such"),
    ],
)
def test_short_and_broken_html_does_not_crash_and_keeps_the_text(markup: str, must_contain: str) -> None:
    prepared = prepare_text(markup)
    assert prepared.was_html is True
    assert must_contain in prepared.text
    assert "<" not in prepared.text


# --------------------------------------------------------------------------- language

NOT_ENGLISH = [
    (
        "French",
        "Le ministre de la Défense a déclaré samedi que la Russie avait massé environ 100 000 "
        "soldats près de la frontière. Le Kremlin a démenti ces affirmations.",
    ),
    ("French", "Le président a dit que la guerre est finie."),
    (
        "German",
        "Der Verteidigungsminister sagte am Samstag, Russland habe etwa 100.000 Soldaten an der "
        "Grenze zusammengezogen. Der Kreml wies die Vorwürfe zurück.",
    ),
    ("German", "Die Regierung hat gesagt, dass es keine neuen Steuern geben wird."),
    (
        "Spanish",
        "El ministro de Defensa dijo el sábado que Rusia había concentrado unos 100.000 soldados "
        "en la frontera. El Kremlin negó las acusaciones.",
    ),
    ("Spanish", "El gobierno dijo que no habrá nuevos impuestos este año."),
    (
        "Italian",
        "Il ministro della Difesa ha detto sabato che la Russia ha ammassato circa 100.000 soldati "
        "al confine con l'Ucraina.",
    ),
    (
        "Russian",
        "Министр обороны заявил в субботу, что Россия сосредоточила около 100 000 военнослужащих "
        "у границы. Кремль отверг эти обвинения.",
    ),
    ("Russian", "Кремль отверг обвинения."),
    ("Chinese", "国防部长周六表示，俄罗斯在边境集结了约十万名士兵。"),
    # short sentences with only two or three function words
    ("German", "Er sagte, die Lage sei unter Kontrolle."),
    ("Spanish", "Afirmó que la situación estaba bajo control."),
    ("Spanish", "No podemos aceptar esta decisión, dijo ella."),
    ("French", "Il a affirmé que la situation était sous contrôle."),
]


@pytest.mark.parametrize(("language", "text"), NOT_ENGLISH)
def test_non_english_is_refused_and_named(language: str, text: str) -> None:
    with pytest.raises(NotEnglish) as caught:
        prepare_text(text)
    assert language in caught.value.reason
    assert "not English" in caught.value.reason


@pytest.mark.parametrize(
    "text",
    [
        "Prices rose 5% in March.",
        "Ukraine is not part of NATO, he said.",
        "NATO won't expand, Putin claims.",
        "Wallace: troops massing at border",
        "A la carte menus are on offer at the café, a spokesman for the hotel said.",
        "Emmanuel Macron met Olaf Scholz and Pedro Sánchez in Paris on Tuesday.",
        "The Kremlin denied it.",
        "Biden, Putin to hold video call",
        "Pedro Sánchez de la Cruz said it.",
        "Der Spiegel reported the story on Monday.",
        "El Niño is expected to return this year, scientists said.",
        "Details: see http://www.un.org/ha/chernobyl/ or mail la.prensa@example.es today.",
        ENGLISH_ARTICLE,
    ],
)
def test_short_and_tricky_english_is_accepted(text: str) -> None:
    assert prepare_text(text).text == text
    assert detect_language(text) in {"English", None}


# --------------------------------------------------------------------------- duplicates


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("He said “yes”.", 'he said "YES".', True),
        ("It’s  true,\n\nhe said.", "It's true, he said.", True),
        ("The army has 70,000 troops.", "The army has 70,000 troops. ", True),
        ("The army has 70,000 troops.", "The army has 100,000 troops.", False),
        ("He said yes.", "He said no.", False),
    ],
)
def test_content_hash_ignores_case_spacing_and_quote_style(a: str, b: str, same: bool) -> None:
    assert (content_hash(a) == content_hash(b)) is same
    assert len(content_hash(a)) == 64


# --------------------------------------------------------------------------- robustness


def test_preparing_twice_changes_nothing() -> None:
    """The CLI prepares a file and the service prepares again: the second pass must be a no-op."""
    first = prepare_text(HTML_PAGE)
    second = prepare_text(first.text)
    assert second.text == first.text
    assert second.was_html is False


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=400), st.text(max_size=400)))
def test_any_input_is_either_prepared_or_refused_with_a_reason(raw: bytes | str) -> None:
    reason: str | None = None
    try:
        prepared = prepare_text(raw, max_chars=300, max_sentence_chars=200)
    except BadInput as refused:
        reason = refused.reason
    if reason is not None:
        assert reason.strip()
        assert "\n" not in reason
        return
    assert prepared.text.strip()
    if isinstance(raw, str) and not prepared.was_html:
        # plain text keeps every offset, less the invisible characters
        assert prepared.text == drop_invisible(raw.removeprefix("\ufeff"))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<p>",
                "</p>",
                "<div>",
                "</div>",
                "<b>",
                "<script>",
                "</script>",
                "<!--",
                "-->",
                "<",
                ">",
                "&amp;",
                "&",
                "The minister said so. ",
                "He added more. ",
                "\n",
            ]
        ),
        min_size=1,
        max_size=60,
    )
)
def test_broken_html_never_crashes(pieces: list[str]) -> None:
    markup = "".join(pieces)
    try:
        prepared = prepare_text(markup)
    except BadInput:
        return
    if prepared.was_html:
        assert "<p>" not in prepared.text
        assert "<script>" not in prepared.text


# --------------------------------------------------------------------------- invisible characters

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e"


def _sprinkled(text: str, every: int = 5) -> str:
    """``text`` with an invisible character after every ``every``-th character."""
    return "".join(
        char + (ZERO_WIDTH[i % len(ZERO_WIDTH)] if i % every == 0 else "") for i, char in enumerate(text)
    )


def test_invisible_characters_are_dropped_from_the_text_and_the_hash() -> None:
    sprinkled = _sprinkled(ENGLISH_ARTICLE)
    assert sprinkled != ENGLISH_ARTICLE
    prepared = prepare_text(sprinkled)
    assert prepared.text == ENGLISH_ARTICLE
    assert content_hash(sprinkled) == content_hash(ENGLISH_ARTICLE)
    # from bytes too, and a tag character (U+E0041) counts as invisible
    assert prepare_text((ENGLISH_ARTICLE + "\U000e0041").encode()).text == ENGLISH_ARTICLE


def test_text_of_nothing_but_invisible_characters_is_empty() -> None:
    with pytest.raises(BadInput, match="empty"):
        prepare_text(ZERO_WIDTH * 10)


# --------------------------------------------------------------------------- not prose

PDF_WITHOUT_NULS = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n4 0 obj\n<< /Length 44 >>\nstream\n"
    b"BT /F1 24 Tf 100 700 Td (The minister said so.) Tj ET\nendstream\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
CSV = "date,speaker,statement,score\n" + "".join(
    f'2024-01-{i % 28 + 1:02d},Speaker {i},"The minister said {i} troops, he said",{i * 3}\n'
    for i in range(40)
)
TSV = "name\tparty\tvotes\n" + "".join(f"Candidate {i}\tParty {i % 3}\t{i * 1000}\n" for i in range(30))
JSON_DOC = json.dumps(
    {
        "articles": [
            {"title": f"Story {i}", "text": "The minister said the army has 70,000 troops."}
            for i in range(20)
        ]
    },
    indent=2,
)
# random bytes in base64, 76 characters a line as `base64` writes them
BASE64 = base64.encodebytes(bytes((i * 7919 + 13) % 251 for i in range(120_000))).decode()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (PDF_WITHOUT_NULS, "this is a PDF file, not text"),
        (CSV, "this looks like a table (comma-separated values), not an article"),
        (CSV.replace(",", ";"), "this looks like a table (semicolon-separated values), not an article"),
        (TSV, "this looks like a table (tab-separated values), not an article"),
        ("city,population\nParis,2100000\nLyon,520000\nNice,340000\n", "table (comma-separated values)"),
        (JSON_DOC, "this is JSON data, not an article"),
        (JSON_DOC[: len(JSON_DOC) // 2], "this is JSON data, not an article"),  # cut short
        ("[1, 2, 3, 4]", "there are no words in this text"),
        ('[{"a": "The minister said so"}, {"a": "He left"}]', "this is JSON data, not an article"),
        (BASE64, "this looks like encoded data (base64 or hex), not an article"),
        (BASE64.replace("\n", ""), "this looks like encoded data (base64 or hex), not an article"),
        ("\n".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(50)), "encoded data"),
        ('"" “” \'\' «» """"\n' * 20, "there are no words in this text"),
        ("„“ ‚‘ ” \n" * 3, "there are no words in this text"),
        ("1234 5678\n90 -- 12.5%\n", "there are no words in this text"),
        (
            "function update(state,action){switch(action.type){case ADD:return state.concat(action.item);}}\n"
            * 20,
            "this does not look like prose: only 9% of it is words and numbers",
        ),
    ],
)
def test_what_is_not_prose_is_refused_in_one_line(raw: bytes | str, reason: str) -> None:
    with pytest.raises(BadInput) as caught:
        prepare_text(raw)
    assert reason in caught.value.reason
    assert "\n" not in caught.value.reason


@pytest.mark.parametrize(
    "text",
    [
        ENGLISH_ARTICLE,
        "The Kremlin denied it.",
        "Wallace: troops massing at border",
        "NATO won't expand, Putin claims.",
        '"We will win," she said.',
        # commas on every line, but sentences
        "Paris, the capital, was quiet.\nLondon, by contrast, was loud.\nBerlin, he said, was calm.\n",
        # verse: a comma on every line, no sentence ends, but no table
        "Roses are red, violets are blue\nSugar is sweet, and so are you\nI said hello, you said goodbye\n"
        "The night is long, the road is wide\n",
        # an article with a small table in it is still an article
        ENGLISH_ARTICLE + "\n\nRegion,Troops\nNorth,40000\nSouth,60000\n\n" + ENGLISH_ARTICLE,
        # figures and links do not make prose into data
        "Turnout was 67.3% (up 2.1pp) and 1,204,556 votes, see https://example.org/a/b/c?d=1 for 2024/25.",
        '{"Not JSON," he said, "just a brace."} The minister left at 5pm.',
        "A U.S. well-known e-mail said it's 9/11 rules, the ex-Minister's office said on 3 Jan.",
    ],
)
def test_prose_is_not_mistaken_for_data(text: str) -> None:
    assert not_prose_reason(text) is None
    assert prepare_text(text).text == text


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (ENGLISH_ARTICLE.encode("utf-16-le"), "little-endian"),
        (ENGLISH_ARTICLE.encode("utf-16-be"), "big-endian"),
    ],
)
def test_utf16_without_a_bom_is_text(raw: bytes, encoding: str) -> None:
    assert decode_bytes(raw) == ENGLISH_ARTICLE
    assert prepare_text(raw).text == ENGLISH_ARTICLE


def test_binary_with_nuls_is_still_binary() -> None:
    with pytest.raises(BadInput, match="binary"):
        decode_bytes(b"\x00\x01\x02\x03ELF\x00\x00" * 20)


@pytest.mark.parametrize(
    ("text", "headline"),
    [
        (
            "Bridge repair bill rises to £61 million\n\nThe cost of repairing ...",
            "Bridge repair bill rises to £61 million",
        ),
        ("\n\n  Council under   fire \nBody.", "Council under fire"),
        (
            "The cost of repairing the Old Harbour Bridge has risen to £61 million, the council said.",
            "The cost of repairing the Old Harbour Bridge…",
        ),
        ("", None),
    ],
)
def test_an_article_without_a_title_is_headed_by_its_headline(text: str, headline: str | None) -> None:
    assert headline_of(text) == headline
