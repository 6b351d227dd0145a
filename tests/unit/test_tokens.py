"""Signed tokens: round trip, case-insensitivity, and refusal of anything forged or foreign."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailer.tokens import InvalidToken, Purpose, make_token, read_token

SECRET = "a-long-test-secret-of-no-value"


@given(st.lists(st.integers(min_value=0, max_value=2**40), min_size=1, max_size=4))
def test_round_trip_survives_lowercasing_and_uppercasing(fields: list[int]) -> None:
    """Any fields come back from the token, whatever case an MTA gives it."""
    token = make_token(SECRET, Purpose.UNSUBSCRIBE, *fields)
    assert token == token.lower()
    assert read_token(SECRET, Purpose.UNSUBSCRIBE, token.upper()) == tuple(fields)


def test_short_enough_for_a_verp_local_part() -> None:
    """bounces+<token> stays well under the 64-octet local-part limit of RFC 5321."""
    token = make_token(SECRET, Purpose.VERP, 10**9, 10**6)
    assert len("bounces+" + token) < 64


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t[:-1] + ("a" if t[-1] != "a" else "b"),  # one character changed
        lambda t: t[:-3],  # truncated
        lambda t: t + "aa",  # extended
        lambda t: "",  # empty
        lambda t: "not-a-token!",  # foreign characters
        lambda t: "a" * 500,  # absurdly long
    ],
)
def test_forged_or_damaged_tokens_are_refused(mutate: object) -> None:
    """A token that was changed in any way is refused with InvalidToken."""
    token = make_token(SECRET, Purpose.UNSUBSCRIBE, 42, 7)
    with pytest.raises(InvalidToken):
        read_token(SECRET, Purpose.UNSUBSCRIBE, mutate(token))  # type: ignore[operator]


def test_other_secret_or_purpose_is_refused() -> None:
    """A token made with another secret, or for another purpose, does not verify."""
    token = make_token(SECRET, Purpose.UNSUBSCRIBE, 42)
    with pytest.raises(InvalidToken):
        read_token("another-secret", Purpose.UNSUBSCRIBE, token)
    with pytest.raises(InvalidToken):
        read_token(SECRET, Purpose.VERP, token)
