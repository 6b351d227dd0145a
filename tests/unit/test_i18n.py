"""The localized strings of the email templates: complete, well-formed, found by language tag."""

from __future__ import annotations

from string import Formatter

import pytest

from mailer.render import i18n
from mailer.render.i18n import (
    PAGE_STRINGS,
    STRINGS,
    kind_label,
    page_strings,
    strings,
    text_direction,
)

LANGUAGES = [
    "en", "fr", "ru", "ky", "kk", "uz", "tg", "tk", "sq", "sr", "sr-Latn", "mk", "bs", "hr",
    "uk", "ro", "de", "es", "ar", "tr", "ka", "hy", "az",
]  # fmt: skip
# The placeholders each string takes; every other string takes none.
PLACEHOLDERS = {
    "embargo": {"when"},
    "greeting": {"name"},
    "why_regions": {"organisation", "regions"},
    "why_list": {"organisation"},
}
VALUES = {
    "when": "4 December 2026, 08:00 UTC",
    "name": "Aizada Karimova",
    "organisation": "UNFFC Press Office",
    "regions": "Central Asia",
}


def test_public_surface() -> None:
    """The module exports exactly the two tables and their four helpers."""
    assert sorted(i18n.__all__) == [
        "PAGE_STRINGS",
        "STRINGS",
        "kind_label",
        "page_strings",
        "strings",
        "text_direction",
    ]


def test_every_required_language_is_present() -> None:
    """Each language the press office writes in has its own entry, and nothing else is there."""
    assert sorted(STRINGS) == sorted(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_has_the_same_keys_as_english(language: str) -> None:
    """A language defines exactly the keys English defines, each non-empty."""
    assert set(STRINGS[language]) == set(STRINGS["en"])
    assert all(value.strip() for value in STRINGS[language].values())


@pytest.mark.parametrize("language", LANGUAGES)
def test_strings_take_exactly_their_placeholders(language: str) -> None:
    """A string names only the placeholders its key allows, and a format string uses them all."""
    for key, value in STRINGS[language].items():
        fields = {name for _, name, _, _ in Formatter().parse(value) if name is not None}
        assert fields == PLACEHOLDERS.get(key, set()), f"{language}.{key}: {value!r}"
        formatted = value.format(**VALUES)
        for name in fields:
            assert VALUES[name] in formatted, f"{language}.{key}: {value!r}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_string_contains_a_line_break(language: str) -> None:
    """No string holds a line break: strings end up in headers and in one-line template slots."""
    for key, value in STRINGS[language].items():
        assert not any(ch in value for ch in "\r\n\v\f\x85\u2028\u2029"), f"{language}.{key}"
        assert value == value.strip(), f"{language}.{key}: {value!r}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_test_prefix_is_the_same_everywhere(language: str) -> None:
    """The test-send subject prefix is "[TEST]" in every language, so filters can match it."""
    assert STRINGS[language]["test_prefix"] == "[TEST]"


@pytest.mark.parametrize("key", sorted(STRINGS["fr"]))
def test_french_puts_a_no_break_space_before_a_colon(key: str) -> None:
    """French typography: a colon is preceded by a no-break (or narrow no-break) space."""
    value = STRINGS["fr"][key]
    for i, ch in enumerate(value):
        if ch == ":":
            assert i > 0
            assert value[i - 1] in ("\u00a0", "\u202f"), f"{key}: {value!r}"


def test_french_contact_heading() -> None:
    """The French contact heading is the usual press-release formula."""
    assert STRINGS["fr"]["contact_heading"] == "Pour plus d’informations, veuillez contacter\u00a0:"


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("sr-Latn", "sr-Latn"),
        ("SR-latn", "sr-Latn"),
        ("sr_Latn", "sr-Latn"),
        ("sr-Latn-RS", "sr-Latn"),
        ("sr", "sr"),
        ("sr-RS", "sr"),
        ("fr-CA", "fr"),
        ("FR", "fr"),
        ("ru-KG", "ru"),
        ("xx", "en"),
        ("", "en"),
    ],
)
def test_strings_fall_back_from_exact_tag_to_primary_to_english(tag: str, expected: str) -> None:
    """The exact tag wins, then shorter prefixes of it, then English."""
    assert strings(tag) == STRINGS[expected]


def test_strings_returns_a_copy() -> None:
    """Changing the returned strings does not change the shared table."""
    t = strings("en")
    t["unsubscribe"] = "changed"
    assert STRINGS["en"]["unsubscribe"] == "Unsubscribe"


@pytest.mark.parametrize(
    ("tag", "direction"),
    [
        ("ar", "rtl"),
        ("ar-EG", "rtl"),
        ("AR", "rtl"),
        ("fa", "rtl"),
        ("he", "rtl"),
        ("ur", "rtl"),
        ("az-Arab", "rtl"),
        ("en", "ltr"),
        ("ru", "ltr"),
        ("sr-Latn", "ltr"),
        ("", "ltr"),
    ],
)
def test_text_direction(tag: str, direction: str) -> None:
    """Arabic, Persian, Hebrew and Urdu (and Arabic-script tags) are right to left."""
    assert text_direction(tag) == direction


@pytest.mark.parametrize(
    ("kind", "language", "label"),
    [
        ("press release", "en", "Press release"),
        ("press release", "fr", "Communiqué de presse"),
        ("press release", "ru", "Пресс-релиз"),
        ("media advisory", "en", "Media advisory"),
        ("statement", "de", "Stellungnahme"),
        ("news note", "sr-Latn", "Kratka vest"),
        ("Press Release", "en", "Press release"),
        ("press release", "xx", "Press release"),
        ("op-ed", "fr", "Op-Ed"),
        ("fact sheet", "en", "Fact Sheet"),
    ],
)
def test_kind_label(kind: str, language: str, label: str) -> None:
    """A known kind gets its localized label; an unknown one comes back title-cased."""
    assert kind_label(kind, language) == label


# The web pages' strings: English complete, en/fr/ru/es at least, placeholders as declared.
PAGE_LANGUAGES = ["en", "fr", "ru", "es"]
PAGE_PLACEHOLDERS = {
    "intro": {"organisation", "email"},
    "reason_hint": {"limit"},
    "stop_intro": {"organisation"},
    "unsubscribed_text": {"organisation", "email"},
}
PAGE_VALUES = {"organisation": "UNFFC Press Office", "email": "desk@example.org", "limit": "500"}


def test_page_languages_are_complete() -> None:
    """The pages are fully translated into English, French, Russian and Spanish."""
    for language in PAGE_LANGUAGES:
        assert set(PAGE_STRINGS[language]) == set(PAGE_STRINGS["en"]), language
    assert all(set(v) <= set(PAGE_STRINGS["en"]) for v in PAGE_STRINGS.values())


@pytest.mark.parametrize("language", sorted(PAGE_STRINGS))
def test_page_strings_are_well_formed(language: str) -> None:
    """Each page string is one trimmed line and names exactly the placeholders of its key."""
    for key, value in PAGE_STRINGS[language].items():
        assert value == value.strip(), f"{language}.{key}"
        assert "\n" not in value, f"{language}.{key}"
        fields = {name for _, name, _, _ in Formatter().parse(value) if name is not None}
        assert fields == PAGE_PLACEHOLDERS.get(key, set()), f"{language}.{key}: {value!r}"
        value.format(**PAGE_VALUES)


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("fr-CA", "fr"), ("RU", "ru"), ("es-419", "es"), ("ky", "en"), ("sr-Latn", "en"), ("", "en")],
)
def test_page_strings_fall_back_to_english(tag: str, expected: str) -> None:
    """A language the pages are not written in gets English."""
    assert page_strings(tag) == PAGE_STRINGS[expected]
