"""Every sample release, in every language, scores 0.0 or lower with Debian's SpamAssassin."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import missing_server
from tests.integration.render_helpers import MAIN_RELEASES, message_bytes, rendered_variants

_SCORE = re.compile(rb"X-Spam-Status: (?:Yes|No), score=(-?\d+(?:\.\d+)?)")
_RULE = re.compile(rb"^\s*(-?\d+\.\d+)\s+(\S+)\s+(.*)$", re.MULTILINE)


def _score(message: bytes) -> tuple[float, list[str]]:
    spamassassin = shutil.which("spamassassin")
    if spamassassin is None:
        missing_server("SpamAssassin is not installed (apt-get install spamassassin)")
        raise AssertionError  # unreachable: missing_server skips or fails
    # -L: local tests only (no DNS, no network); -t: test mode, prints the report.
    done = subprocess.run(
        [spamassassin, "-L", "-t"], input=message, capture_output=True, timeout=120, check=False
    )
    found = _SCORE.search(done.stdout)
    assert found, done.stdout[-2000:] + done.stderr[-2000:]
    report = done.stdout.split(b"Content analysis details:", 1)[-1]
    rules = [f"{m[1].decode()} {m[2].decode()}" for m in _RULE.finditer(report)]
    return float(found[1]), rules


@pytest.mark.parametrize("path", MAIN_RELEASES, ids=[p.name for p in MAIN_RELEASES])
def test_sample_release_scores_zero_or_lower(path: Path, tmp_path: Path) -> None:
    """The message exactly as the mailer writes it (not relayed) is not spam in any language."""
    _release, variants = rendered_variants(path)
    failures = []
    for rendered in variants:
        data = message_bytes(rendered)
        (tmp_path / f"{rendered.variant.language}.eml").write_bytes(data)
        score, rules = _score(data)
        print(f"{path.name} [{rendered.variant.language}] score={score}: {', '.join(rules)}")
        if score > 0.0:
            failures.append(f"{rendered.variant.language}: {score} ({', '.join(rules)})")
    assert not failures, failures
