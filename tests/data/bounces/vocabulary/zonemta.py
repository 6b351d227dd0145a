"""Extract the example replies quoted in zone-mta's bounce rules, labelled by their rule.

    python tests/data/bounces/vocabulary/zonemta.py BOUNCES_TXT > zonemta-replies.tsv

BOUNCES_TXT is zone-eu/zone-mta's config/bounces.txt (EUPL-1.2 or later). Each rule is a line
"regex,action,reason,message"; the replies it was written from are quoted above it as comment
lines. Every comment line that starts with a 4xx or 5xx reply, and any such reply quoted without
its "#", is labelled by the first rule line after it, as set Y's entry in ../README.md says:
reasons about the sender, its host or its message are block, capacity, greylist and network soft,
recipient hard when the rule rejects and soft when it defers or slows down; other reasons are
left unlabelled. Each rule's own expression, filled with its shortest match, is a text of set Z,
labelled the same way. What starts before character 16,000 is the development half.
"""

from __future__ import annotations

import re
import re._parser as sre  # the parsed form of an expression, to fill it with its shortest match
import sys
from re._constants import (  # the parser's opcodes
    ANY,
    ASSERT,
    ASSERT_NOT,
    AT,
    BRANCH,
    CATEGORY,
    CATEGORY_DIGIT,
    CATEGORY_SPACE,
    IN,
    LITERAL,
    MAX_REPEAT,
    MIN_REPEAT,
    NEGATE,
    NOT_LITERAL,
    RANGE,
    SUBPATTERN,
)

DEV_END = 16_000  # the part read before set Y was registered
_REPLY = re.compile(r"^[45]\d\d[ -]")
_ACTIONS = {"defer", "reject", "slowdown"}
_BLOCK = {
    "blacklist", "spam", "block", "rate", "auth", "dmarc", "sender", "virus", "message", "config",
    "policy",
}  # fmt: skip
_SOFT = {"capacity", "greylist", "network"}


def kind(action: str, reason: str) -> str:
    """Our kind for a rule's action and reason, or "" when set Y's entry leaves it unscored."""
    if reason in _BLOCK:
        return "block"
    if reason in _SOFT:
        return "soft"
    if reason == "recipient":
        return "hard" if action == "reject" else "soft"
    return ""


_CATEGORY = {CATEGORY_DIGIT: "5", CATEGORY_SPACE: " "}


def _one(items: list[tuple[object, object]]) -> str:
    """The first character a class admits."""
    for op, av in items:
        if op is LITERAL:
            return chr(av)
        if op is RANGE:
            return chr(av[0])
        if op is CATEGORY:
            return _CATEGORY.get(av, "x")
        if op is NEGATE:
            return "x"
    return "x"


def shortest(tree: list[tuple[object, object]]) -> str:
    """A short text the parsed expression matches: the fewest repeats (one "x" for a required
    wildcard, "xyz" where a word is wanted), the first branch, the first member of a class."""
    out = []
    for op, av in tree:
        if op is LITERAL:
            out.append(chr(av))
        elif op in (NOT_LITERAL, ANY):
            out.append("x")
        elif op is IN:
            out.append(_one(av))
        elif op is CATEGORY:
            out.append(_CATEGORY.get(av, "x"))
        elif op in (MAX_REPEAT, MIN_REPEAT):
            low, _high, sub = av
            piece = shortest(sub)
            out.append(("xyz" if piece == "x" else piece) * low if low else "")
        elif op is SUBPATTERN:
            out.append(shortest(av[-1]))
        elif op is BRANCH:
            out.append(shortest(av[1][0]))
        elif op not in (AT, ASSERT, ASSERT_NOT):
            out.append("")
    return "".join(out)


def filled(expression: str) -> str | None:
    """The rule's expression filled with its shortest match, or None if Python cannot read it."""
    try:
        tree = sre.parse(expression, re.IGNORECASE)
    except (re.error, OverflowError, RecursionError):
        return None
    return re.sub(r"\s+", " ", shortest(list(tree))).strip()


def rule(line: str) -> tuple[str, str, str] | None:
    """A rule line's action, reason and message (its regex may hold commas)."""
    parts = line.rsplit(",", 3)
    if len(parts) == 4 and parts[1] in _ACTIONS:
        return parts[1], parts[2], parts[3]
    return None


def main() -> None:
    """Print the labelled replies as TSV."""
    with open(sys.argv[1], encoding="utf-8") as handle:
        text = handle.read()
    print("split\treply\taction\treason\tmessage\tkind")
    pending: list[tuple[int, str]] = []
    offset = 0
    for line in text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        stripped = line.strip()
        quoted = stripped[1:].strip() if stripped.startswith("#") else None
        found = None if quoted is not None else rule(stripped)
        if found is not None:
            action, reason, message = found
            example = filled(stripped.rsplit(",", 3)[0])
            if example:
                split = "zonemta-dev" if start < DEV_END else "unseen-z"
                print(f"{split}\t{example}\t{action}\t{reason}\t{message}\t{kind(action, reason)}")
            for at, reply in pending:
                split = "zonemta-dev" if at < DEV_END else "unseen-y"
                print(f"{split}\t{reply}\t{action}\t{reason}\t{message}\t{kind(action, reason)}")
            pending = []
        elif quoted is not None and _REPLY.match(quoted):
            pending.append((start, quoted.replace("\t", " ")))
        elif quoted is None and _REPLY.match(stripped):
            pending.append((start, stripped.replace("\t", " ")))


if __name__ == "__main__":
    main()
