"""Provider webhooks end to end: documented sample payloads, signed with our own keys the way each
provider signs, posted to the routes of `mailer serve` and recorded on both backends."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from mailer.config import Settings
from mailer.webhooks.generic import sign
from mailer.webhooks.mailgun import signature as mailgun_signature
from tests.webhook_kit import (
    CERT_URL,
    GENERIC_SECRET,
    MAILGUN_KEY,
    Hooks,
    Newsroom,
    altered,
    events,
    generic_headers,
    hooks,
    mailgun_body,
    postmark_headers,
    sample,
    seed,
    sendgrid_headers,
    ses_notification,
    settings,
    sns_key,
    sns_sign,
    status_of,
)
from tests.webhook_kit import delivery_status as delivery_status_of

SES_PEOPLE = ["jane@example.com", "mary@example.com", "richard@example.com"]


@pytest.fixture
def config(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Every provider configured; nothing leaks in from the environment."""
    for name in list(os.environ):
        if name.startswith("MAILER_") and name != "MAILER_TEST_PG_URL":
            monkeypatch.delenv(name)
    return settings(db_url)


@pytest.fixture
def web(config: Settings, engine: Engine) -> Iterator[Hooks]:
    """A client of the webhook routes."""
    found = hooks(config, engine)
    with found.client:
        yield found


def _ses_post(web: Hooks, content: dict[str, Any], message_id: str, version: str = "1") -> Any:
    body = sns_sign(ses_notification(content, message_id), sns_key()[0], version)
    return web.client.post("/webhooks/ses", content=body)


# --- Amazon SES through SNS ------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1", "2"])
def test_ses_bounce_makes_the_contact_bounced_once(
    web: Hooks, engine: Engine, version: str
) -> None:
    """The SES guide's bounce with a DSN, signed SNS-style (v1 SHA1, v2 SHA256): hard bounce,
    Jane becomes bounced; the same SNS message again is counted as a duplicate."""
    seed(engine, SES_PEOPLE, [])
    content = sample("ses_bounce_dsn.json")
    first = _ses_post(web, content, "msg-1", version)
    assert first.status_code == 200, first.text
    assert first.json() == {"recorded": 1, "duplicates": 0, "ignored": 0}
    again = _ses_post(web, content, "msg-1", version)
    assert again.json() == {"recorded": 0, "duplicates": 1, "ignored": 0}
    [event] = events(engine)
    assert (event["source"], event["kind"], event["email"]) == (
        "webhook",
        "hard",
        "jane@example.com",
    )
    assert (event["status"], event["smtp_code"]) == ("5.1.1", 550)
    assert event["identity"].startswith("ses:00000138111222aa-")
    assert status_of(engine, "jane@example.com") == "bounced"
    assert status_of(engine, "mary@example.com") == "active"
    assert web.fetch.calls == [CERT_URL]  # the certificate is fetched once and kept


def test_ses_bounce_links_the_delivery_by_its_verp_return_path(web: Hooks, engine: Engine) -> None:
    """A bounce whose mail.source is our VERP address marks that delivery bounced."""
    room = seed(engine, SES_PEOPLE, ["jane@example.com"])
    content = altered(
        sample("ses_bounce_dsn.json"),
        lambda c: c["mail"].update(source=room.verp("jane@example.com").upper()),
    )
    assert _ses_post(web, content, "msg-verp").status_code == 200
    [event] = events(engine)
    assert event["delivery_id"] == room.deliveries["jane@example.com"]
    assert delivery_status_of(engine, room.deliveries["jane@example.com"]) == "bounced"


def test_ses_bounce_without_dsn_and_complaint_and_delivery(web: Hooks, engine: Engine) -> None:
    """The guide's bounce without a DSN bounces both recipients; its complaint makes Richard
    complained (linked by our Message-ID in the original headers); a delivery is ignored."""
    room = seed(engine, SES_PEOPLE, ["richard@example.com"])
    assert _ses_post(web, sample("ses_bounce_no_dsn.json"), "m1").json()["recorded"] == 2
    assert status_of(engine, "jane@example.com") == "bounced"
    complaint = altered(
        sample("ses_complaint.json"),
        lambda c: c["mail"]["commonHeaders"].update(
            messageId=room.message_id("richard@example.com")
        ),
    )
    response = _ses_post(web, complaint, "m2")
    assert response.json() == {"recorded": 1, "duplicates": 0, "ignored": 0}
    assert _ses_post(web, sample("ses_delivery.json"), "m3").json()["ignored"] == 1
    kinds = [(e["email"], e["kind"]) for e in events(engine)]
    assert kinds[-1] == ("richard@example.com", "complaint")
    assert events(engine)[-1]["delivery_id"] == room.deliveries["richard@example.com"]
    # Richard had bounced (no DSN sample) before complaining: the policy leaves him bounced.
    assert status_of(engine, "mary@example.com") == "active"


def test_ses_complaint_of_an_active_contact(web: Hooks, engine: Engine) -> None:
    """A complaint about an active journalist makes them complained."""
    seed(engine, SES_PEOPLE, [])
    assert _ses_post(web, sample("ses_complaint.json"), "m4").status_code == 200
    assert status_of(engine, "richard@example.com") == "complained"


def test_ses_subscription_is_confirmed_only_after_the_signature_checks(
    web: Hooks, engine: Engine
) -> None:
    """A forged SubscriptionConfirmation fetches nothing but the certificate; the signed one
    visits its SubscribeURL; an UnsubscribeConfirmation changes nothing."""
    envelope = sample("sns_subscription_confirmation.json")
    forged = json.loads(sns_sign(envelope, sns_key()[0]))
    forged["Token"] = "0" * 20
    response = web.client.post("/webhooks/ses", content=json.dumps(forged))
    assert response.status_code == 403
    assert all("ConfirmSubscription" not in url for url in web.fetch.calls)
    good = web.client.post("/webhooks/ses", content=sns_sign(envelope, sns_key()[0]))
    assert good.status_code == 200
    assert web.fetch.calls[-1] == envelope["SubscribeURL"]
    bye = sns_sign(sample("sns_unsubscribe_confirmation.json"), sns_key()[0])
    calls = len(web.fetch.calls)
    assert web.client.post("/webhooks/ses", content=bye).status_code == 200
    assert len(web.fetch.calls) == calls
    assert web.auth_failures == ["ses"]


def _refused_ses(web: Hooks, engine: Engine, body: bytes | str, **headers: str) -> None:
    response = web.client.post("/webhooks/ses", content=body, headers=headers)
    assert response.status_code == 403, response.text
    assert response.content == b""
    assert events(engine) == []


@pytest.mark.parametrize(
    ("change", "fetches"),
    [
        pytest.param(lambda e: e.update(Message=e["Message"] + " "), 1, id="tampered-message"),
        pytest.param(lambda e: e.update(Signature="AAAA" + e["Signature"][4:]), 1, id="bad-sig"),
        pytest.param(lambda e: e.pop("Signature"), 0, id="missing-signature"),
        pytest.param(lambda e: e.update(SignatureVersion="3"), 0, id="unknown-version"),
        pytest.param(
            lambda e: e.update(SigningCertURL=CERT_URL.replace("https:", "http:")), 0, id="http"
        ),
        pytest.param(
            lambda e: e.update(
                SigningCertURL=CERT_URL.replace("amazonaws.com", "amazonaws.com.evil.test")
            ),
            0,
            id="wrong-host",
        ),
        pytest.param(
            lambda e: e.update(SigningCertURL=CERT_URL.replace("https://", "https://u:p@")),
            0,
            id="userinfo",
        ),
        pytest.param(lambda e: e.update(TopicArn=e["TopicArn"] + "2"), 0, id="other-topic"),
    ],
)
def test_ses_forgeries_are_refused_and_nothing_is_recorded(
    web: Hooks, engine: Engine, change: Any, fetches: int
) -> None:
    """A tampered, unsigned or foreign message is refused with 403 and no detail, before any
    fetch from a host that is not SNS's; the lead's metrics hear of each."""
    seed(engine, SES_PEOPLE, [])
    signed = json.loads(sns_sign(ses_notification(sample("ses_bounce_dsn.json")), sns_key()[0]))
    _refused_ses(web, engine, json.dumps(altered(signed, change)))
    assert len(web.fetch.calls) == fetches
    assert web.auth_failures == ["ses"]
    assert status_of(engine, "jane@example.com") == "active"


def test_ses_raw_delivery_and_junk_are_refused(web: Hooks, engine: Engine) -> None:
    """Raw message delivery (no SNS envelope, so no signature) and a non-JSON body are 403."""
    raw = json.dumps(sample("ses_bounce_dsn.json"))
    _refused_ses(web, engine, raw, **{"x-amz-sns-rawdelivery": "true"})
    _refused_ses(web, engine, "not json")
    assert web.auth_failures == ["ses", "ses"]


def test_ses_certificate_outside_its_validity_is_refused(config: Settings, engine: Engine) -> None:
    """A signing certificate that has expired does not authenticate anything."""
    from datetime import UTC, datetime, timedelta

    from tests.webhook_kit import Fetcher, certificate

    key = sns_key()[0]
    old = certificate(key, datetime.now(UTC) - timedelta(days=60), days=30)
    found = hooks(config, engine, Fetcher({CERT_URL: old}))
    body = sns_sign(ses_notification(sample("ses_bounce_dsn.json")), key)
    assert found.client.post("/webhooks/ses", content=body).status_code == 403


def test_ses_unreachable_certificate_is_503(config: Settings, engine: Engine) -> None:
    """When the certificate cannot be fetched the answer is 503, so SNS retries later."""
    from tests.webhook_kit import Fetcher

    found = hooks(config, engine, Fetcher({}))
    body = sns_sign(ses_notification(sample("ses_bounce_dsn.json")), sns_key()[0])
    assert found.client.post("/webhooks/ses", content=body).status_code == 503
    assert found.auth_failures == []


# --- SendGrid ---------------------------------------------------------------------------------


def _sendgrid_batch() -> list[dict[str, Any]]:
    """The reference's delivery-event examples, one journalist per event, unique event ids."""
    events_ = sample("sendgrid_events.json")
    for i, event in enumerate(events_):
        event["email"] = f"j{i}@outlet.example.org"
        event["sg_event_id"] = f"sg-{i}"
    return list(events_)


def test_sendgrid_batch_is_recorded_per_event_and_once(web: Hooks, engine: Engine) -> None:
    """The reference's sample batch: bounce and dropped (Bounced Address) are hard, spamreport a
    complaint; processed, deferred, delivered, open, click and (un)subscribes are ignored."""
    batch = _sendgrid_batch()
    seed(engine, [e["email"] for e in batch], [])
    body = json.dumps(batch).encode()
    response = web.client.post("/webhooks/sendgrid", content=body, headers=sendgrid_headers(body))
    assert response.json() == {"recorded": 3, "duplicates": 0, "ignored": 8}
    kinds = {e["email"]: e["kind"] for e in events(engine)}
    assert kinds == {
        "j5@outlet.example.org": "hard",
        "j6@outlet.example.org": "hard",
        "j7@outlet.example.org": "complaint",
    }
    assert [status_of(engine, f"j{i}@outlet.example.org") for i in (4, 5, 6, 7)] == [
        "active",
        "bounced",
        "bounced",
        "complained",
    ]
    again = web.client.post("/webhooks/sendgrid", content=body, headers=sendgrid_headers(body))
    assert again.json() == {"recorded": 0, "duplicates": 3, "ignored": 8}


def test_sendgrid_blocked_is_reported_only_and_links_by_message_id(
    web: Hooks, engine: Engine
) -> None:
    """A bounce of type blocked is recorded as a block, the contact stays active; the event's
    smtp-id, our Message-ID, names the delivery."""
    room = seed(engine, ["example@example.org"], ["example@example.org"])
    blocked = sample("sendgrid_bounce_blocked.json")[1]
    blocked["smtp-id"] = room.message_id("example@example.org")
    body = json.dumps([blocked]).encode()
    response = web.client.post("/webhooks/sendgrid", content=body, headers=sendgrid_headers(body))
    assert response.json()["recorded"] == 1
    [event] = events(engine)
    assert (event["kind"], event["delivery_id"]) == (
        "block",
        room.deliveries["example@example.org"],
    )
    assert status_of(engine, "example@example.org") == "active"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(lambda body: sendgrid_headers(body + b" "), id="tampered-body"),
        pytest.param(lambda body: {}, id="missing"),
        pytest.param(
            lambda body: {**sendgrid_headers(body), "X-Twilio-Email-Event-Webhook-Timestamp": "1"},
            id="other-timestamp",
        ),
        pytest.param(
            lambda body: {**sendgrid_headers(body), "X-Twilio-Email-Event-Webhook-Signature": "%%"},
            id="not-base64",
        ),
    ],
)
def test_sendgrid_bad_signatures_are_refused(web: Hooks, engine: Engine, headers: Any) -> None:
    """Without SendGrid's signature over exactly this timestamp and body: 403, nothing kept."""
    body = json.dumps(sample("sendgrid_bounce_blocked.json")).encode()
    response = web.client.post("/webhooks/sendgrid", content=body, headers=headers(body))
    assert response.status_code == 403
    assert events(engine) == []
    assert web.auth_failures == ["sendgrid"]


def test_sendgrid_malformed_json_after_good_signature_is_400(web: Hooks) -> None:
    """A correctly signed body that is not a JSON array gets 400 and a one-line reason."""
    for body in (b"[{", b'{"event": "bounce"}'):
        response = web.client.post(
            "/webhooks/sendgrid", content=body, headers=sendgrid_headers(body)
        )
        assert response.status_code == 400
        assert response.text.count("\n") == 1
        assert response.text.strip()
    assert web.auth_failures == []


# --- Mailgun ----------------------------------------------------------------------------------


def test_mailgun_failures_and_complaints(web: Hooks, engine: Engine) -> None:
    """The Events API samples: a permanent failure for an unknown user is hard, the documented
    "550 Relay Not Permitted" is a policy block (reported, the journalist stays active), a complaint
    makes the journalist complained, a temporary failure Mailgun will retry is ignored; the same
    event redelivered (signed anew) is a duplicate."""
    people = ["recipient@example.com", "unknown@example.com", "foo@example.com", "bar@example.com"]
    seed(engine, people, [])
    post = web.client.post
    relay = sample("mailgun_failed_permanent.json")["event-data"]
    relay["id"] = "G9Bn5sl1TC6nu79C8C0bwg"
    assert post("/webhooks/mailgun", content=mailgun_body(relay, "t" * 50)).json()["recorded"] == 1
    again = post("/webhooks/mailgun", content=mailgun_body(relay, "u" * 50))
    assert again.json() == {"recorded": 0, "duplicates": 1, "ignored": 0}
    unknown = altered(relay, lambda e: e.update(id="other", recipient="unknown@example.com"))
    unknown["delivery-status"]["message"] = (
        "5.1.1 The email account that you tried to reach does not exist"
    )
    assert post("/webhooks/mailgun", content=mailgun_body(unknown, "v" * 50)).status_code == 200
    complained = sample("mailgun_complained.json")["event-data"]
    assert post("/webhooks/mailgun", content=mailgun_body(complained, "w" * 50)).status_code == 200
    temporary = sample("mailgun_failed_temporary.json")["event-data"]
    ignored = post("/webhooks/mailgun", content=mailgun_body(temporary, "x" * 50)).json()
    assert ignored == {"recorded": 0, "duplicates": 0, "ignored": 1}
    assert [(e["email"], e["kind"], e["status"], e["smtp_code"]) for e in events(engine)] == [
        ("recipient@example.com", "block", None, 550),
        ("unknown@example.com", "hard", "5.1.1", 550),
        ("foo@example.com", "complaint", None, None),
    ]
    assert [status_of(engine, p) for p in people] == ["active", "bounced", "complained", "active"]


def test_mailgun_links_the_delivery_through_user_variables(web: Hooks, engine: Engine) -> None:
    """user-variables.mailer_delivery holding the VERP return path names the delivery."""
    room = seed(engine, ["recipient@example.com"], ["recipient@example.com"])
    failed = sample("mailgun_failed_permanent.json")["event-data"]
    failed["user-variables"] = {"mailer_delivery": room.verp("recipient@example.com")}
    web.client.post("/webhooks/mailgun", content=mailgun_body(failed, "x" * 50))
    assert events(engine)[0]["delivery_id"] == room.deliveries["recipient@example.com"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(lambda ev: mailgun_body(ev, "y" * 50, key="key-wrong-0123456789"), id="key"),
        pytest.param(lambda ev: mailgun_body(ev, "y" * 50, timestamp=1770920772), id="stale"),
        pytest.param(
            lambda ev: mailgun_body(ev, "y" * 50).replace(b'"Relay', b'"Relax'), id="tampered-ok"
        ),
        pytest.param(lambda ev: json.dumps({"event-data": ev}).encode(), id="unsigned"),
        pytest.param(lambda ev: b"token=abc", id="form"),
    ],
)
def test_mailgun_refusals(web: Hooks, engine: Engine, body: Any) -> None:
    """A wrong key, a timestamp 15 minutes off, a missing signature or a non-JSON body: 403.
    (Mailgun signs only timestamp and token, so an altered event still passes: "tampered-ok".)"""
    event = sample("mailgun_failed_permanent.json")["event-data"]
    response = web.client.post("/webhooks/mailgun", content=body(event))
    if response.status_code == 200:
        assert events(engine)[0]["email"] == "recipient@example.com"
        return
    assert response.status_code == 403
    assert events(engine) == []
    assert web.auth_failures == ["mailgun"]


def test_mailgun_replayed_token_is_refused(web: Hooks, engine: Engine) -> None:
    """The exact request again (same token) is a replay: 403."""
    body = mailgun_body(sample("mailgun_complained.json")["event-data"], "z" * 50)
    assert web.client.post("/webhooks/mailgun", content=body).status_code == 200
    assert web.client.post("/webhooks/mailgun", content=body).status_code == 403
    assert web.auth_failures == ["mailgun"]
    assert len(events(engine)) == 1


# --- Postmark ---------------------------------------------------------------------------------


def test_postmark_bounce_and_spam_complaint(web: Hooks, engine: Engine) -> None:
    """Postmark's hard bounce makes John bounced; its spam complaint sample (same ID 42, another
    record type) is recorded too; Metadata.mailer_delivery names the delivery."""
    room = seed(engine, ["john@example.com", "jim@example.com"], ["jim@example.com"])
    post = web.client.post
    bounce = sample("postmark_bounce.json")
    assert post(
        "/webhooks/postmark", content=json.dumps(bounce), headers=postmark_headers()
    ).json() == {
        "recorded": 1,
        "duplicates": 0,
        "ignored": 0,
    }
    assert status_of(engine, "john@example.com") == "bounced"
    spam = sample("postmark_spam_complaint.json")
    spam.update(
        Email="jim@example.com", ID=43, Metadata={"mailer_delivery": room.verp("jim@example.com")}
    )
    assert (
        post("/webhooks/postmark", content=json.dumps(spam), headers=postmark_headers()).status_code
        == 200
    )
    assert status_of(engine, "jim@example.com") == "complained"
    assert events(engine)[-1]["delivery_id"] == room.deliveries["jim@example.com"]
    delivered = {"RecordType": "Delivery", "MessageID": "x", "Recipient": "john@example.com"}
    assert (
        post(
            "/webhooks/postmark", content=json.dumps(delivered), headers=postmark_headers()
        ).json()["ignored"]
        == 1
    )


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="none"),
        pytest.param(postmark_headers(password="correct-horse-battery-stapler"), id="password"),
        pytest.param(postmark_headers(user="postmark-hook"), id="user"),
        pytest.param({"Authorization": "Bearer abc"}, id="scheme"),
        pytest.param({"Authorization": "Basic !!!"}, id="garbage"),
    ],
)
def test_postmark_wrong_credentials_get_401_with_a_challenge(
    web: Hooks, engine: Engine, headers: dict[str, str]
) -> None:
    """Missing or wrong basic auth: 401 with WWW-Authenticate (RFC 7617), nothing recorded."""
    body = json.dumps(sample("postmark_bounce.json"))
    response = web.client.post("/webhooks/postmark", content=body, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic realm=")
    assert events(engine) == []
    assert web.auth_failures == ["postmark"]


# --- Generic ----------------------------------------------------------------------------------


def test_generic_events_follow_the_policy(web: Hooks, engine: Engine) -> None:
    """Our README sample: a hard bounce bounces the contact; a soft bounce is counted and the
    contact stays active until the third (soft_bounce_limit); a complaint makes the journalist complained; a block is
    reported only."""
    sample_body = sample("generic_events.json")
    people = [e["recipient"] for e in sample_body["events"]] + ["d@outlet4.example.org"]
    room = seed(engine, people, [people[0]])
    sample_body["events"][0]["delivery"] = room.verp(people[0])
    body = json.dumps(sample_body).encode()
    response = web.client.post("/webhooks/generic", content=body, headers=generic_headers(body))
    assert response.json() == {"recorded": 3, "duplicates": 0, "ignored": 0}
    assert [status_of(engine, p) for p in people[:3]] == ["bounced", "active", "complained"]
    assert events(engine)[0]["delivery_id"] == room.deliveries[people[0]]
    assert events(engine)[1]["kind"] == "soft"
    more = {
        "events": [
            {"id": f"soft-{i}", "type": "bounce", "recipient": people[1], "status": "4.2.2"}
            for i in (2, 3)
        ]
        + [{"id": "blk", "type": "bounce", "kind": "block", "recipient": people[3]}]
    }
    body = json.dumps(more).encode()
    web.client.post("/webhooks/generic", content=body, headers=generic_headers(body))
    assert status_of(engine, people[1]) == "bounced"  # the third soft bounce in 30 days
    assert status_of(engine, people[3]) == "active"
    assert events(engine)[-1]["kind"] == "block"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param(lambda b: generic_headers(b, timestamp=1_000_000_000), 403, id="stale"),
        pytest.param(lambda b: generic_headers(b + b"x"), 403, id="tampered"),
        pytest.param(lambda b: {}, 403, id="missing"),
        pytest.param(
            lambda b: {**generic_headers(b), "X-Mailer-Timestamp": "1700000000"},
            403,
            id="restamped",
        ),
    ],
)
def test_generic_refusals(web: Hooks, engine: Engine, headers: Any, status: int) -> None:
    """A stale, altered, unsigned or re-stamped request is refused; nothing is recorded."""
    body = json.dumps(sample("generic_events.json")).encode()
    assert (
        web.client.post("/webhooks/generic", content=body, headers=headers(body)).status_code
        == status
    )
    assert events(engine) == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "malformed JSON"),
        (b'{"events": [{"id": "1", "type": "bounce"}]}', "events[0].recipient: Field required"),
        (b'{"events": [{"id": "1", "type": "ok", "recipient": "a@b.test"}]}', "events[0].type"),
    ],
)
def test_generic_unreadable_body_after_good_auth_is_400(
    web: Hooks, engine: Engine, body: bytes, reason: str
) -> None:
    """A signed body that is not our format: 400 and a one-line reason; no auth failure."""
    response = web.client.post("/webhooks/generic", content=body, headers=generic_headers(body))
    assert response.status_code == 400
    assert response.text.startswith(reason)
    assert response.text.count("\n") == 1
    assert web.auth_failures == []


# --- Every route ------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["ses", "sendgrid", "mailgun", "postmark", "generic"])
def test_oversized_bodies_get_413_before_anything_else(
    web: Hooks, engine: Engine, provider: str, config: Settings
) -> None:
    """A body over webhook_max_bytes is refused with 413, declared or streamed in chunks."""
    big = b"[" + b" " * config.webhook_max_bytes + b"]"
    assert web.client.post(f"/webhooks/{provider}", content=big).status_code == 413
    chunks = iter([b" " * 65536] * (config.webhook_max_bytes // 65536 + 2))
    assert web.client.post(f"/webhooks/{provider}", content=chunks).status_code == 413
    assert web.auth_failures == []
    assert events(engine) == []


def test_unconfigured_providers_are_404_and_only_post_is_allowed(
    db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without its secret a provider's route answers 404; GET on a configured one is 405."""
    for name in list(os.environ):
        if name.startswith("MAILER_") and name != "MAILER_TEST_PG_URL":
            monkeypatch.delenv(name)
    bare = hooks(
        settings(
            db_url,
            ses_topic_arns=[],
            sendgrid_public_key=None,
            mailgun_signing_key=None,
            postmark_webhook_password=None,
            generic_webhook_secret=None,
        ),
        engine,
    )
    for provider in ("ses", "sendgrid", "mailgun", "postmark", "generic"):
        assert bare.client.post(f"/webhooks/{provider}", content=b"{}").status_code == 404
    full = hooks(settings(db_url), engine)
    assert full.client.get("/webhooks/generic").status_code == 405


def test_any_topic_when_configured_so(db_url: str, engine: Engine) -> None:
    """ses_topic_arns = ["*"] accepts a signed notification from any topic."""
    found = hooks(settings(db_url, ses_topic_arns=["*"]), engine)
    seed(engine, SES_PEOPLE, [])
    content = ses_notification(sample("ses_bounce_dsn.json"))
    content["TopicArn"] = "arn:aws:sns:eu-west-1:999999999999:Other"
    response = found.client.post("/webhooks/ses", content=sns_sign(content, sns_key()[0]))
    assert response.status_code == 200
    assert len(events(engine)) == 1


def test_newsroom_helper_is_consistent(engine: Engine) -> None:
    """The kit's VERP addresses and Message-IDs decode back to their deliveries."""
    from mailer.bounces.verp import find_delivery, message_id_delivery
    from tests.webhook_kit import BOUNCE_DOMAIN, SECRET

    room: Newsroom = seed(engine, ["a@example.org"], ["a@example.org"])
    assert (
        find_delivery([room.verp("a@example.org")], SECRET, BOUNCE_DOMAIN)
        == room.deliveries["a@example.org"]
    )
    assert (
        message_id_delivery(room.message_id("a@example.org"), SECRET)
        == room.deliveries["a@example.org"]
    )


# --- Found by tests/fuzz (each answered 500) ---------------------------------------------------


@pytest.mark.parametrize("stamp", ["²", "9" * 400])
def test_odd_but_signed_timestamps_are_stale(web: Hooks, engine: Engine, stamp: str) -> None:
    """A correctly signed timestamp of non-ASCII digits ("²".isdigit() is true) or of 400
    digits raised ValueError or OverflowError; it is refused as stale, 403."""
    body = json.dumps(sample("generic_events.json")).encode()
    headers = {
        "X-Mailer-Timestamp": stamp.encode("latin-1"),  # HTTP header bytes, read as latin-1
        "X-Mailer-Signature": sign(GENERIC_SECRET, stamp, body).encode(),
    }
    assert web.client.post("/webhooks/generic", content=body, headers=headers).status_code == 403
    token = "t" * 50
    mac = mailgun_signature(MAILGUN_KEY, stamp, token)
    signature = {"token": token, "timestamp": stamp, "signature": mac}
    event = sample("mailgun_failed_permanent.json")["event-data"]
    mailgun = json.dumps({"signature": signature, "event-data": event}).encode()
    assert web.client.post("/webhooks/mailgun", content=mailgun).status_code == 403
    assert events(engine) == []


@pytest.mark.parametrize("topic", [[], {}, 7, None])
def test_a_topic_of_any_json_type_is_refused(web: Hooks, engine: Engine, topic: Any) -> None:
    """Before its signature is checked, an SNS message's TopicArn may be any JSON: a list was
    looked up in a frozenset (TypeError); now any topic not listed is 403."""
    body = json.dumps({**sample("sns_notification.json"), "TopicArn": topic}).encode()
    assert web.client.post("/webhooks/ses", content=body).status_code == 403
    assert events(engine) == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[" * 100_000, "malformed JSON: nested too deeply"),  # RecursionError
        (b"1" * 5000, "malformed JSON: a number too long"),  # int() refuses 4,300+ digits
    ],
)
def test_json_too_deep_or_too_long_is_400_after_good_auth(
    web: Hooks, body: bytes, reason: str
) -> None:
    """A signed body the decoder cannot build: 400 with a one-line reason."""
    response = web.client.post("/webhooks/generic", content=body, headers=generic_headers(body))
    assert response.status_code == 400
    assert response.text == reason + "\n"


def test_nul_and_lone_surrogates_are_stored_cleaned(web: Hooks, engine: Engine) -> None:
    """JSON can carry NUL (PostgreSQL refuses it in text) and "\\ud800" escapes (a lone
    surrogate, which no database driver encodes); events holding them are recorded, cleaned."""
    generic = json.dumps(
        {
            "events": [
                {
                    "id": "fz-1\x00",
                    "type": "bounce",
                    "recipient": "nul@example.org",
                    "diagnostic": "550 5.1.1 gone\x00",
                }
            ]
        }
    ).encode()
    response = web.client.post(
        "/webhooks/generic", content=generic, headers=generic_headers(generic)
    )
    assert response.status_code == 200, response.text
    batch = [{"email": "\ud800x@example.org", "event": "bounce", "sg_event_id": "fz-2"}]
    sendgrid = json.dumps(batch).encode()  # ensure_ascii writes the surrogate as \ud800
    response = web.client.post(
        "/webhooks/sendgrid", content=sendgrid, headers=sendgrid_headers(sendgrid)
    )
    assert response.status_code == 200, response.text
    found = events(engine)
    assert [(e["identity"], e["email"]) for e in found] == [
        ("generic:fz-1", "nul@example.org"),
        ("sendgrid:fz-2", "?x@example.org"),
    ]
