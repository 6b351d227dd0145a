"""Tests for mailer.contacts.countries: codes, English and local names, Kosovo, names back."""

from __future__ import annotations

import pycountry
import pytest

from mailer.contacts import countries
from mailer.contacts.countries import ALL_COUNTRIES, country_name, is_country, resolve_country

RESOLVES = [
    # codes
    ("DE", "DE"),
    ("de", "DE"),
    ("DEU", "DE"),
    ("kgz", "KG"),
    # English names, official and common
    ("Kyrgyzstan", "KG"),
    ("Kyrgyz Republic", "KG"),
    ("Türkiye", "TR"),
    ("Turkey", "TR"),
    ("North Macedonia", "MK"),
    ("Moldova", "MD"),
    ("Republic of Moldova", "MD"),
    ("Russia", "RU"),
    ("Russian Federation", "RU"),
    ("Bosnia and Herzegovina", "BA"),
    ("Bosnia & Herzegovina", "BA"),
    ("Ivory Coast", "CI"),
    ("Côte d'Ivoire", "CI"),
    ("UK", "GB"),
    ("United Kingdom", "GB"),
    ("USA", "US"),
    ("U.S.A.", "US"),
    ("United States of America", "US"),
    ("Czech Republic", "CZ"),
    ("South Korea", "KR"),
    ("Republic of Korea", "KR"),
    ("Korea, Republic of", "KR"),
    ("North Korea", "KP"),
    ("Democratic Republic of the Congo", "CD"),
    ("DR Congo", "CD"),
    ("Congo", "CG"),
    ("Vietnam", "VN"),
    ("Viet Nam", "VN"),
    ("Iran", "IR"),
    ("Syria", "SY"),
    ("Laos", "LA"),
    ("Holy See", "VA"),
    ("St. Lucia", "LC"),
    ("Saint Lucia", "LC"),
    ("The Netherlands", "NL"),
    ("Guinea-Bissau", "GW"),
    ("Timor-Leste", "TL"),
    # local names: Europe
    ("Schweiz", "CH"),
    ("Suisse", "CH"),
    ("Svizzera", "CH"),
    ("Deutschland", "DE"),
    ("Österreich", "AT"),
    ("España", "ES"),
    ("Shqipëria", "AL"),
    ("Србија", "RS"),
    ("Srbija", "RS"),
    ("Crna Gora", "ME"),
    ("Црна Гора", "ME"),
    ("Македонија", "MK"),
    ("Bosna i Hercegovina", "BA"),
    ("Hrvatska", "HR"),
    ("Polska", "PL"),
    ("România", "RO"),
    ("България", "BG"),
    ("Ελλάδα", "GR"),
    ("Italia", "IT"),
    ("Magyarország", "HU"),
    ("Česko", "CZ"),
    ("Nederland", "NL"),
    ("Sverige", "SE"),
    ("Norge", "NO"),
    ("Suomi", "FI"),
    ("Danmark", "DK"),
    ("Россия", "RU"),
    ("Україна", "UA"),
    # local names: Central Asia and the Caucasus
    ("Кыргызстан", "KG"),
    ("Қазақстан", "KZ"),
    ("Казахстан", "KZ"),
    ("O'zbekiston", "UZ"),
    ("Oʻzbekiston", "UZ"),
    ("O’zbekiston", "UZ"),
    ("Узбекистан", "UZ"),
    ("Тоҷикистон", "TJ"),
    ("Türkmenistan", "TM"),
    ("Sakartvelo", "GE"),
    ("საქართველო", "GE"),
    ("Hayastan", "AM"),
    ("Հայաստան", "AM"),
    ("Azərbaycan", "AZ"),
    ("Azerbaycan", "AZ"),
    # local names: the largest countries elsewhere
    ("中国", "CN"),
    ("日本", "JP"),
    ("Brasil", "BR"),
    ("México", "MX"),
    ("مصر", "EG"),
    ("ایران", "IR"),
    ("भारत", "IN"),
    # Kosovo, outside ISO 3166-1
    ("XK", "XK"),
    ("XKX", "XK"),
    ("Kosovo", "XK"),
    ("Kosova", "XK"),
    ("Kosovë", "XK"),
    ("Косово", "XK"),
]


@pytest.mark.parametrize(("text", "code"), RESOLVES)
def test_resolves_codes_and_names(text: str, code: str) -> None:
    """A code, an English name or a local name resolves to its alpha-2 code."""
    assert resolve_country(text) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("  germany  ", "DE"),
        ("GERMANY", "DE"),
        ("osterreich", "AT"),
        ("cote divoire", "CI"),
        ("COTE D`IVOIRE", "CI"),
        ("guinea bissau", "GW"),
        ("u.k.", "GB"),
        ("bosnia-and-herzegovina", "BA"),
        ("ozbekiston", "UZ"),
        ("kosove", "XK"),
        ("turkiye", "TR"),
    ],
)
def test_matching_ignores_case_diacritics_and_punctuation(text: str, code: str) -> None:
    """Case, diacritics, surrounding spaces, apostrophes, dots and hyphens do not matter."""
    assert resolve_country(text) == code


@pytest.mark.parametrize("text", ["", "   ", "Atlantis", "ZZ", "XYZ", "Europe", "-", "Narnia"])
def test_unknown_text_gives_none(text: str) -> None:
    """Text that names no country resolves to None rather than guessing."""
    assert resolve_country(text) is None


def test_every_hand_written_name_resolves_to_its_own_country() -> None:
    """No local name or alias is shadowed by another country's code or ISO name."""
    clashes = {
        name: (code, resolve_country(name))
        for code, names in countries._LOCAL_NAMES.items()
        for name in names
        if resolve_country(name) != code
    }
    assert clashes == {}


def test_every_iso_code_and_name_resolves_to_its_own_country() -> None:
    """Each ISO country's alpha-2, alpha-3 and English names resolve back to it."""
    clashes: dict[str, str] = {}
    for country in pycountry.countries:
        texts = (country.alpha_2, country.alpha_3, *countries._iso_names(country))
        clashes |= {t: country.alpha_2 for t in texts if resolve_country(t) != country.alpha_2}
    assert clashes == {}


def test_all_countries_is_iso_plus_kosovo() -> None:
    """ALL_COUNTRIES holds every ISO alpha-2 code and XK, all upper-case."""
    assert {c.alpha_2 for c in pycountry.countries} | {"XK"} == ALL_COUNTRIES
    assert all(len(code) == 2 and code.isupper() for code in ALL_COUNTRIES)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("DE", "Germany"),
        ("kg", "Kyrgyzstan"),
        ("XK", "Kosovo"),
        ("MD", "Moldova"),
        ("KR", "South Korea"),
        ("CD", "Democratic Republic of the Congo"),
        ("RU", "Russia"),
        ("VG", "British Virgin Islands"),
    ],
)
def test_country_name_is_the_english_common_name(code: str, name: str) -> None:
    """country_name gives the short English name, never ISO's inverted form."""
    assert country_name(code) == name


def test_every_country_has_a_name_without_inversion() -> None:
    """No country's display name is an inverted ISO form such as 'Korea, Republic of'."""
    with_comma = {c for c in ALL_COUNTRIES if ", " in country_name(c)}
    assert with_comma == {"BQ", "SH"}  # lists of places, not inversions


def test_country_name_of_unknown_code_raises_key_error() -> None:
    """An unknown code is a programming error, so it raises KeyError."""
    with pytest.raises(KeyError):
        country_name("ZZ")


@pytest.mark.parametrize(
    ("code", "expected"),
    [("DE", True), ("de", True), ("XK", True), (" kg ", True), ("ZZ", False), ("DEU", False)],
)
def test_is_country(code: str, expected: bool) -> None:
    """is_country accepts alpha-2 codes in any case, Kosovo included, and nothing else."""
    assert is_country(code) is expected


def test_public_surface() -> None:
    """The module exports exactly the documented names."""
    assert sorted(countries.__all__) == [
        "ALL_COUNTRIES",
        "country_name",
        "is_country",
        "resolve_country",
    ]
