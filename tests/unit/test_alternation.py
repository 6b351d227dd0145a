"""trie_pattern: the trie it builds matches where, and as far as, the plain alternation does."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mailer.bounces.alternation import trie_pattern

DATA = Path(__file__).resolve().parent.parent / "data" / "bounces"
PATTERNS = [
    r"spam|spamhaus|\bspf\b|sorbs|(?<!not )listed (?:at|on|in) ",
    r"(?:user|recipient|address)(?: name)? (?:is )?(?:not found|unknown)|user ?unknown",
    r"mail ?box (?:is )?full|box full|(?:the )?quota|over ?quota|a[b-d]+|x{2}y",
    r"tim(?:ed|e) ?out|try (?:again )?later|temporar|\btry\b|",
    r"following address(?:\(es\)|es)? failed:?|address(?:\(es\)|es)? failed:",
    r"не существует|неизвестн\w* (?:пользовател|адресат)|用户不存在|存在しない",
    r"-+ original message(?: -+)?$|original message follows|-+?x|=++y",
]


def _texts() -> list[str]:
    labels = json.loads((DATA / "labels.json").read_text("utf-8"))
    out = []
    for name in labels:
        text = (DATA / name).read_bytes().decode("utf-8", "replace").lower()
        out += [text, *text.split("\n")]
    extra = [
        "spf",
        "a spf b",
        "xspf",
        "not listed at ",
        "be listed at ",
        "abcd",
        "xxy",
        "--x",
        "==y",
    ]
    return out + extra


TEXTS = _texts()


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_trie_matches_the_same_spans_as_the_alternation(pattern: str) -> None:
    """Same first match (start and end) on every sample and every line of one, with and without
    IGNORECASE."""
    for flags in (0, re.IGNORECASE):
        plain, trie = re.compile(pattern, flags), re.compile(trie_pattern(pattern), flags)
        for text in TEXTS:
            want, got = plain.search(text), trie.search(text)
            assert (want and want.span()) == (got and got.span()), (pattern, text[:200])


def test_alternatives_are_grouped_by_their_first_character() -> None:
    """One branch per leading character, leading groups and word boundaries folded in."""
    assert trie_pattern("spam", "sorbs|quota") == "s(?:pam|orbs)|quota"
    assert trie_pattern(r"(?:ab|ac)d", r"\bad") == r"a(?:bd|cd|(?<!\wa)d)"
