"""Fuzz the webhook endpoints through the served app: properly signed but malformed or mutated
bodies get a 4xx (or 200), never a 500; unsigned bodies are refused (401/403) before parsing."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine
from starlette.testclient import TestClient

from mailer.db import ensure_current, make_engine
from mailer.web.app import create_app
from mailer.webhooks.routes import webhook_routes
from tests.conftest import _reset_pg
from tests.fuzz.budget import bounded, fuzz
from tests.webhook_kit import (
    CERT_URL,
    DATA,
    GENERIC_SECRET,
    MAILGUN_KEY,
    Fetcher,
    generic_headers,
    postmark_headers,
    sendgrid_headers,
    ses_notification,
    sns_key,
    sns_sign,
)
from tests.webhook_kit import settings as webhook_settings

PROVIDERS = ["generic", "sendgrid", "mailgun", "postmark", "ses"]
SAMPLES = {p.name: json.loads(p.read_text("utf-8")) for p in DATA.glob("*.json")}


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def client(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """`mailer serve`'s app with every provider configured, on a database of each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('hooks') / 'hooks.db'}"
    else:
        url = request.getfixturevalue("pg_server_url")
        _reset_pg(url)
    engine: Engine = make_engine(url)
    ensure_current(engine)
    config = webhook_settings(url)
    routes = webhook_routes(config, engine, fetch=Fetcher({CERT_URL: sns_key()[1]}))
    app = create_app(config, engine, routes, body_limits={"/webhooks/": config.webhook_max_bytes})
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    engine.dispose()


# --- bodies -----------------------------------------------------------------------------------------

ODD_TEXT = ["", "\x00", "\ud800", "a\u2028b", "é" * 300, "x" * 5000, "5.1.1", "550 5.1.1 gone"]
ODD_TEXT += ["bounces+aaaaaaaaaaaaaaaa@bounces.newsroom.test", "<abc@newsroom.example.org>"]
ODD_TEXT += ["anna.petrova@outlet1.example.org", "ANNA.PETROVA@OUTLET1.EXAMPLE.ORG", "hard"]
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**20, max_value=10**400),
    st.floats(),
    st.sampled_from(ODD_TEXT),
    st.text(max_size=20),
)
json_values = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def _replace_at(doc: Any, path: list[int], value: Any) -> Any:
    """The document with the node picked by `path` (indexes into lists and dict values) replaced."""
    if not path or not isinstance(doc, (dict, list)) or not doc:
        return value
    keys = list(doc) if isinstance(doc, dict) else list(range(len(doc)))
    key = keys[path[0] % len(keys)]
    copy = dict(doc) if isinstance(doc, dict) else list(doc)
    copy[key] = _replace_at(doc[key], path[1:], value)
    return copy


# Fields that reach the database: addresses, event ids, diagnostics.
STORED = ["recipient", "email", "emailAddress", "Email", "id", "ID", "sg_event_id", "feedbackId"]
STORED += ["diagnostic", "reason", "Details", "diagnosticCode", "message", "description"]


def _suffixed(doc: Any, suffix: str, keys: frozenset[str], key: str = "") -> Any:
    """The document with the suffix added to the string values of the named keys."""
    if isinstance(doc, dict):
        return {k: _suffixed(v, suffix, keys, k) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_suffixed(v, suffix, keys, key) for v in doc]
    return doc + suffix if isinstance(doc, str) and key in keys else doc


@st.composite
def documents(draw: st.DrawFn, sample: str) -> Any:
    """A documented sample with some of its nodes replaced by arbitrary JSON, or any JSON."""
    if draw(st.integers(0, 4)) == 0:
        return draw(json_values)
    doc = SAMPLES[sample]
    if draw(st.integers(0, 3)) == 0:
        suffix = draw(st.sampled_from(["\x00", "\ud800", "\u2028", "é" * 300]))
        doc = _suffixed(doc, suffix, frozenset(draw(st.lists(st.sampled_from(STORED), min_size=1))))
    for _ in range(draw(st.integers(0, 4))):
        path = draw(st.lists(st.integers(0, 50), max_size=5))
        doc = _replace_at(doc, path, draw(json_values))
    return doc


def _raw(draw: st.DrawFn, doc: Any) -> bytes:
    """The document as bytes: proper JSON, or JSON broken on purpose."""
    body = json.dumps(doc, allow_nan=True).encode()
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return b"[" * draw(st.integers(1, 200_000))
    if kind == 1:
        return b"1" * draw(st.integers(4000, 6000))
    if kind == 2 and body:
        at = draw(st.integers(0, len(body) - 1))
        return body[:at] + draw(st.binary(max_size=4)) + body[at + 1 :]
    if kind == 3:
        return body.decode().encode(draw(st.sampled_from(["utf-16", "utf-32", "utf-8-sig"])))
    return body


SAMPLE_OF = {
    "generic": ["generic_events.json"],
    "sendgrid": ["sendgrid_events.json", "sendgrid_bounce_blocked.json"],
    "mailgun": ["mailgun_failed_permanent.json", "mailgun_complained.json"],
    "postmark": ["postmark_bounce.json", "postmark_spam_complaint.json"],
    "ses": ["ses_bounce_dsn.json", "ses_bounce_no_dsn.json", "ses_complaint.json"],
}
STAMPS = ["now", "now", "now", "²", "9" * 400, "-1", " 1", "1e9", "0x10", ""]


@st.composite
def signed_requests(draw: st.DrawFn) -> tuple[str, bytes, dict[str, str]]:
    """(provider, body, headers) that authenticate as the provider would send them."""
    provider = draw(st.sampled_from(PROVIDERS))
    doc = draw(documents(draw(st.sampled_from(SAMPLE_OF[provider]))))
    stamp = draw(st.sampled_from(STAMPS)).replace("now", str(int(time.time())))
    if provider == "mailgun":
        data = doc.get("event-data") if isinstance(doc, dict) else doc
        body = _mailgun_body(data, stamp, draw(st.booleans()))
        return provider, body, {"Content-Type": "application/json"}
    if provider == "ses":
        envelope = ses_notification({}, message_id=str(uuid.uuid4()))
        envelope["Message"] = draw(st.sampled_from([json.dumps(doc), str(doc)]))
        return provider, sns_sign(envelope, sns_key()[0], draw(st.sampled_from(["1", "2"]))), {}
    body = _raw(draw, doc)
    if provider == "generic":
        return provider, body, _generic_headers(body, stamp)
    if provider == "sendgrid":
        return provider, body, sendgrid_headers(body, stamp or None)
    return provider, body, postmark_headers()


def _mailgun_body(event: Any, stamp: str, good: bool) -> bytes:
    """A Mailgun body signed with a fresh token (a forged signature when not `good`)."""
    token = uuid.uuid4().hex
    mac = hmac.new(MAILGUN_KEY.encode(), (stamp + token).encode(), hashlib.sha256).hexdigest()
    signature = {"token": token, "timestamp": stamp, "signature": mac if good else "0" * 64}
    return json.dumps({"signature": signature, "event-data": event}).encode()


def _generic_headers(body: bytes, stamp: str) -> dict[str, str]:
    """Our generic signature over any timestamp text (generic_headers takes an integer)."""
    if stamp.isascii() and stamp.isdigit() and len(stamp) < 12:
        return generic_headers(body, int(stamp))
    mac = hmac.new(GENERIC_SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256)
    return {"X-Mailer-Timestamp": stamp, "X-Mailer-Signature": f"sha256={mac.hexdigest()}"}


def _post(client: TestClient, provider: str, body: bytes, headers: dict[str, str]) -> int:
    # Header values travel as bytes; the server reads them as latin-1 (RFC 9110 obs-text).
    raw = {
        k.encode(): v.encode("latin-1") for k, v in headers.items() if all(ord(c) < 256 for c in v)
    }
    return client.post(f"/webhooks/{provider}", content=body, headers=raw).status_code


@fuzz(200)
@given(request=signed_requests())
@bounded
def test_signed_but_malformed_bodies_get_an_answer_below_500(
    client: TestClient, request: tuple[str, bytes, dict[str, str]]
) -> None:
    """An authenticated request is recorded (200), refused as unreadable (400) or, for a stale
    or odd timestamp, as unauthenticated (401/403); nothing makes the server fail (500)."""
    provider, body, headers = request
    status = _post(client, provider, body, headers)
    assert status in (200, 400, 401, 403, 413), (status, provider, body[:300], headers)


junk_headers = st.dictionaries(
    st.sampled_from(
        [
            "X-Mailer-Signature",
            "X-Mailer-Timestamp",
            "X-Twilio-Email-Event-Webhook-Signature",
            "X-Twilio-Email-Event-Webhook-Timestamp",
            "Authorization",
            "x-amz-sns-message-type",
            "Content-Type",
        ]
    ),
    st.one_of(
        st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=40),
        st.sampled_from(["Basic Og==", "Basic !!!", "sha256=00", "Basic " + "A" * 500]),
    ),
    max_size=4,
)
unsigned_bodies = st.one_of(
    st.binary(max_size=2000),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.sampled_from(
        ["ses_bounce_dsn.json", "sns_notification.json", "mailgun_complained.json"]
    ).map(lambda name: json.dumps(SAMPLES[name]).encode()),
    st.builds(
        lambda arn, extra: json.dumps({"Type": "Notification", "TopicArn": arn, **extra}).encode(),
        json_values,
        st.dictionaries(
            st.sampled_from(["SignatureVersion", "Signature", "SigningCertURL"]), json_values
        ),
    ),
)


@fuzz(200)
@given(provider=st.sampled_from(PROVIDERS), body=unsigned_bodies, headers=junk_headers)
@bounded
def test_unsigned_bodies_are_refused(
    client: TestClient, provider: str, body: bytes, headers: dict[str, str]
) -> None:
    """Without the provider's credentials every body is refused: 401 with a challenge for
    Postmark, 403 for the others."""
    status = _post(client, provider, body, headers)
    assert status == (401 if provider == "postmark" else 403), (status, provider, body[:300])
