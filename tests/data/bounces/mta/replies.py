"""The recorded refusals of sets Q to S, keyed by scenario, for replay.py and collect.py.

Set Q's are Postfix's, keyed "<scenario>" (replies.json); sets R and S's are other receivers',
keyed "<receiver>-<scenario>" (replies-r.jsonl, one JSON object per line).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def load() -> dict[str, dict[str, Any]]:
    """Every recorded refusal: its stage, code and lines."""
    replies: dict[str, dict[str, Any]] = json.loads((HERE / "replies.json").read_text())["replies"]
    for line in (HERE / "replies-r.jsonl").read_text().splitlines():
        reply = json.loads(line)
        replies[f"{reply['receiver']}-{reply['scenario']}"] = reply
    return replies
