"""Provider webhooks without a database: the SNS string to sign, URL and key checks, settings, and
tables of (provider, sample, events found) over the documented sample payloads."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import ValidationError

from mailer.config import Settings
from mailer.webhooks import events as events_module
from mailer.webhooks import routes as routes_module
from mailer.webhooks import sns
from mailer.webhooks.errors import BadPayload, Unauthenticated
from mailer.webhooks.mailgun import MailgunReceiver, Tokens
from mailer.webhooks.postmark import PostmarkReceiver
from mailer.webhooks.sendgrid import SendGridReceiver, public_key
from mailer.webhooks.ses import read_notification
from tests.webhook_kit import (
    MAILGUN_KEY,
    POSTMARK,
    altered,
    mailgun_body,
    postmark_headers,
    sample,
    sendgrid_headers,
    sendgrid_key,
    sendgrid_public_key,
)

SNS_HOST = re.compile(r"sns\.[a-z0-9-]+\.amazonaws\.com")


def test_public_surface_is_pinned() -> None:
    """The modules the lead engineer wires export exactly the documented names."""
    assert routes_module.__all__ == ["Receiver", "receivers", "webhook_routes"]
    assert events_module.__all__ == [
        "DELIVERY_HEADER",
        "DELIVERY_KEY",
        "Batch",
        "Notice",
        "Provider",
        "complaint",
        "failure",
    ]


def test_sns_string_to_sign_matches_the_guides_examples() -> None:
    """The SNS guide's example strings to sign, for a Notification and a SubscriptionConfirmation."""
    notification = {
        "Type": "Notification",
        "MessageId": "4d4dc071-ddbf-465d-bba8-08f81c89da64",
        "TopicArn": "arn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P",
        "Subject": "My subject",
        "Message": "My Test Message",
        "Timestamp": "2012-06-05T04:37:04.321Z",
        "SignatureVersion": "1",
        "UnsubscribeURL": "https://sns.us-east-2.amazonaws.com/?Action=Unsubscribe",
    }
    assert sns.string_to_sign(notification) == (
        b"Message\nMy Test Message\nMessageId\n4d4dc071-ddbf-465d-bba8-08f81c89da64\n"
        b"Subject\nMy subject\nTimestamp\n2012-06-05T04:37:04.321Z\n"
        b"TopicArn\narn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P\n"
        b"Type\nNotification\n"
    )
    without_subject = {k: v for k, v in notification.items() if k != "Subject"}
    assert b"Subject" not in sns.string_to_sign(without_subject)
    c = sample("sns_subscription_confirmation.json")
    # The escaped newline in the JSON Message is signed as a real line break.
    assert "MyTopic.\nTo confirm" in c["Message"]
    assert (
        sns.string_to_sign(c)
        == (
            f"Message\n{c['Message']}\nMessageId\n{c['MessageId']}\n"
            f"SubscribeURL\n{c['SubscribeURL']}\nTimestamp\n{c['Timestamp']}\n"
            f"Token\n{c['Token']}\nTopicArn\n{c['TopicArn']}\nType\nSubscriptionConfirmation\n"
        ).encode()
    )


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://sns.us-west-2.amazonaws.com/SimpleNotificationService-1.pem", True),
        ("https://SNS.EU-WEST-1.AMAZONAWS.COM/a.pem", True),  # host names ignore case (RFC 4343)
        ("http://sns.us-west-2.amazonaws.com/a.pem", False),
        ("https://sns.us-west-2.amazonaws.com.evil.test/a.pem", False),
        ("https://evil.test/sns.us-west-2.amazonaws.com/a.pem", False),
        ("https://user@sns.us-west-2.amazonaws.com/a.pem", False),
        ("https://sns.us-west-2.amazonaws.com:8443/a.pem", False),
        ("https://s3.us-west-2.amazonaws.com/a.pem", False),
        ("https://sns.us-west-2.amazonaws.com:99999/a.pem", False),
        ("ftp://sns.us-west-2.amazonaws.com/a.pem", False),
    ],
)
def test_sns_url_check(url: str, ok: bool) -> None:
    """Only https on port 443 of a host the pattern matches in full, without user info."""
    if ok:
        assert sns.check_url(url, SNS_HOST) == url
    else:
        with pytest.raises(Unauthenticated):
            sns.check_url(url, SNS_HOST)


def test_sendgrid_key_forms() -> None:
    """The key is read as SendGrid shows it (base64 DER) or PEM-armoured; other keys are refused."""
    assert public_key(sendgrid_public_key()).public_numbers() == (
        sendgrid_key().public_key().public_numbers()
    )
    pem = (
        sendgrid_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    assert public_key(pem.decode()).curve.name == "secp256r1"
    other = ec.generate_private_key(ec.SECP384R1()).public_key()
    der = other.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for bad in (base64.b64encode(der).decode(), "not base64!", base64.b64encode(b"junk").decode()):
        with pytest.raises(ValueError):
            public_key(bad)


@pytest.mark.parametrize(
    "values",
    [
        {"sendgrid_public_key": "bm90IGEga2V5"},
        {"mailgun_signing_key": "short"},
        {"generic_webhook_secret": "short"},
        {"postmark_webhook_password": "short"},
        {"sns_cert_host_pattern": "sns\\.(unclosed"},
        {"webhook_max_bytes": 10},
    ],
)
def test_unsafe_webhook_settings_fail_at_load(values: dict[str, Any]) -> None:
    """A key that is not one, a short secret or a broken pattern stops the program at start."""
    with pytest.raises(ValidationError):
        Settings(**values)


SES_TABLE = [
    ("ses_bounce_dsn.json", [("jane@example.com", "hard", "5.1.1")]),
    (
        "ses_bounce_no_dsn.json",
        [("jane@example.com", "hard", None), ("richard@example.com", "hard", None)],
    ),
    ("ses_complaint.json", [("richard@example.com", "complaint", None)]),
    ("ses_delivery.json", []),
]


@pytest.mark.parametrize(("name", "expected"), SES_TABLE)
def test_ses_samples(name: str, expected: list[tuple[str, str, str | None]]) -> None:
    """Each SES guide sample gives its recipients with the kind the policy needs."""
    batch = read_notification(sample(name), "fallback")
    assert [(n.email, n.kind.value, n.status) for n in batch.notices] == expected
    assert batch.ignored == (0 if expected else 1)


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        (lambda b: b.update(bounceType="Transient", bounceSubType="MailboxFull"), "soft"),
        (lambda b: b.update(bounceType="Transient", bounceSubType="ContentRejected"), "block"),
        (lambda b: b.update(bounceType="Undetermined", bounceSubType="Undetermined"), "soft"),
        (
            lambda b: b["bouncedRecipients"][0].update(
                status="5.7.1", diagnosticCode="smtp; 550 5.7.1 Message rejected as spam"
            ),
            "block",
        ),
        (lambda b: b.update(bounceSubType="OnAccountSuppressionList"), "hard"),
    ],
)
def test_ses_bounce_types(change: Any, kind: str) -> None:
    """Permanent is hard, Transient and Undetermined soft, content rejections and policy texts a
    block, an address on the account's suppression list hard."""
    content = altered(sample("ses_bounce_dsn.json"), lambda c: change(c["bounce"]))
    assert read_notification(content, "x").notices[0].kind.value == kind


def test_ses_not_spam_feedback_and_event_publishing() -> None:
    """A "not-spam" feedback report is no complaint; configuration-set events (eventType) read
    like notifications."""
    not_spam = altered(
        sample("ses_complaint.json"),
        lambda c: c["complaint"].update(complaintFeedbackType="not-spam"),
    )
    assert read_notification(not_spam, "x").notices == []
    published = sample("ses_bounce_dsn.json")
    published["eventType"] = published.pop("notificationType")
    assert [n.kind.value for n in read_notification(published, "x").notices] == ["hard"]
    with pytest.raises(BadPayload):
        read_notification(["not", "an", "object"], "x")


def test_sendgrid_event_table() -> None:
    """The reference's examples: bounce hard, blocked block, dropped Bounced Address hard, spam
    report a complaint; the sample batch's other events are ignored."""
    receiver = SendGridReceiver(public_key(sendgrid_public_key()))
    body = json.dumps(sample("sendgrid_bounce_blocked.json")).encode()
    batch = receiver.receive(sendgrid_headers(body), body)
    assert [n.kind.value for n in batch.notices] == ["hard", "block", "hard", "complaint"]
    assert batch.notices[0].identity == "sendgrid:6g4ZI7SA-xmRDv57GoPIPw=="
    body = json.dumps(sample("sendgrid_events.json")).encode()
    assert receiver.receive(sendgrid_headers(body), body).ignored == 8


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("Unsubscribed Address", None),
        ("Spam Reporting Address", "complaint"),
        ("Invalid", "hard"),
        ("Spam Content", "block"),
        ("Something New", "block"),
    ],
)
def test_sendgrid_drop_reasons(reason: str, kind: str | None) -> None:
    """Drop reasons: about the address (hard, complaint), about us (block) or nothing (ignored)."""
    receiver = SendGridReceiver(public_key(sendgrid_public_key()))
    event = dict(sample("sendgrid_bounce_blocked.json")[2], reason=reason)
    body = json.dumps([event]).encode()
    batch = receiver.receive(sendgrid_headers(body), body)
    assert [n.kind.value for n in batch.notices] == ([kind] if kind else [])


@pytest.mark.parametrize(
    ("severity", "reason", "expected"),
    [
        ("permanent", "bounce", "block"),  # the sample's "550 Relay Not Permitted"
        ("temporary", "generic", None),  # Mailgun retries
        ("temporary", "old", "block"),  # Mailgun gave up; the text is still a policy refusal
        ("permanent", "suppress-bounce", "hard"),
        ("permanent", "suppress-complaint", "complaint"),
        ("permanent", "suppress-unsubscribe", None),
    ],
)
def test_mailgun_failure_table(severity: str, reason: str, expected: str | None) -> None:
    """Severity and reason of Mailgun failures decide what is recorded."""
    receiver = MailgunReceiver(MAILGUN_KEY, 900)
    event = dict(
        sample("mailgun_failed_permanent.json")["event-data"], severity=severity, reason=reason
    )
    batch = receiver.receive({}, mailgun_body(event, f"{severity}-{reason}".ljust(50, "0")))
    assert [n.kind.value for n in batch.notices] == ([expected] if expected else [])


def test_mailgun_tokens_expire() -> None:
    """A token is refused a second time while it is kept, and forgotten after its time."""
    tokens = Tokens(keep_seconds=60)
    assert tokens.first_use("a", 1000.0)
    assert not tokens.first_use("a", 1030.0)
    assert tokens.first_use("b", 1100.0)
    assert tokens.first_use("a", 1100.0)


@pytest.mark.parametrize(
    ("type_", "expected"),
    [
        ("HardBounce", "hard"),
        ("BadEmailAddress", "hard"),
        ("SoftBounce", "soft"),
        ("DnsError", "soft"),
        ("Blocked", "block"),
        ("DMARCPolicy", "block"),
        ("Transient", None),
        ("AutoResponder", None),
        ("ManuallyDeactivated", None),
        ("SpamComplaint", "complaint"),
    ],
)
def test_postmark_bounce_types(type_: str, expected: str | None) -> None:
    """Postmark's bounce types: addresses gone are hard, temporary ones soft, policy a block;
    delay notices, auto-replies and account actions are ignored."""
    receiver = PostmarkReceiver(*POSTMARK)
    record = dict(sample("postmark_bounce.json"), Type=type_)
    batch = receiver.receive(postmark_headers(), json.dumps(record).encode())
    assert [n.kind.value for n in batch.notices] == ([expected] if expected else [])
