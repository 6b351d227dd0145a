"""Fuzz release files: front matter and Markdown either load or give located one-line errors,
`release check` never fails with a traceback, and rendered HTML never carries anything active."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from mailer.db import make_engine, session_scope
from mailer.models import Spokesperson
from mailer.release import FRONT_MATTER_KEYS, ReleaseInvalid, load_release
from mailer.render.markdown import render_body
from tests.conftest import Cli
from tests.fuzz.budget import bounded, fuzz

# --- front matter ---------------------------------------------------------------------------------

BREAKS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029", "\x00", "\x1b"]
words = st.one_of(
    st.sampled_from(
        [
            "Measles vaccination recovers",
            "press release",
            "media advisory",
            "2026-12-04",
            "2026-12-18T09:00:00+06:00",
            "2026-12-18T09:00:00",
            "2026-13-45",
            "en",
            "fr",
            "sr-Latn",
            "xx-invalid-tag",
            "l-bytyqi",
            "j-idn",
            "k-idn",
            "central-asia",
            "atlantis",
            "factsheet.pdf",
            "https://example.org/a.pdf",
            "../../etc/passwd",
            "",
            " ",
        ]
    ),
    st.text(max_size=30),
    st.builds(
        lambda a, b, c: a + b + c, st.text(max_size=8), st.sampled_from(BREAKS), st.text(max_size=8)
    ),
    st.builds(lambda n: "x" * n, st.integers(150, 2000)),
)
scalars = st.one_of(
    words, st.integers(), st.floats(allow_nan=True), st.booleans(), st.none(), st.dates()
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(words, inner, max_size=3)),
    max_leaves=8,
)
front_dicts = st.dictionaries(
    st.one_of(st.sampled_from(FRONT_MATTER_KEYS), words),
    values,
    max_size=len(FRONT_MATTER_KEYS) + 2,
)
RAW_YAML = [
    "title: [unclosed",
    'title: "unclosed',
    "title: &a [x, *a]",
    "title: *undefined",
    "\ttitle: tab",
    "title: x\ntitle: twice",
    "- a list\n- not a mapping",
    "plain scalar",
    "title: !!python/object/apply:os.system [echo]",
    "title: !custom x",
    "? complex\n: key",
    "{title: x, language: en",
    "%YAML 1.1\n---\ntitle: x",
    "title: x\n---\nlanguage: en",
    "a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b]",
    "title: " + "[" * 400 + "]" * 400,
    "title: " + "{a: " * 400 + "x" + "}" * 400,
    "title: |\n  two\n  lines",
    "title: >\n  folded\n\n  twice",
    "title: '\u2028'",
    'title: "a\\u2028b"',
    'title: "a\\x85b"',
    "language: en\ufeff",
]


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    """YAML as a writer would produce it from odd values, or a hand-written broken piece."""
    if draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(RAW_YAML)) + "\n"
    data: dict[Any, Any] = {"title": "Release", "language": "en"}
    data.update(draw(front_dicts))
    return yaml.safe_dump(
        data, allow_unicode=draw(st.booleans()), default_flow_style=draw(st.booleans())
    )


# --- Markdown bodies -------------------------------------------------------------------------------

ACTIVE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//example.org/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<img src=javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x]: javascript:alert(1)\n\n[x]",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    '<svg onload="alert(1)"><circle/></svg>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<iframe src="https://example.org"></iframe>',
    '<form action="https://example.org"><input name=x></form>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div onmouseover="alert(1)">hover</div>',
    '<a href="https://example.org" onclick="alert(1)">x</a>',
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<object data="x.swf"></object><embed src="x.swf">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<scr<script>ipt>alert(1)</script>",
    '<a href="https://example.org/"\nonclick=alert(1)>x</a>',
    "<table><tr><td background=javascript:alert(1)>x</td></tr></table>",
]
BLOCKS = [
    "**PRISTINA, 4 December 2026** – More children than in any year since ...",
    '"Every percentage point is thousands of children," said ...',
    "| a | b |\n|---|--:|\n| 1 | 2 |",
    "| a |\n|---|",
    "Text with a footnote.[^1]\n\n[^1]: The note.",
    "[^x]: orphan note",
    "1. one\n2. two\n   - nested",
    "999999999. huge start",
    "- [link](https://example.org) and <https://example.org>",
    "> quote\n> > deeper",
    "```\ncode\n```",
    "    indented code",
    "# Heading\n\n## Sub",
    "---",
    "***bold italic***",
    "a  \nhard break",
    "<https://example.org/a_b>",
    "[mail](mailto:press@example.org) [tel](tel:+41220000000)",
]
bodies = st.lists(
    st.one_of(
        st.sampled_from(ACTIVE),
        st.sampled_from(BLOCKS),
        st.text(max_size=40),
        st.builds(
            lambda c, n: c * n,
            st.sampled_from([">", "*", "[", "`", "- ", "<a>", "_"]),
            st.integers(1, 1000),
        ),
    ),
    min_size=1,
    max_size=8,
).map("\n\n".join)


@st.composite
def release_texts(draw: st.DrawFn) -> str:
    """A release file: front matter between fences (sometimes broken), then a body."""
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    fence = draw(st.sampled_from(["---", "---", "--- ", "----", ""]))
    closing = draw(st.sampled_from(["---", "---", "...", ""]))
    text = f"{fence}\n{draw(front_matter())}{closing}\n{draw(bodies)}\n"
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text.replace("\n", newline)


# --- properties -------------------------------------------------------------------------------------


def _all_located(exc: ReleaseInvalid, files: set[str]) -> None:
    """At least one problem; each on one line and naming its file."""
    assert exc.errors
    for err in exc.errors:
        assert "\n" not in str(err), repr(str(err))
        assert "\r" not in str(err), repr(str(err))
        assert err.location is not None, str(err)
        assert err.location.file in files, str(err)


@fuzz(200)
@given(main=release_texts(), translation=st.one_of(st.none(), release_texts()))
@bounded
def test_release_files_load_or_list_located_problems(
    fuzz_dir: Path, main: str, translation: str | None
) -> None:
    """load_release gives a Release, or ReleaseInvalid whose every problem names its file."""
    folder = fuzz_dir / "release"
    folder.mkdir(exist_ok=True)
    path, fr = folder / "r.md", folder / "r.fr.md"
    path.write_bytes(main.encode("utf-8", "surrogatepass"))
    fr.unlink(missing_ok=True)
    if translation is not None:
        fr.write_bytes(translation.encode("utf-8", "surrogatepass"))
    try:
        release = load_release(path)
    except ReleaseInvalid as exc:
        _all_located(exc, {str(path), str(fr)})
        return
    for variant in release.variants.values():
        for value in (
            variant.title,
            variant.subtitle or "",
            variant.summary,
            variant.dateline or "",
        ):
            assert not re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029]", value), repr(value)


class _Audit(HTMLParser):
    """Collects every tag and attribute of a document, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


_INERT_SCHEMES = ("http:", "https:", "mailto:", "tel:")
_FORBIDDEN_TAGS = {"script", "style", "iframe", "object", "embed", "form", "input", "svg", "math"}
_FORBIDDEN_TAGS |= {"meta", "base", "link", "frame", "frameset", "applet", "textarea", "button"}


def _assert_inert(markup: str) -> None:
    """No active tag, no event handler or style attribute, no URL outside the inert schemes."""
    audit = _Audit()
    audit.feed(markup)
    audit.close()
    for tag, attrs in audit.tags:
        assert tag not in _FORBIDDEN_TAGS, markup
        for name, value in attrs:
            assert not name.startswith("on"), markup
            assert name != "style", markup
            if name in ("href", "src", "action", "background", "xlink:href", "formaction"):
                url = re.sub(r"[\x00-\x20]", "", html.unescape(value or "")).lower()
                scheme = re.match(r"^[a-z][a-z0-9+.-]*:", url)
                assert scheme is None or scheme.group(0) in _INERT_SCHEMES, markup
    assert "<script" not in markup.lower(), markup


@fuzz(150)
@given(body=bodies, language=st.sampled_from(["en", "fr", "ru", "sr-Latn", "xx"]))
@bounded
def test_rendered_markdown_is_inert(body: str, language: str) -> None:
    """Whatever the Markdown and raw HTML, the HTML part has no script, handler or active URL."""
    _assert_inert(render_body(body, language).html)


# --- `mailer release check` --------------------------------------------------------------------------

ROSTER = """\
- handle: l-bytyqi
  name: Lirije Bytyqi
  email: l.bytyqi@unffc.example.org
- handle: j-idn
  name: Jürgen Idn
  email: juergen@exämple.org
"""


@pytest.fixture
def release_cli(sqlite_cli: Cli, tmp_path: Path) -> Cli:
    """The CLI with a roster of three: one with an international domain, one (from before import
    refused them) with a non-ASCII local part, which no header can carry."""
    roster = tmp_path / "roster.yaml"
    roster.write_text(ROSTER, "utf-8")
    assert sqlite_cli("spokespeople", "import", str(roster)).code == 0
    engine = make_engine(sqlite_cli.db_url)
    with session_scope(engine) as session:
        session.add(Spokesperson(handle="k-idn", name="Jürgen", email="jürgen@example.org"))
    engine.dispose()
    return sqlite_cli


_ERROR_LINE = re.compile(r"^(?P<file>/[^:]+):(?P<line>\d+):")


@fuzz(40)
@given(main=release_texts())
@bounded
def test_release_check_reports_located_problems(
    release_cli: Cli, tmp_path: Path, main: str
) -> None:
    """`mailer release check`: exit 0, or exit 1 listing `file:line: ...` problems; never 70."""
    path = tmp_path / "release.md"
    path.write_bytes(main.encode("utf-8", "surrogatepass"))
    result = release_cli("release", "check", str(path))
    assert result.code in (0, 1), result
    if result.code == 1:
        lines = result.err.splitlines()
        assert lines[-1].startswith("error: "), result
        problems = [line for line in lines[:-1] if not line.startswith("warning: ")]
        assert problems, result
        for line in problems:
            assert _ERROR_LINE.match(line) or line.startswith(f"{path}: "), result
