"""Country resolution: turn a code or a name, in English or the local language, into alpha-2."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import pycountry

__all__ = ["ALL_COUNTRIES", "country_name", "is_country", "resolve_country"]

# Kosovo has no ISO 3166-1 code; XK/XKX is the user-assigned code the EU, the IMF and most
# data providers use, so contact lists carry it.
_KOSOVO = ("XK", "XKX", "Kosovo", "Kosova", "Kosovë", "Косово", "Republika e Kosovës")

ALL_COUNTRIES: frozenset[str] = frozenset({c.alpha_2 for c in pycountry.countries} | {"XK"})

# Short English names where ISO's own is inverted or long ("Korea, Republic of").
_COMMON_NAMES: dict[str, str] = {
    "BN": "Brunei",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "FK": "Falkland Islands",
    "FM": "Micronesia",
    "MF": "Saint Martin",
    "PS": "Palestine",
    "RU": "Russia",
    "SX": "Sint Maarten",
    "VA": "Holy See",
    "VG": "British Virgin Islands",
    "VI": "U.S. Virgin Islands",
    "XK": "Kosovo",
}

# Names pycountry does not know: endonyms (every script a country officially writes its name
# in, plus common romanisations) for Europe, Central Asia, the Caucasus and the most populous
# countries elsewhere, and the English aliases journalists' lists actually contain. A test
# checks that every entry resolves to its own code, so a clash cannot slip in unnoticed.
_LOCAL_NAMES: dict[str, tuple[str, ...]] = {
    # Europe
    "AD": ("Principat d'Andorra",),
    "AL": ("Shqipëria", "Shqipëri", "Republika e Shqipërisë"),
    "AT": ("Österreich", "Republik Österreich"),
    "AX": ("Åland", "Ahvenanmaa"),
    "BA": ("Bosna i Hercegovina", "Босна и Херцеговина", "Bosnia", "Bosnia-Herzegovina", "BiH"),
    "BE": ("België", "Belgique", "Belgien"),
    "BG": ("България", "Република България"),
    "BY": ("Беларусь", "Белоруссия", "Byelorussia", "Belorussia", "Bielaruś"),
    "CH": ("Schweiz", "Suisse", "Svizzera", "Svizra", "Helvetia", "Confoederatio Helvetica"),
    "CY": ("Κύπρος", "Kıbrıs"),
    "CZ": ("Česko", "Česká republika", "Czech Republic"),
    "DE": ("Deutschland", "Bundesrepublik Deutschland"),
    "DK": ("Danmark",),
    "EE": ("Eesti",),
    "ES": ("España", "Espanya", "Espainia", "Reino de España"),
    "FI": ("Suomi",),
    "FO": ("Føroyar", "Færøerne"),
    "FR": ("République française",),
    "GB": (
        "UK",
        "Great Britain",
        "Britain",
        "England",
        "Scotland",
        "Wales",
        "Northern Ireland",
        "Cymru",
    ),
    "GR": ("Ελλάδα", "Ελλάς", "Hellas", "Ellada"),
    "HR": ("Hrvatska", "Republika Hrvatska"),
    "HU": ("Magyarország",),
    "IE": ("Éire", "Republic of Ireland"),
    "IS": ("Ísland",),
    "IT": ("Italia", "Repubblica Italiana"),
    "LT": ("Lietuva",),
    "LU": ("Lëtzebuerg", "Luxemburg"),
    "LV": ("Latvija",),
    "MD": ("Republica Moldova", "Молдова", "Moldavia", "Молдавия"),
    "ME": ("Crna Gora", "Црна Гора"),
    "MK": (
        "Македонија",
        "Северна Македонија",
        "Severna Makedonija",
        "Maqedonia e Veriut",
        "Macedonia",
        "FYROM",
    ),
    "NL": ("Nederland", "Holland"),
    "NO": ("Norge", "Noreg", "Norga"),
    "PL": ("Polska", "Rzeczpospolita Polska"),
    "RO": ("România",),
    "RS": ("Србија", "Srbija", "Република Србија", "Republika Srbija"),
    "RU": ("Russia", "Россия", "Российская Федерация", "Rossiya"),
    "SE": ("Sverige",),
    "SI": ("Slovenija",),
    "SK": ("Slovensko", "Slovenská republika"),
    "TR": ("Turkey", "Türkiye Cumhuriyeti"),
    "UA": ("Україна", "Украина", "Ukraina"),
    "VA": ("Vatican", "Vatican City", "Città del Vaticano", "Vaticano", "Holy See"),
    # The Caucasus
    "AM": ("Hayastan", "Հայաստան", "Армения"),
    "AZ": ("Azərbaycan", "Азербайджан"),
    "GE": ("Sakartvelo", "საქართველო", "Грузия"),
    # Central Asia (with the Russian names still common in the region's press)
    "KG": ("Кыргызстан", "Kyrgyz Republic", "Киргизия", "Kirghizia", "Qirgʻiziston"),
    "KZ": ("Қазақстан", "Казахстан", "Qazaqstan", "Kazakstan"),
    "TJ": ("Тоҷикистон", "Tojikiston", "Таджикистан"),
    "TM": ("Türkmenistan", "Туркменистан"),
    "UZ": ("O'zbekiston", "Ўзбекистон", "Узбекистан"),
    "MN": ("Монгол Улс", "Монгол", "Монголия"),
    # The most populous countries elsewhere, and the Arab states
    "AE": ("UAE", "Emirates", "الإمارات", "الإمارات العربية المتحدة"),
    "AF": ("افغانستان",),
    "BD": ("বাংলাদেশ",),
    "BH": ("البحرين",),
    "BO": ("Bolivia",),
    "BR": ("Brasil",),
    "BS": ("Bahamas",),
    "CD": (
        "DR Congo",
        "DRC",
        "Democratic Republic of the Congo",
        "Congo-Kinshasa",
        "République démocratique du Congo",
        "RDC",
        "Zaire",
    ),
    "CG": ("Republic of the Congo", "Congo-Brazzaville", "République du Congo"),
    "CI": ("Ivory Coast",),
    "CM": ("Cameroun",),
    "CN": ("中国", "中华人民共和国", "中華人民共和國", "Zhongguo", "PRC"),
    "CV": ("Cape Verde",),
    "DO": ("República Dominicana",),
    "DZ": ("الجزائر", "Algérie"),
    "EG": ("مصر", "Misr"),
    "ET": ("ኢትዮጵያ", "Ityopya"),
    "GM": ("Gambia",),
    "HK": ("香港",),
    "IL": ("ישראל",),
    "IN": ("भारत", "Bharat"),
    "IQ": ("العراق",),
    "IR": ("ایران", "إيران", "Persia"),
    "JO": ("الأردن",),
    "JP": ("日本", "日本国", "Nippon", "Nihon"),
    "KH": ("Kampuchea", "កម្ពុជា"),
    "KP": ("조선", "조선민주주의인민공화국", "DPRK"),
    # Plain "Korea" in a press list means the Republic of Korea.
    "KR": ("대한민국", "한국", "Korea"),
    "KW": ("الكويت",),
    "LA": ("ລາວ",),
    "LB": ("لبنان", "Liban"),
    "LY": ("ليبيا",),
    "MA": ("المغرب", "Maroc"),
    "MG": ("Madagasikara",),
    "MM": ("Burma", "မြန်မာ"),
    "MO": ("澳門", "Macau"),
    "MR": ("موريتانيا", "Mauritanie"),
    "MX": ("México", "Estados Unidos Mexicanos"),
    "MZ": ("Moçambique",),
    "NP": ("नेपाल",),
    "OM": ("عمان",),
    "PE": ("Perú",),
    "PH": ("Pilipinas",),
    "PK": ("پاکستان",),
    "PS": ("Palestine", "فلسطين", "Occupied Palestinian Territory"),
    "QA": ("قطر",),
    "SA": ("السعودية", "المملكة العربية السعودية", "KSA"),
    "SD": ("السودان",),
    "SH": ("Saint Helena",),
    "SY": ("سوريا",),
    "SZ": ("Swaziland",),
    "TH": ("ประเทศไทย", "ไทย", "Siam"),
    "TL": ("East Timor",),
    "TN": ("تونس", "Tunisie"),
    "TW": ("臺灣", "台灣", "台湾", "中華民國"),
    "US": ("United States of America", "Estados Unidos", "États-Unis"),
    "VN": ("Việt Nam",),
    "YE": ("اليمن",),
    "ZA": ("Suid-Afrika", "iNingizimu Afrika"),
}

# Letters with no Unicode decomposition, folded by hand so "Azərbaycan" == "Azerbaycan".
_FOLD = str.maketrans(
    {"ə": "e", "ı": "i", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "þ": "th", "ð": "d"}
    | {"&": " and "}
)
# Apostrophes of every kind are dropped, not treated as spaces: O'zbekiston == Ozbekiston.
_APOSTROPHES = re.compile(r"['‘’ʻʼʹ`´]")
_NON_WORD = re.compile(r"[\W_]+")
_WORD_ALIASES = {"st": "saint"}
_PARENTHESIS = re.compile(r"\s*\([^)]*\)")


def resolve_country(text: str) -> str | None:
    """Return the alpha-2 code for a code or a name in any form we know, else None."""
    return _index().get(_key(text))


def country_name(code: str) -> str:
    """Return the English common name of an alpha-2 code; KeyError if it is not a country."""
    return _english_names()[code.strip().upper()]


def is_country(code: str) -> bool:
    """Tell whether `code` is an alpha-2 code we know (any case), Kosovo's XK included."""
    return code.strip().upper() in ALL_COUNTRIES


def _normalise(text: str) -> str:
    """Fold case, diacritics, punctuation and spacing away, so variants share one key."""
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    bare = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words = [_WORD_ALIASES.get(w, w) for w in _NON_WORD.split(_APOSTROPHES.sub("", bare)) if w]
    if words[:1] == ["the"]:
        words = words[1:]
    return "".join(words)


# Imports resolve the same few hundred spellings over and over; caching the key keeps a
# lookup to a dict hit instead of a Unicode normalisation.
_key = lru_cache(maxsize=8192)(_normalise)


@cache
def _index() -> dict[str, str]:
    """Build the normalised-name -> alpha-2 table once, on first use."""
    index: dict[str, str] = {}

    def add(code: str, names: tuple[str, ...]) -> None:
        for name in names:
            key = _normalise(name)
            if key:
                # First writer wins: codes, then ISO names, then the hand-written table.
                index.setdefault(key, code)

    for country in pycountry.countries:
        add(country.alpha_2, (country.alpha_2, country.alpha_3))
    add("XK", _KOSOVO)
    for country in pycountry.countries:
        add(country.alpha_2, _iso_names(country))
    for code, names in _LOCAL_NAMES.items():
        add(code, names)
    return index


def _iso_names(country: pycountry.db.Country) -> tuple[str, ...]:
    """ISO's names for a country, plus the uninverted forms people type."""
    names = [getattr(country, field, None) for field in ("name", "official_name", "common_name")]
    variants: list[str] = []
    for name in filter(None, names):
        plain = _PARENTHESIS.sub("", name)  # "Holy See (Vatican City State)" -> "Holy See"
        variants += [name, plain]
        head, comma, tail = plain.partition(", ")
        if comma:  # "Korea, Republic of" -> "Republic of Korea"
            variants.append(f"{tail} {head}")
    return tuple(variants)


@cache
def _english_names() -> dict[str, str]:
    """Build the alpha-2 -> English common name table once, on first use."""
    names = {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    return names | _COMMON_NAMES
