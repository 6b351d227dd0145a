"""The region taxonomy: M49 regions, UN groupings and user regions, and the countries in each.

Users add regions in a YAML file (by default `contacts/regions.yaml`):

    regions:
      - slug: seeca                       # kebab-case, not a built-in slug, not a country
        name: South-Eastern Europe, Eastern Europe and Central Asia
        include: [south-eastern-europe, eastern-europe, central-asia, MD]

`include` lists regions (built-in or user, by slug) and countries (alpha-2 or alpha-3 code, or
any name `resolve_country` knows). A word that is both a region slug and a country name
("micronesia") means the region; write the country's code to mean the country.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from mailer.contacts.countries import resolve_country
from mailer.contacts.m49 import M49
from mailer.errors import DataError, Location, UnknownRegionError
from mailer.yamlfile import yaml_error

__all__ = ["Region", "Taxonomy"]

_SLUG = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_MAX_SLUG = 64  # a slug is stored as a contact tag; keep it a sensible column width
_FIELDS = ("slug", "name", "include")

# Groupings UN agencies use that cut across the M49 tree; usable everywhere, parent None.
# south-eastern-europe: the Balkan members of the South-East European Cooperation Process
# (SEECP), the usual definition in UN regional programmes, with Kosovo. Moldova, also an SEECP
# participant, is left out: M49 and UN regional offices count it in Eastern Europe.
_UN_GROUPINGS: tuple[tuple[str, str, str], ...] = (
    ("south-eastern-europe", "South-Eastern Europe", "AL BA BG HR GR XK ME MK RO RS SI TR"),
    ("western-balkans", "Western Balkans", "AL BA XK ME MK RS"),
    ("south-caucasus", "South Caucasus", "AM AZ GE"),
)


@dataclass(frozen=True)
class Region:
    """A named set of countries; `includes` are the slugs of its direct sub-regions."""

    slug: str
    name: str
    parent: str | None
    includes: tuple[str, ...]
    direct_countries: frozenset[str]
    builtin: bool


class Taxonomy:
    """Every region we know, and the countries and sub-regions each one covers."""

    def __init__(self, regions: Iterable[Region]) -> None:
        """Wrap regions already checked for references and cycles; use builtin() or load()."""
        self._regions = {region.slug: region for region in regions}
        self._countries: dict[str, frozenset[str]] = {}
        self._descendants: dict[str, frozenset[str]] = {}
        self._within: dict[str, frozenset[str]] = {}

    @classmethod
    def builtin(cls) -> Taxonomy:
        """The M49 tree and the UN groupings, without user regions."""
        return cls(_builtin_regions())

    @classmethod
    def load(cls, user_file: Path | None, *, required: bool = False) -> Taxonomy:
        """The built-ins plus the user regions in `user_file`; a DataError locates any fault.

        A missing file is an error only when `required` (the user named it explicitly).
        """
        builtins = _builtin_regions()
        if user_file is None:
            return cls(builtins)
        text = _read(user_file, required=required)
        if text is None:
            return cls(builtins)
        return cls(builtins + _UserFile(user_file, builtins).parse(text))

    def __iter__(self) -> Iterator[Region]:
        return iter(self._regions.values())

    def __len__(self) -> int:
        return len(self._regions)

    def __contains__(self, slug: object) -> bool:
        return isinstance(slug, str) and slug.strip().lower() in self._regions

    def all(self) -> list[Region]:
        """Every region in tree order: M49 depth-first, then UN groupings, then user regions."""
        return list(self._regions.values())

    def get(self, slug: str) -> Region:
        """The region with this slug (any case); UnknownRegionError with suggestions if none."""
        region = self._regions.get(slug.strip().lower())
        if region is None:
            raise UnknownRegionError(slug, self._suggest(slug))
        return region

    def validate_slug(self, slug: str) -> str:
        """The canonical form of a slug, or UnknownRegionError."""
        return self.get(slug).slug

    def children(self, slug: str) -> list[Region]:
        """The direct sub-regions (M49) or included regions (user regions) of a region."""
        return [self._regions[child] for child in self.get(slug).includes]

    def countries(self, slug: str) -> frozenset[str]:
        """Every country in a region, through its sub-regions and includes."""
        region = self.get(slug)
        found = self._countries.get(region.slug)
        if found is None:
            found = region.direct_countries.union(*(self.countries(c) for c in region.includes))
            self._countries[region.slug] = found
        return found

    def descendants(self, slug: str) -> frozenset[str]:
        """The region's slug and the slugs of every region it contains, transitively."""
        region = self.get(slug)
        found = self._descendants.get(region.slug)
        if found is None:
            found = frozenset({region.slug}).union(*(self.descendants(c) for c in region.includes))
            self._descendants[region.slug] = found
        return found

    def regions_of_country(self, code: str) -> list[str]:
        """The slugs of every region that contains the country, in tree order."""
        code = code.strip().upper()
        return [slug for slug in self._regions if code in self.countries(slug)]

    def within(self, slug: str) -> frozenset[str]:
        """Slugs of the regions that lie inside this one: its descendants, and any region (such
        as a grouping outside the M49 tree) whose countries all belong to it."""
        region = self.get(slug)
        found = self._within.get(region.slug)
        if found is None:
            mine = self.countries(region.slug)
            found = self.descendants(region.slug) | {
                r for r in self._regions if (c := self.countries(r)) and c <= mine
            }
            self._within[region.slug] = found
        return found

    def regions_of_tag(self, tag: str) -> list[str]:
        """The slugs of every region that a contact tagged with `tag` counts as part of."""
        key = tag.strip().lower()
        return [slug for slug in self._regions if key in self.within(slug)]

    def contains(self, slug: str, country: str | None, tags: Iterable[str]) -> bool:
        """Whether a contact (its country and its region tags) falls inside a region.

        A tag counts when it names a region inside this one: a journalist tagged `central-asia`
        is in `asia` and in `seeca`, one tagged `south-caucasus` is in `western-asia`, but one
        tagged `asia` is not in `central-asia`.
        """
        if country is not None and country.strip().upper() in self.countries(slug):
            return True
        inside = self.within(slug)
        return any(tag.strip().lower() in inside for tag in tags)

    def _suggest(self, text: str) -> list[str]:
        """Up to three slugs whose slug or name looks like `text` (e.g. "Central Asia")."""
        keys: dict[str, str] = {}
        for region in self._regions.values():
            keys.setdefault(_squash(region.slug), region.slug)
            keys.setdefault(_squash(region.name), region.slug)
        close = difflib.get_close_matches(_squash(text), keys, n=10)
        return list(dict.fromkeys(keys[key] for key in close))[:3]


def _squash(text: str) -> str:
    """Lower-case letters and digits only, so slugs, names and typos compare alike."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


@cache
def _builtin_regions() -> tuple[Region, ...]:
    """The M49 tree depth-first, then the UN groupings; built once."""
    children: dict[str, list[str]] = {}
    for m49 in M49:
        if m49.parent is not None:
            children.setdefault(m49.parent, []).append(m49.slug)
    tree = [
        Region(
            slug=m49.slug,
            name=m49.name,
            parent=m49.parent,
            includes=tuple(children.get(m49.slug, ())),
            direct_countries=frozenset(m49.countries.split()),
            builtin=True,
        )
        for m49 in M49  # M49 is listed depth-first already; a test pins that
    ]
    groupings = [
        Region(slug, name, None, (), frozenset(codes.split()), builtin=True)
        for slug, name, codes in _UN_GROUPINGS
    ]
    return tuple(tree + groupings)


def _read(path: Path, *, required: bool) -> str | None:
    """The file's text; None when it is absent and was not asked for by name."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise DataError("region file not found", Location(file=str(path))) from None
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read region file: {exc}", Location(file=str(path))) from None


@dataclass(frozen=True)
class _Include:
    """One `include` item as written, with its line for error messages."""

    text: str
    line: int


@dataclass(frozen=True)
class _Entry:
    """One user region as written in the file, before its includes are resolved."""

    slug: str
    name: str
    includes: tuple[_Include, ...]
    line: int


class _UserFile:
    """Parses and validates one user region file against the built-in regions."""

    def __init__(self, path: Path, builtins: tuple[Region, ...]) -> None:
        self._file = str(path)
        self._builtin = {region.slug: region for region in builtins}

    def parse(self, text: str) -> tuple[Region, ...]:
        """The user regions in `text`, in file order; DataError at the first fault."""
        root = self._compose(text)
        if root is None:  # an empty file defines no regions
            return ()
        entries = [self._entry(node) for node in self._region_nodes(root)]
        user = self._check_slugs(entries)
        regions = tuple(self._resolve(entry, user) for entry in entries)
        self._check_cycles(entries, user)
        return regions

    def _error(self, message: str, node: yaml.Node | None, field: str | None = None) -> DataError:
        line = node.start_mark.line + 1 if node is not None else None
        return DataError(message, Location(file=self._file, line=line, field=field))

    def _compose(self, text: str) -> yaml.Node | None:
        try:
            return yaml.compose(text, Loader=yaml.SafeLoader)
        except (yaml.YAMLError, RecursionError) as exc:
            raise yaml_error(exc, self._file) from None

    def _region_nodes(self, root: yaml.Node) -> list[yaml.Node]:
        if not isinstance(root, yaml.MappingNode):
            raise self._error("expected a mapping with a `regions:` list", root)
        fields = self._mapping(root, allowed=("regions",))
        regions = fields.get("regions")
        if regions is None:
            raise self._error("missing `regions:` list", root, "regions")
        if not isinstance(regions, yaml.SequenceNode):
            raise self._error("`regions` must be a list of regions", regions, "regions")
        return list(regions.value)

    def _mapping(self, node: yaml.MappingNode, allowed: tuple[str, ...]) -> dict[str, yaml.Node]:
        """The node's keys and values; an unknown or repeated key is an error at its line."""
        fields: dict[str, yaml.Node] = {}
        for key, value in node.value:
            name = str(key.value) if isinstance(key, yaml.ScalarNode) else None
            if name is None or name not in allowed:
                raise self._error(f"unknown key; expected one of {', '.join(allowed)}", key, name)
            if name in fields:
                raise self._error("key given twice", key, name)
            fields[name] = value
        return fields

    def _entry(self, node: yaml.Node) -> _Entry:
        if not isinstance(node, yaml.MappingNode):
            raise self._error("each region must be a mapping with slug, name, include", node)
        fields = self._mapping(node, allowed=_FIELDS)
        for field in _FIELDS:
            if field not in fields:
                raise self._error(f"region has no `{field}`", node, field)
        return _Entry(
            slug=self._scalar(fields["slug"], "slug"),
            name=self._scalar(fields["name"], "name"),
            includes=self._includes(fields["include"]),
            line=fields["slug"].start_mark.line + 1,
        )

    def _scalar(self, node: yaml.Node, field: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            raise self._error("expected a non-empty text value", node, field)
        return str(node.value).strip()

    def _includes(self, node: yaml.Node) -> tuple[_Include, ...]:
        # A single region or country may be written without brackets.
        if isinstance(node, yaml.MappingNode):
            raise self._error("`include` must be a list of regions or countries", node, "include")
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        if not items:
            raise self._error("`include` is empty; list regions or countries", node, "include")
        return tuple(
            _Include(self._scalar(item, "include"), item.start_mark.line + 1) for item in items
        )

    def _check_slugs(self, entries: list[_Entry]) -> dict[str, _Entry]:
        """The user regions by slug, once every slug is known to be well-formed and new."""
        user: dict[str, _Entry] = {}
        for entry in entries:
            problem = self._slug_problem(entry.slug, user)
            if problem:
                where = Location(file=self._file, line=entry.line, field="slug")
                raise DataError(problem, where)
            user[entry.slug] = entry
        return user

    def _slug_problem(self, slug: str, user: dict[str, _Entry]) -> str | None:
        if not _SLUG.fullmatch(slug) or len(slug) > _MAX_SLUG:
            return f"slug {slug!r} is not kebab-case (lower-case letters, digits, single hyphens)"
        if slug in self._builtin:
            return f"slug {slug!r} is a built-in region; choose another"
        if slug in user:
            return f"slug {slug!r} is already defined on line {user[slug].line}"
        if resolve_country(slug) is not None:
            # A slug that is also a country would make `include` ambiguous.
            return f"slug {slug!r} is also a country ({resolve_country(slug)}); choose another"
        return None

    def _resolve(self, entry: _Entry, user: dict[str, _Entry]) -> Region:
        """Split an entry's includes into regions and countries."""
        regions: list[str] = []
        countries: set[str] = set()
        for item in entry.includes:
            slug = item.text.lower()
            if slug in self._builtin or slug in user:
                regions.append(slug)
            elif (code := resolve_country(item.text)) is not None:
                countries.add(code)
            else:
                raise DataError(
                    f"region {entry.slug!r} includes {item.text!r}, "
                    "which is neither a region nor a country",
                    Location(file=self._file, line=item.line, field="include"),
                )
        includes = tuple(dict.fromkeys(regions))
        return Region(entry.slug, entry.name, None, includes, frozenset(countries), builtin=False)

    def _check_cycles(self, entries: list[_Entry], user: dict[str, _Entry]) -> None:
        """Refuse a region that includes itself, directly or through other user regions."""
        done: set[str] = set()
        for entry in entries:
            self._visit(entry, user, [], done)

    def _visit(
        self, entry: _Entry, user: dict[str, _Entry], path: list[str], done: set[str]
    ) -> None:
        # Only user regions can form a cycle: built-ins never include user regions.
        if entry.slug in done:
            return
        path.append(entry.slug)
        for item in entry.includes:
            target = item.text.lower()
            if target in path:
                cycle = " -> ".join([*path[path.index(target) :], target])
                where = Location(file=self._file, line=item.line, field="include")
                raise DataError(f"regions include each other in a cycle: {cycle}", where)
            if target in user:
                self._visit(user[target], user, path, done)
        path.pop()
        done.add(entry.slug)
