"""Benchmark: does classify() read other projects' bounce vocabularies as those projects do?

    python -m benchmarks.bounce_vocabulary [--misses]

tests/data/bounces/vocabulary/sisimai-reasons.tsv holds the wordings with which Sisimai, an
independent bounce parser, recognises each of its reasons. Each text is classified alone, with
no status or reply code, so that only its words decide; Sisimai's reason is mapped to our kind
(the mapping its corpus labels use, tests/data/bounces/README.md). Prints, per reason and in all,
how many texts get that kind and how many name no reason classify() knows (it then falls back
to hard). A fragment that names no reason on its own ("address rejected") is counted too: the
figure is a measure of coverage, not of accuracy on whole reports.

tests/data/bounces/vocabulary/zonemta-replies.tsv holds real SMTP replies quoted in zone-mta's
bounce rules, and those rules' expressions filled with their shortest match, each labelled with
our kind by its rule (sets Y and Z, tests/data/bounces/README.md). Each is classified as a
report's diagnostic is, with the enhanced code and reply code written in it; printed per split.
tests/data/bounces/vocabulary/bmh-samples.tsv holds the sample bounce lines quoted in the rules
of PHPMailer-BMH as Mautic keeps them, labelled by their rule's category (set AA), scored alike.
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from pathlib import Path

from benchmarks.bounces import DATA
from mailer.bounces.classify import classify, explains, find_smtp_code, find_status

VOCABULARY = DATA / "vocabulary" / "sisimai-reasons.tsv"
# Sisimai's reasons as our kinds; reasons about the recipient's filters, undefined or on hold
# are not in the file.
KIND_OF_REASON = {
    **dict.fromkeys(("userunknown", "hostunknown", "hasmoved", "suspend", "notaccept"), "hard"),
    **dict.fromkeys(
        (
            "mailboxfull",
            "exceedlimit",
            "mesgtoobig",
            "emailtoolarge",
            "expired",
            "networkerror",
            "systemerror",
            "systemfull",
            "mailererror",
        ),
        "soft",
    ),
    **dict.fromkeys(
        (
            "blocked",
            "rejected",
            "policyviolation",
            "spamdetected",
            "securityerror",
            "requireptr",
            "authfailure",
            "badreputation",
            "speeding",
            "ratelimited",
            "virusdetected",
            "contenterror",
            "notcompliantrfc",
            "norelaying",
            "toomanyconn",
        ),
        "block",
    ),
}


def rows(path: Path) -> list[dict[str, str]]:
    """The file's rows, past its comment lines."""
    with path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def labelled_replies(data: Path = DATA) -> list[tuple[str, str, str, str]]:
    """Every scored reply and sample: split, its source's reason, text and our kind (a reason or
    category the set's mapping leaves unscored is left out). bounce_holdouts.py reads them too."""
    zonemta = rows(data / "vocabulary" / "zonemta-replies.tsv")
    bmh = rows(data / "vocabulary" / "bmh-samples.tsv")
    labelled = [(row["split"], row["reason"], row["reply"], row["kind"]) for row in zonemta]
    labelled += [("unseen-aa", row["category"], row["sample"], row["kind"]) for row in bmh]
    return [entry for entry in labelled if entry[3]]


def kind_of(text: str) -> str:
    """The kind of a reply read as a report's diagnostic: with the codes written in it."""
    return classify(find_status(text), text, find_smtp_code(text)).value


def replies(misses: bool) -> None:
    """Classify every labelled reply and sample as a diagnostic; print how many get their kind,
    per split."""
    total, agree = Counter[str](), Counter[str]()
    for split, reason, text, kind in labelled_replies():
        got = kind_of(text)
        total[split] += 1
        agree[split] += got == kind
        if misses and got != kind:
            print(f"  {split:<13}{kind:<7}{got:<7}{reason:<15}{text[:100]}")
    print(f"\n{'replies, samples':<18}{'texts':>13}{'agree':>7}")
    for split in sorted(total):
        share = agree[split] / total[split]
        print(f"{split:<18}{total[split]:>13}{agree[split]:>7}   ({share:.3f})")


def main() -> None:
    """Classify every wording and reply; print agreement per reason, per split and in all."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list every text that disagrees")
    args = parser.parse_args()
    total, agree, unknown = Counter[str](), Counter[str](), Counter[str]()
    for row in rows(VOCABULARY):
        reason, text = row["reason"], row["text"]
        expected = KIND_OF_REASON[reason]
        got = classify(None, text).value
        known = explains(text)
        total[reason] += 1
        agree[reason] += got == expected and known
        unknown[reason] += not known
        if args.misses and (got != expected or not known):
            print(f"  {reason:<16}{expected:<7}{got:<7}{'' if known else '(no reason)':<12}{text}")
    print(f"{'reason':<18}{'kind':<7}{'texts':>6}{'agree':>7}{'no reason':>11}")
    for reason in sorted(total):
        print(
            f"{reason:<18}{KIND_OF_REASON[reason]:<7}{total[reason]:>6}"
            f"{agree[reason]:>7}{unknown[reason]:>11}"
        )
    whole = sum(total.values())
    print(
        f"{'all':<25}{whole:>6}{sum(agree.values()):>7}{sum(unknown.values()):>11}"
        f"   ({sum(agree.values()) / whole:.3f} agree)"
    )
    replies(args.misses)


if __name__ == "__main__":
    main()
