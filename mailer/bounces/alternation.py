"""Long regex alternations rewritten as a trie on their leading characters, for speed.

re tries every alternative of "a|b|c..." at every position of the text; with the alternatives
grouped by their first character ("s(?:pam|orbs)|q(?:uota)"), it tries only the group whose first
character is the one at hand. The rewrite keeps the set of places where the pattern matches and, at
each place, the order in which the alternatives are tried; capturing groups are not supported.
"""

from __future__ import annotations

import re
from collections import defaultdict

__all__ = ["trie_pattern"]

_QUANTIFIERS = ("*", "+", "?", "{")
_SPECIAL = frozenset("\\()[].^$*+?{}|")
_LOOKBEHIND = re.compile(r"\(\?<!([^\\()\[\].^$*+?{}|]+)\)")


def _class_end(pattern: str, start: int) -> int:
    """The index just past the character class opened at pattern[start] ("[")."""
    i = start + 1
    if pattern[i : i + 1] == "^":
        i += 1
    if pattern[i : i + 1] == "]":  # a "]" first in a class is a literal
        i += 1
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i + 1


def _pieces(pattern: str) -> list[str]:
    """Escapes and classes as one piece each, every other character as its own."""
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\":
            end = i + 2
        elif pattern[i] == "[":
            end = _class_end(pattern, i)
        else:
            end = i + 1
        out.append(pattern[i:end])
        i = end
    return out


def _split(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern."""
    out: list[str] = []
    current: list[str] = []
    depth = 0
    for piece in _pieces(pattern):
        if piece == "(":
            depth += 1
        elif piece == ")":
            depth -= 1
        elif piece == "|" and depth == 0:
            out.append("".join(current))
            current = []
            continue
        current.append(piece)
    out.append("".join(current))
    return out


def _group_end(pattern: str) -> int:
    """The index just past the group that opens the pattern, or -1."""
    depth, at = 0, 0
    for piece in _pieces(pattern):
        at += len(piece)
        if piece == "(":
            depth += 1
        elif piece == ")":
            depth -= 1
            if depth == 0:
                return at
    return -1


def _captures(pattern: str) -> bool:
    """Whether the pattern has a capturing group: "(" not followed by "?", or "(?P<"."""
    pieces = _pieces(pattern)
    for at, piece in enumerate(pieces):
        if piece == "(" and (
            pieces[at + 1 : at + 2] != ["?"] or pieces[at + 2 : at + 4] == ["P", "<"]
        ):
            return True
    return False


def _quantified(rest: str) -> bool:
    return rest.startswith(_QUANTIFIERS)


def _heads(alternative: str) -> list[tuple[str | None, str]]:
    """(leading literal character, the rest) for each alternative this one stands for; None for
    one that does not start with a literal character."""
    literal = alternative[:1] not in ("", *_SPECIAL)
    if literal and not _quantified(alternative[1:]):
        return [(alternative[0], alternative[1:])]
    if literal and alternative[1:2] == "+" and not _quantified(alternative[2:]):
        return [(alternative[0], alternative[0] + "*" + alternative[2:])]  # c+ is cc* (not c+?)
    if alternative.startswith("(?:"):  # (?:a|b)c stands for ac|bc
        end = _group_end(alternative)
        items, after = _split(alternative[3 : end - 1]), alternative[end:]
        if after.startswith("?") and not after.startswith(("??", "?+")):
            items, after = [*items, ""], after[1:]  # (?:a)?b stands for ab|b, tried in that order
        if end > 0 and not _quantified(after):
            return [head for item in items for head in _heads(item + after)]
    if alternative.startswith("\\b") and re.match(r"\w", alternative[2:3]):
        # \bword: a word character at the start has a boundary before it iff no word character
        # precedes it, which a lookbehind after it can tell
        char = alternative[2]
        if char not in _SPECIAL and not _quantified(alternative[3:]):
            return [(char, rf"(?<!\w{char})" + alternative[3:])]
    found = _LOOKBEHIND.match(alternative)
    if found:  # (?<!x)c... is c(?<!xc)...: the lookbehind moved past the character
        rest = alternative[found.end() :]
        if rest[:1] and rest[0] not in _SPECIAL and not _quantified(rest[1:]):
            return [(rest[0], f"(?<!{found[1]}{rest[0]})" + rest[1:])]
    return [(None, alternative)]


def _trie(alternatives: list[str]) -> list[str]:
    """The alternatives grouped by leading character, in their order; each group one pattern."""
    groups: dict[str | None, list[str]] = defaultdict(list)
    for alternative in alternatives:
        for head, rest in _heads(alternative):
            groups[head].append(rest)
    parts = []
    for head, rests in groups.items():
        if head is None:
            parts.extend(rests)
            continue
        inner = _trie(rests) if len(rests) > 1 else rests
        body = inner[0] if len(inner) == 1 else "(?:" + "|".join(inner) + ")"
        parts.append(re.escape(head) + body)
    return parts


def trie_pattern(*patterns: str) -> str:
    """The alternation of the patterns (each may be an alternation itself), as a trie; as it is
    if it has capturing groups, which the trie could duplicate or renumber."""
    if any(_captures(pattern) for pattern in patterns):
        return "|".join(patterns)
    return "|".join(_trie([alt for pattern in patterns for alt in _split(pattern)]))
