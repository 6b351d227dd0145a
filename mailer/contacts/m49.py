"""The UN M49 geoscheme as data: every region, its parent, and the countries of each leaf."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["M49", "M49Region"]


class M49Region(NamedTuple):
    """One M49 region; `countries` is set on leaves only (space-separated alpha-2 codes)."""

    slug: str
    name: str
    code: str  # the M49 numeric code, kept so the table can be checked against the UNSD list
    parent: str | None
    countries: str = ""


# Source: UN Statistics Division, "Standard country or area codes for statistical use (M49)",
# https://unstats.un.org/unsd/methodology/m49/ (regions, sub-regions and intermediate regions).
# Listed depth-first, in the order UNSD lists them. Two codes are added by hand, marked below:
# M49 has no entry for Kosovo or Taiwan, yet journalists there need a home in the tree.
M49: tuple[M49Region, ...] = (
    M49Region("world", "World", "001", None),
    M49Region("africa", "Africa", "002", "world"),
    M49Region("northern-africa", "Northern Africa", "015", "africa", "DZ EG LY MA SD TN EH"),
    M49Region("sub-saharan-africa", "Sub-Saharan Africa", "202", "africa"),
    M49Region(
        "eastern-africa",
        "Eastern Africa",
        "014",
        "sub-saharan-africa",
        "IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW",
    ),
    M49Region(
        "middle-africa", "Middle Africa", "017", "sub-saharan-africa", "AO CM CF TD CG CD GQ GA ST"
    ),
    M49Region("southern-africa", "Southern Africa", "018", "sub-saharan-africa", "BW SZ LS NA ZA"),
    M49Region(
        "western-africa",
        "Western Africa",
        "011",
        "sub-saharan-africa",
        "BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG",
    ),
    M49Region("americas", "Americas", "019", "world"),
    M49Region(
        "latin-america-and-the-caribbean", "Latin America and the Caribbean", "419", "americas"
    ),
    M49Region(
        "caribbean",
        "Caribbean",
        "029",
        "latin-america-and-the-caribbean",
        "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI",
    ),
    M49Region(
        "central-america",
        "Central America",
        "013",
        "latin-america-and-the-caribbean",
        "BZ CR SV GT HN MX NI PA",
    ),
    M49Region(
        "south-america",
        "South America",
        "005",
        "latin-america-and-the-caribbean",
        "AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE",
    ),
    M49Region("northern-america", "Northern America", "021", "americas", "BM CA GL PM US"),
    M49Region("asia", "Asia", "142", "world"),
    M49Region("central-asia", "Central Asia", "143", "asia", "KZ KG TJ TM UZ"),
    # TW added by hand: UNSD counts Taiwan under China, which is in Eastern Asia.
    M49Region("eastern-asia", "Eastern Asia", "030", "asia", "CN HK MO KP JP MN KR TW"),
    M49Region(
        "south-eastern-asia",
        "South-eastern Asia",
        "035",
        "asia",
        "BN KH ID LA MY MM PH SG TH TL VN",
    ),
    M49Region("southern-asia", "Southern Asia", "034", "asia", "AF BD BT IN IR MV NP PK LK"),
    M49Region(
        "western-asia",
        "Western Asia",
        "145",
        "asia",
        "AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE",
    ),
    M49Region("europe", "Europe", "150", "world"),
    M49Region("eastern-europe", "Eastern Europe", "151", "europe", "BY BG CZ HU PL MD RO RU SK UA"),
    M49Region(
        "northern-europe",
        "Northern Europe",
        "154",
        "europe",
        "AX DK EE FO FI IS IE IM LV LT NO SJ SE GB",
    ),
    M49Region("channel-islands", "Channel Islands", "830", "northern-europe", "GG JE"),
    # XK added by hand: Kosovo has no M49 code; it sits with Serbia, where UNSD data count it.
    M49Region(
        "southern-europe",
        "Southern Europe",
        "039",
        "europe",
        "AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES XK",
    ),
    M49Region("western-europe", "Western Europe", "155", "europe", "AT BE FR DE LI LU MC NL CH"),
    M49Region("oceania", "Oceania", "009", "world"),
    M49Region(
        "australia-and-new-zealand",
        "Australia and New Zealand",
        "053",
        "oceania",
        "AU CX CC HM NZ NF",
    ),
    M49Region("melanesia", "Melanesia", "054", "oceania", "FJ NC PG SB VU"),
    M49Region("micronesia", "Micronesia", "057", "oceania", "GU KI MH FM NR MP PW UM"),
    M49Region("polynesia", "Polynesia", "061", "oceania", "AS CK PF NU PN WS TK TO TV WF"),
)
