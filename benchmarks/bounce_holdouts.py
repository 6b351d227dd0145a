"""Benchmark: each unseen bounce holdout re-scored with the parser as it was at its first run.

    python -m benchmarks.bounce_holdouts [--ham DIR]

Each set in tests/data/bounces was labelled before the parser read it and scored once at the
commit below, then the parser was fixed on what it showed (tests/data/bounces/README.md). This
checks out each of those commits into a temporary git worktree, runs that commit's parser on the
set's samples (labels and samples from the working tree), and prints the first-run figures per
set and pooled, beside a baseline measured in the same run: flufl.bounce's recipient recall on
the same samples (its permanent failures; it has no kinds), and how many non-bounces it finds
a permanent failure in. It needs the repository's history (a clone, not an export). With --ham
DIR (tests/data/bounces/ham/fetch.sh) set P, whose messages are not kept here, is scored too.
Then the sets of real replies and samples (Y, Z, AA: kinds only, as bounce_vocabulary.py scores
them), each with the classifier of its first run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "bounces"
BENCHMARK = ROOT / "benchmarks" / "bounces.py"
VOCABULARY = ROOT / "benchmarks" / "bounce_vocabulary.py"
# split -> the commit whose parser first scored it
FROZEN = {
    "unseen-a": "95068d9",
    "unseen-b": "852f195",
    "unseen-c": "0f8784b",
    "unseen-d": "5f7d0f5",
    "unseen-e": "00a996c",
    "unseen-f": "66dc63e",
    "unseen-g": "e2eef81",
    "unseen-h": "eaa757c",
    "unseen-i": "345254c",
    "unseen-j": "eeb1fb6",
    "unseen-k": "da434cd",
    "unseen-l": "9f9b6df",
    "unseen-m": "5c7317d",
    "unseen-n": "27c99ec",
    "unseen-o": "c754fc0",
    "unseen-q": "860ae42",
    "unseen-r": "a8cdb99",
    "unseen-s": "6df105b",
    "unseen-t": "4759e34",
    "unseen-u": "7a98a7e",
    "unseen-v": "2b5e837",
    "unseen-w": "6c9d39d",
    "unseen-x": "b4f878d",
    "unseen-ab": "6788a8c",
    "unseen-ac": "a631138",
    "unseen-ad": "28cce52",
    "unseen-ae": "699faa5",
    "unseen-af": "c36a8b5",
    "unseen-ag": "19cc381",
    "unseen-ah": "dea22d5",
    "unseen-ai": "3586102",
    "unseen-aj": "a3074d4",
    "unseen-ak": "d48bbd4",
    "unseen-al": "da84c7d",
    "unseen-am": "d6e4075",
    "unseen-an": "8011db0",
    "unseen-ao": "e308a69",
    "unseen-ap": "34e39f9",
    "unseen-aq": "476a2e5",
    "unseen-ar": "bf86967",
    "unseen-as": "177a421",
}
# set P, scored from a folder outside the repository (--ham)
HAM = {"unseen-p": "ea85fc1"}
# sets of replies and samples, kinds only (benchmarks/bounce_vocabulary.py): split -> the commit
# whose classifier first scored it
REPLY_SETS = {"unseen-y": "ad79ede", "unseen-z": "ad79ede", "unseen-aa": "65fc001"}
FIELDS = (
    "samples",
    "expected",
    "right",
    "found",
    "kinds",
    "right_kinds",
    "non_bounces",
    "fp",
    "flufl_right",
    "flufl_fp",
)

# Run inside the old worktree: its own mailer package, the current labels and samples, and the
# current benchmark's Score, so that both benchmarks count alike.
_SCORE = """
import importlib.util, json, sys
from email import message_from_bytes
sys.path.insert(0, sys.argv[1])
from flufl.bounce import all_failures
from mailer.bounces.parse import parse_bounce

spec = importlib.util.spec_from_file_location("current_bounces", sys.argv[2])
bench = sys.modules[spec.name] = importlib.util.module_from_spec(spec)  # dataclasses need it
spec.loader.exec_module(bench)


def flufl(raw):  # flufl.bounce's permanent failures (what it would unsubscribe), lowercased
    try:
        _temporary, permanent = all_failures(message_from_bytes(raw))  # in that order
    except Exception:
        return set()
    return {(a.decode("utf-8", "replace") if isinstance(a, bytes) else str(a)).lower()
            for a in permanent}

labels_file, samples, split = sys.argv[3:6]
labels = json.load(open(labels_file, encoding="utf-8"))
score, flufl_right, flufl_fp = bench.Score(), 0, 0
for name, lab in labels.items():
    if lab.get("split") != split:
        continue
    raw = open(samples + "/" + name, "rb").read()
    theirs = bench.found_recipients(lab, flufl(raw))
    score.add(name, lab, parse_bounce(raw))
    if not lab["bounce"]:
        flufl_fp += bool(theirs)
    elif lab["recipients"] is not None:
        flufl_right += len(set(lab["recipients"]) & theirs)
print(json.dumps({
    "samples": score.samples, "expected": score.expected_recipients,
    "right": score.right_recipients, "found": score.found_recipients, "kinds": score.kinds,
    "right_kinds": score.right_kinds, "non_bounces": score.non_bounces,
    "fp": score.false_positives, "flufl_right": flufl_right, "flufl_fp": flufl_fp,
}))
"""


# Run inside the old worktree: its classifier on the current texts, read and classified by the
# current bounce_vocabulary.py, so that both benchmarks count alike.
_REPLY_SCORE = """
import importlib.util, json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])

spec = importlib.util.spec_from_file_location("current_vocabulary", sys.argv[2])
vocabulary = importlib.util.module_from_spec(spec)
spec.loader.exec_module(vocabulary)
data, split = Path(sys.argv[3]), sys.argv[4]
texts = right = 0
for at, _reason, text, kind in vocabulary.labelled_replies(data):
    if at == split:
        texts += 1
        right += vocabulary.kind_of(text) == kind
print(json.dumps({"texts": texts, "right": right}))
"""


def _in_worktree(commit: str, script: str, argv: list[str]) -> dict[str, int]:
    """What the script prints as JSON, run with the parser of the commit checked out (its path
    is the script's first argument)."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(tree), commit],
            check=True,
        )
        try:
            out = subprocess.run(
                [sys.executable, "-c", script, str(tree), *argv],
                check=True,
                capture_output=True,
                text=True,
                cwd=tmp,
            ).stdout
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True
            )
    result: dict[str, int] = json.loads(out)
    return result


def _score(split: str, commit: str, labels: Path, samples: Path) -> dict[str, int]:
    return _in_worktree(commit, _SCORE, [str(BENCHMARK), str(labels), str(samples), split])


def _replies() -> None:
    """Each set of replies and samples at its frozen commit, and the pool."""
    print(f"\n{'replies':<15}{'texts':>8}{'kind':>9}")
    texts = right = 0
    for split, commit in REPLY_SETS.items():
        counts = _in_worktree(commit, _REPLY_SCORE, [str(VOCABULARY), str(DATA), split])
        print(
            f"{split + ' ' + commit[:4]:<15}{counts['texts']:>8}"
            f"{_ratio(counts['right'], counts['texts']):>9}"
        )
        texts, right = texts + counts["texts"], right + counts["right"]
    print(f"{'pooled':<15}{texts:>8}{_ratio(right, texts):>9}   kinds {right}/{texts}")


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "-"


def _row(title: str, c: dict[str, int]) -> str:
    return (
        f"{title:<12}{c['samples']:>8}{_ratio(c['right'], c['expected']):>9}"
        f"{_ratio(c['right_kinds'], c['kinds']):>9}{c['fp']:>6} of {c['non_bounces']:<4}"
        f"{_ratio(c['flufl_right'], c['expected']):>12}{c['flufl_fp']:>6} of {c['non_bounces']:<4}"
    )


def main() -> None:
    """Score every holdout at its frozen commit; print each and the pool."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ham", type=Path, help="set P's folder (tests/data/bounces/ham/fetch.sh)")
    args = parser.parse_args()
    sets = [(split, commit, DATA / "labels.json", DATA) for split, commit in FROZEN.items()]
    if args.ham is not None:
        sets += [
            (split, commit, DATA / "ham" / "labels.json", args.ham) for split, commit in HAM.items()
        ]
    print(
        f"{'set':<12}{'samples':>8}{'rcpt-R':>9}{'kind':>9}  false bounces"
        f"{'flufl rcpt-R':>14}  flufl false"
    )
    pooled = dict.fromkeys(FIELDS, 0)
    for split, commit, labels, samples in sets:
        counts = _score(split, commit, labels, samples)
        print(_row(f"{split} {commit[:4]}", counts))
        for key in FIELDS:
            pooled[key] += counts[key]
    print(_row("pooled", pooled))
    print(
        f"\nrecipients {pooled['right']}/{pooled['expected']}, "
        f"kinds {pooled['right_kinds']}/{pooled['kinds']}, "
        f"false bounces {pooled['fp']}/{pooled['non_bounces']}; the same run's baseline, "
        f"flufl.bounce {version('flufl.bounce')} (no kinds): recipients "
        f"{pooled['flufl_right']}/{pooled['expected']}, non-bounces with a permanent failure "
        f"{pooled['flufl_fp']}/{pooled['non_bounces']}"
    )
    _replies()


if __name__ == "__main__":
    main()
