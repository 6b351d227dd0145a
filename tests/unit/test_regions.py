"""Tests for mailer.contacts.regions: the M49 tree, UN groupings, user regions and lookups."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailer.contacts import regions
from mailer.contacts.countries import ALL_COUNTRIES
from mailer.contacts.m49 import M49
from mailer.contacts.regions import Region, Taxonomy
from mailer.errors import DataError, UnknownRegionError

# Countries deliberately outside every region: Antarctica has no M49 region.
UNINHABITED_OUTSIDE_WORLD = {"AQ"}

SAMPLE = Path(__file__).resolve().parents[2] / "contacts" / "regions.yaml"

USER_REGIONS = """\
regions:
  - slug: seeca
    name: South-Eastern Europe, Eastern Europe and Central Asia
    include: [south-eastern-europe, eastern-europe, central-asia]
  - slug: caucasus-plus
    name: Caucasus and friends
    include:
      - south-caucasus
      - Kazakhstan
      - TUR
  - slug: wide
    name: Wide
    include: [caucasus-plus, micronesia]
"""


@pytest.fixture(scope="module")
def builtin() -> Taxonomy:
    return Taxonomy.builtin()


@pytest.fixture
def user(tmp_path: Path) -> Taxonomy:
    path = tmp_path / "regions.yaml"
    path.write_text(USER_REGIONS, encoding="utf-8")
    return Taxonomy.load(path, required=True)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "my-regions.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_central_asia_is_exactly_the_five_states(builtin: Taxonomy) -> None:
    """Central Asia is Kazakhstan, Kyrgyzstan, Tajikistan, Turkmenistan and Uzbekistan."""
    assert builtin.countries("central-asia") == {"KZ", "KG", "TJ", "TM", "UZ"}


@pytest.mark.parametrize(
    "slug", ["southern-europe", "south-eastern-europe", "western-balkans", "europe", "world"]
)
def test_kosovo_is_in_its_regions(builtin: Taxonomy, slug: str) -> None:
    """Kosovo, absent from M49, sits in Southern Europe and the Balkan groupings."""
    assert "XK" in builtin.countries(slug)


def test_world_covers_every_country_but_the_uninhabited(builtin: Taxonomy) -> None:
    """Every known country except those listed as uninhabited is somewhere in the world."""
    assert ALL_COUNTRIES - builtin.countries("world") == UNINHABITED_OUTSIDE_WORLD


def test_m49_countries_are_known_and_in_exactly_one_leaf() -> None:
    """The M49 table names only real codes, and no country sits in two M49 leaves."""
    listed = [code for m49 in M49 for code in m49.countries.split()]
    assert set(listed) <= ALL_COUNTRIES
    assert len(listed) == len(set(listed))


def test_m49_table_is_listed_depth_first(builtin: Taxonomy) -> None:
    """all() walks the M49 tree depth-first from world, then the UN groupings."""

    def walk(slug: str) -> list[str]:
        return [slug, *(s for child in builtin.children(slug) for s in walk(child.slug))]

    slugs = [region.slug for region in builtin.all()]
    assert slugs == [*walk("world"), "south-eastern-europe", "western-balkans", "south-caucasus"]
    assert slugs == [m49.slug for m49 in M49] + slugs[len(M49) :]


@pytest.mark.parametrize(
    ("slug", "members"),
    [
        ("western-balkans", {"AL", "BA", "XK", "ME", "MK", "RS"}),
        ("south-caucasus", {"AM", "AZ", "GE"}),
        ("south-eastern-europe", {"AL", "BA", "BG", "HR", "GR", "XK", "ME", "MK", "RO", "RS"}),
        ("northern-europe", {"GB", "GG", "JE", "SE"}),
        ("latin-america-and-the-caribbean", {"BR", "CU", "MX"}),
        ("sub-saharan-africa", {"NG", "ET", "CD", "ZA"}),
        ("eastern-asia", {"CN", "JP", "TW"}),
    ],
)
def test_region_contains_countries(builtin: Taxonomy, slug: str, members: set[str]) -> None:
    """A region holds the countries of its own list and of all its sub-regions."""
    assert members <= builtin.countries(slug)


def test_builtin_regions_are_marked_builtin(builtin: Taxonomy) -> None:
    """Every built-in region says so; groupings outside the tree have no parent."""
    assert all(region.builtin for region in builtin)
    assert builtin.get("western-balkans").parent is None
    assert builtin.get("central-asia").parent == "asia"


def test_children_and_descendants(builtin: Taxonomy) -> None:
    """children lists direct sub-regions; descendants adds the region and all below it."""
    assert [r.slug for r in builtin.children("americas")] == [
        "latin-america-and-the-caribbean",
        "northern-america",
    ]
    assert builtin.descendants("americas") == {
        "americas",
        "latin-america-and-the-caribbean",
        "caribbean",
        "central-america",
        "south-america",
        "northern-america",
    }
    assert builtin.descendants("central-asia") == {"central-asia"}


def test_regions_of_country_in_tree_order(builtin: Taxonomy) -> None:
    """regions_of_country lists every region containing the country, broadest first."""
    assert builtin.regions_of_country("kg") == ["world", "asia", "central-asia"]
    assert builtin.regions_of_country("AM") == ["world", "asia", "western-asia", "south-caucasus"]
    assert builtin.regions_of_country("AQ") == []


@pytest.mark.parametrize("text", ["central-asia", "Central-Asia", " CENTRAL-ASIA "])
def test_get_accepts_slug_in_any_case(builtin: Taxonomy, text: str) -> None:
    """A slug is found whatever its case and surrounding spaces, and comes back canonical."""
    assert builtin.get(text).slug == "central-asia"
    assert builtin.validate_slug(text) == "central-asia"


@pytest.mark.parametrize(
    ("text", "suggested"),
    [
        ("Central Asia", "central-asia"),
        ("centralasia", "central-asia"),
        ("central-aisa", "central-asia"),
        ("europa", "europe"),
        ("western-balcans", "western-balkans"),
        ("South-Eastern Asia", "south-eastern-asia"),
    ],
)
def test_unknown_slug_suggests_close_ones(builtin: Taxonomy, text: str, suggested: str) -> None:
    """An unknown slug raises UnknownRegionError whose first suggestion is the likely one."""
    with pytest.raises(UnknownRegionError) as caught:
        builtin.validate_slug(text)
    assert caught.value.suggestions[0] == suggested
    assert 1 <= len(caught.value.suggestions) <= 3
    assert suggested in str(caught.value)


def test_unknown_slug_without_lookalike_has_no_suggestions(builtin: Taxonomy) -> None:
    """A slug resembling nothing raises with no suggestions rather than a random one."""
    with pytest.raises(UnknownRegionError) as caught:
        builtin.get("zzzzqqq")
    assert caught.value.suggestions == ()


def test_user_regions_are_the_union_of_their_includes(user: Taxonomy) -> None:
    """A user region's countries are those of its included regions and countries."""
    expected = (
        user.countries("south-eastern-europe")
        | user.countries("eastern-europe")
        | user.countries("central-asia")
    )
    assert user.countries("seeca") == expected
    assert user.countries("caucasus-plus") == {"AM", "AZ", "GE", "KZ", "TR"}
    # "micronesia" is the region (region slugs win over country names), not the country FM alone.
    assert user.countries("wide") == {"AM", "AZ", "GE", "KZ", "TR"} | user.countries("micronesia")


def test_user_regions_follow_builtins_in_file_order(user: Taxonomy) -> None:
    """all() lists user regions after the built-ins, in the order of the file."""
    slugs = [region.slug for region in user.all()]
    assert slugs[-3:] == ["seeca", "caucasus-plus", "wide"]
    seeca = user.get("seeca")
    assert seeca == Region(
        slug="seeca",
        name="South-Eastern Europe, Eastern Europe and Central Asia",
        parent=None,
        includes=("south-eastern-europe", "eastern-europe", "central-asia"),
        direct_countries=frozenset(),
        builtin=False,
    )
    assert user.get("caucasus-plus").direct_countries == {"KZ", "TR"}


@pytest.mark.parametrize(
    ("slug", "country", "tags", "inside"),
    [
        ("seeca", "KG", [], True),  # country in an included region
        ("seeca", "FR", [], False),
        ("seeca", None, ["central-asia"], True),  # tag of an included region
        ("seeca", None, ["seeca"], True),  # tag of the region itself
        ("asia", None, ["central-asia"], True),  # tag of a sub-region
        ("central-asia", None, ["asia"], False),  # a broader tag is not inside
        ("central-asia", None, ["seeca"], False),
        ("wide", None, ["south-caucasus"], True),  # transitively through caucasus-plus
        ("wide", "FR", ["Central-Asia", "unknown-tag"], False),
        ("seeca", "fr", ["CENTRAL-ASIA"], True),  # case does not matter
        ("europe", None, [], False),
    ],
)
def test_contains_by_country_or_tag(
    user: Taxonomy, slug: str, country: str | None, tags: list[str], inside: bool
) -> None:
    """A contact is inside a region by its country or by a tag naming a region within it."""
    assert user.contains(slug, country, tags) is inside


def test_sample_file_loads() -> None:
    """The shipped contacts/regions.yaml is valid and defines the documented regions."""
    taxonomy = Taxonomy.load(SAMPLE, required=True)
    assert {"seeca", "central-asia-and-caucasus"} <= {r.slug for r in taxonomy if not r.builtin}
    assert {"KG", "XK", "UA", "TR"} <= taxonomy.countries("seeca")


def test_missing_file_is_fine_unless_required(tmp_path: Path) -> None:
    """An absent default file gives the built-ins; an absent named file is a DataError."""
    missing = tmp_path / "nope.yaml"
    assert len(Taxonomy.load(missing)) == len(Taxonomy.builtin())
    assert len(Taxonomy.load(None)) == len(Taxonomy.builtin())
    with pytest.raises(DataError, match=r"nope\.yaml"):
        Taxonomy.load(missing, required=True)


def test_empty_file_defines_no_regions(tmp_path: Path) -> None:
    """An empty file is valid and adds nothing."""
    taxonomy = Taxonomy.load(write(tmp_path, "# nothing yet\n"), required=True)
    assert len(taxonomy) == len(Taxonomy.builtin())


def test_include_may_name_a_later_region_and_a_single_item(tmp_path: Path) -> None:
    """A region may include one defined further down, and `include` may be one scalar."""
    text = """\
regions:
  - slug: outer
    name: Outer
    include: inner
  - slug: inner
    name: Inner
    include: [Кыргызстан, Sakartvelo]
"""
    taxonomy = Taxonomy.load(write(tmp_path, text), required=True)
    assert taxonomy.countries("outer") == {"KG", "GE"}
    assert taxonomy.descendants("outer") == {"outer", "inner"}


BAD_FILES = [
    pytest.param(
        "regions:\n  - slug: Bad_Slug\n    name: X\n    include: [KZ]\n",
        2,
        "not kebab-case",
        id="bad-slug",
    ),
    pytest.param(
        "regions:\n  - slug: ok\n    name: X\n    include:\n      - KZ\n      - nowhere-land\n",
        6,
        "'nowhere-land', which is neither a region nor a country",
        id="unknown-include",
    ),
    pytest.param(
        "regions:\n"
        "  - slug: alpha\n    name: A\n    include: [beta]\n"
        "  - slug: beta\n    name: B\n    include: [KZ, alpha]\n",
        7,
        "cycle: alpha -> beta -> alpha",
        id="cycle",
    ),
    pytest.param(
        "regions:\n  - slug: selfish\n    name: S\n    include: [selfish]\n",
        4,
        "cycle: selfish -> selfish",
        id="self-cycle",
    ),
    pytest.param(
        "regions:\n  - slug: one\n    name: X\n    include: [KZ]\n"
        "  - slug: central-asia\n    name: Y\n    include: [KZ]\n",
        5,
        "is a built-in region",
        id="clash-with-builtin",
    ),
    pytest.param(
        "regions:\n  - slug: twice\n    name: X\n    include: [KZ]\n"
        "  - slug: twice\n    name: Y\n    include: [KG]\n",
        5,
        "already defined on line 2",
        id="duplicate-slug",
    ),
    pytest.param(
        "regions:\n  - slug: georgia\n    name: X\n    include: [GE]\n",
        2,
        "is also a country",
        id="slug-is-a-country",
    ),
    pytest.param(
        "regions:\n  - slug: ok\n    name: X\n    include: [KZ\n  - slug: b\n",
        5,
        "invalid YAML",
        id="malformed-yaml",
    ),
    pytest.param(  # found by tests/fuzz: PyYAML's RecursionError was a traceback
        "regions:\n  - slug: " + "[" * 3000 + "]" * 3000 + "\n",
        1,
        "invalid YAML: nested too deeply",
        id="nested-too-deeply",
    ),
    pytest.param(
        "regions:\n  - slug: ok\n    name: X\n    includes: [KZ]\n",
        4,
        "unknown key",
        id="unknown-key",
    ),
    pytest.param(
        "regions:\n  - slug: ok\n    name: X\n",
        2,
        "no `include`",
        id="missing-include",
    ),
    pytest.param(
        "regions:\n  - slug: ok\n    name: X\n    include:\n      a: b\n",
        5,
        "`include` must be a list",
        id="include-is-a-mapping",
    ),
    pytest.param(
        "regions:\n  - slug: ok\n    name: X\n    include: [[KZ]]\n",
        4,
        "expected a non-empty text value",
        id="include-item-not-text",
    ),
    pytest.param("regions: central-asia\n", 1, "must be a list", id="regions-not-a-list"),
    pytest.param("- slug: ok\n", 1, "expected a mapping", id="root-not-a-mapping"),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD_FILES)
def test_bad_user_file_is_a_located_data_error(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    """A faulty region file raises one DataError naming the file, the line and the fault."""
    with pytest.raises(DataError) as caught:
        Taxonomy.load(write(tmp_path, text), required=True)
    error = str(caught.value)
    assert f"my-regions.yaml:{line}:" in error
    assert message in error
    assert "\n" not in error


def test_public_surface() -> None:
    """The module exports exactly the documented names."""
    assert sorted(regions.__all__) == ["Region", "Taxonomy"]


def test_tag_of_a_grouping_outside_the_tree_counts_in_regions_holding_its_countries() -> None:
    """A contact tagged south-caucasus (no country) is in western-asia and asia, not in europe."""
    taxonomy = Taxonomy.builtin()
    assert taxonomy.contains("western-asia", None, ["south-caucasus"])
    assert taxonomy.contains("asia", None, ["south-caucasus"])
    assert not taxonomy.contains("europe", None, ["south-caucasus"])
    assert "western-asia" in taxonomy.regions_of_tag("south-caucasus")
    assert not taxonomy.contains("central-asia", None, ["asia"])
