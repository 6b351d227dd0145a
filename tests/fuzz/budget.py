"""How long the fuzz tests may run: Hypothesis settings per target, and a per-example timeout.

The profiles are registered on import (tests/fuzz/conftest.py imports this module before any test
module). The default budget keeps the whole directory near a minute on a 2-core machine; CI
(CI=true) runs the same examples every time (derandomize, no example database); MAILER_FUZZ=long
runs ten times as many examples per target, fresh ones each time, for a local hunt.
"""

from __future__ import annotations

import functools
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, ParamSpec, TypeVar

from hypothesis import HealthCheck, Phase, settings

__all__ = ["EXAMPLE_SECONDS", "PROFILE", "Hang", "bounded", "fuzz", "time_limit"]

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
LONG = os.environ.get("MAILER_FUZZ", "").lower() == "long"
PROFILE = "mailer-fuzz-long" if LONG else "mailer-fuzz-ci" if IN_CI else "mailer-fuzz"
EXAMPLE_SECONDS = 20  # no single input may take longer: a hang fails instead of blocking CI
_LONG_FACTOR = 10

P = ParamSpec("P")
R = TypeVar("R")


def register_profiles() -> None:
    """The three budgets: local default, CI (the same examples every run) and long."""
    common: dict[str, Any] = {
        "deadline": None,  # the machine is shared and noisy; hangs are caught by bounded()
        "suppress_health_check": [
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.function_scoped_fixture,
        ],
        "print_blob": True,
        # Explaining a failure reruns the slow examples many times; the failing input is enough.
        "phases": [phase for phase in Phase if phase != Phase.explain],
    }
    settings.register_profile("mailer-fuzz", max_examples=100, **common)
    settings.register_profile(
        "mailer-fuzz-ci", max_examples=100, derandomize=True, database=None, **common
    )
    settings.register_profile("mailer-fuzz-long", max_examples=100 * _LONG_FACTOR, **common)


register_profiles()


def fuzz(examples: int) -> settings:
    """Settings for one target: `examples` in the default and CI budgets, many more when long."""
    profile = settings.get_profile(PROFILE)
    return settings(profile, max_examples=examples * (_LONG_FACTOR if LONG else 1))


class Hang(Exception):
    """One example ran past its time limit."""


def _expired(signum: int, frame: FrameType | None) -> None:
    raise Hang(f"example ran over {EXAMPLE_SECONDS} s")


@contextmanager
def time_limit(seconds: float = EXAMPLE_SECONDS) -> Iterator[None]:
    """Raise Hang in the main thread if the block runs longer than `seconds` (SIGALRM)."""
    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def bounded(test: Callable[P, R]) -> Callable[P, R]:
    """Run each example of a test under time_limit(); put it below @given."""

    @functools.wraps(test)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with time_limit():
            return test(*args, **kwargs)

    return run
