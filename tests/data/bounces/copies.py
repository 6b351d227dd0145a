"""List labelled samples that share a Message-ID with an earlier one: candidate copies.

    python tests/data/bounces/copies.py [FOLDER]

Run after anonymize.py (which maps one address, and one Message-ID, to one everywhere). Only
FOLDER's files are checked (default: every sample folder), each against every sample read before
it. A shared ID is a candidate, not a verdict: two reports about the same returned message share
that message's ID and are still two reports.
"""

from __future__ import annotations

import re
import sys

from anonymize import DATA, SAMPLE_DIRS  # this folder's script: the one list of sample folders

_ID = re.compile(rb"^(?:message-id|original-message-id):[ \t]*(<[^>\s]+>)", re.IGNORECASE | re.M)


def main() -> int:
    """Print each candidate copy and the samples it shares an ID with."""
    only = sys.argv[1] if len(sys.argv) > 1 else None
    folders = sorted(SAMPLE_DIRS, key=lambda name: name == only)  # the folder checked comes last
    seen: dict[bytes, str] = {}
    for folder in folders:
        for path in sorted((DATA / folder).iterdir()):
            name = str(path.relative_to(DATA))
            ids = {m.lower() for m in _ID.findall(path.read_bytes())}
            shared = sorted({seen[i] for i in ids if i in seen})
            if shared and (only is None or folder == only):
                print(f"{name}: shares a Message-ID with {', '.join(shared)}")
            for i in ids:
                seen.setdefault(i, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
