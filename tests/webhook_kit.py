"""Test kit for provider webhooks: documented sample payloads, our own signing keys and
certificates, request signers, a seeded newsroom and a client of the webhook routes."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from sqlalchemy import Engine, text
from starlette.applications import Starlette
from starlette.testclient import TestClient

from mailer.bounces.verp import verp_address
from mailer.config import Settings
from mailer.db import session_scope
from mailer.models import Campaign, Contact, Delivery, DeliveryStatus, utcnow
from mailer.tokens import Purpose, make_token
from mailer.webhooks.routes import webhook_routes

DATA = Path(__file__).resolve().parent / "data" / "webhooks"
SECRET = "webhook-test-secret-0123456789abcdef"
BOUNCE_DOMAIN = "bounces.newsroom.test"
TOPIC = "arn:aws:sns:us-west-2:123456789012:MyTopic"
CERT_URL = (
    "https://sns.us-west-2.amazonaws.com/"
    "SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem"
)
MAILGUN_KEY = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"
POSTMARK = ("postmark-hooks", "correct-horse-battery-staple")
GENERIC_SECRET = "generic-secret-0123456789abcdef"
# The fields SNS signs, per message type (AWS SNS developer guide), written out independently of
# the code under test.
_SNS_SIGNED = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ),
}


def sample(name: str) -> Any:
    """A documented sample payload from tests/data/webhooks (see its README)."""
    return json.loads((DATA / name).read_text("utf-8"))


@cache
def sns_key() -> tuple[rsa.RSAPrivateKey, bytes]:
    """An RSA key and a self-signed certificate (no CA) standing in for AWS's signing cert."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key, certificate(key, datetime.now(UTC) - timedelta(days=1))


def certificate(key: rsa.RSAPrivateKey, not_before: datetime, days: int = 30) -> bytes:
    """A self-signed PEM certificate for the key, valid from not_before for some days."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def sns_sign(envelope: dict[str, Any], key: rsa.RSAPrivateKey, version: str = "1") -> bytes:
    """The envelope signed the SNS way (SignatureVersion 1 SHA1withRSA, 2 SHA256withRSA)."""
    signed = dict(envelope, SignatureVersion=version)
    kind = "Notification" if signed["Type"] == "Notification" else "SubscriptionConfirmation"
    string = "".join(f"{k}\n{signed[k]}\n" for k in _SNS_SIGNED[kind] if k in signed)
    algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()
    signature = key.sign(string.encode(), padding.PKCS1v15(), algorithm)
    signed["Signature"] = base64.b64encode(signature).decode()
    return json.dumps(signed).encode()


def ses_notification(content: dict[str, Any], message_id: str = "22b80b92-fdea") -> dict[str, Any]:
    """The SNS notification envelope of the SNS guide's example around an SES notification."""
    envelope = sample("sns_notification.json")
    envelope.pop("Subject")  # SES notifications are published without one
    envelope.update(Message=json.dumps(content), MessageId=message_id, TopicArn=TOPIC)
    return dict(envelope)


@cache
def sendgrid_key() -> ec.EllipticCurvePrivateKey:
    """Our stand-in for the key pair SendGrid generates for the signed event webhook."""
    return ec.generate_private_key(ec.SECP256R1())


def sendgrid_public_key() -> str:
    """The verification key as SendGrid's settings page shows it: base64 DER."""
    der = (
        sendgrid_key()
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return base64.b64encode(der).decode()


def sendgrid_headers(body: bytes, timestamp: str | None = None) -> dict[str, str]:
    """SendGrid's signature headers for a body."""
    stamp = timestamp or str(int(time.time()))
    signature = sendgrid_key().sign(stamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    return {
        "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
        "X-Twilio-Email-Event-Webhook-Timestamp": stamp,
        "Content-Type": "application/json",
    }


def mailgun_body(
    event_data: dict[str, Any], token: str, timestamp: int | None = None, key: str = MAILGUN_KEY
) -> bytes:
    """A Mailgun webhook body: the event signed with a token and timestamp."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    mac = hmac.new(key.encode(), (stamp + token).encode(), hashlib.sha256).hexdigest()
    signature = {"token": token, "timestamp": stamp, "signature": mac}
    return json.dumps({"signature": signature, "event-data": event_data}).encode()


def postmark_headers(user: str = POSTMARK[0], password: str = POSTMARK[1]) -> dict[str, str]:
    """Basic auth as Postmark sends it for credentials written into the webhook URL."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Content-Type": "application/json"}


def generic_headers(body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Our generic format's signature headers, computed as the README says."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    mac = hmac.new(GENERIC_SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256)
    return {"X-Mailer-Timestamp": stamp, "X-Mailer-Signature": f"sha256={mac.hexdigest()}"}


def settings(db_url: str, **overrides: Any) -> Settings:
    """Settings with every provider configured."""
    values: dict[str, Any] = {
        "database_url": db_url,
        "secret_key": SECRET,
        "bounce_domain": BOUNCE_DOMAIN,
        "ses_topic_arns": [TOPIC],
        "sendgrid_public_key": sendgrid_public_key(),
        "mailgun_signing_key": MAILGUN_KEY,
        "postmark_webhook_user": POSTMARK[0],
        "postmark_webhook_password": POSTMARK[1],
        "generic_webhook_secret": GENERIC_SECRET,
        **overrides,
    }
    return Settings(**values)


@dataclass
class Fetcher:
    """The injected HTTP fetch: serves our certificate at the SNS URL, records every call."""

    documents: dict[str, bytes] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)

    def __call__(self, url: str) -> bytes:
        self.calls.append(url)
        if url in self.documents:
            return self.documents[url]
        if "Action=ConfirmSubscription" in url:
            return b"<ConfirmSubscriptionResponse/>"
        raise OSError(f"no such document: {url}")


@dataclass
class Hooks:
    """A client of the webhook routes and what they told the lead's metrics."""

    client: TestClient
    fetch: Fetcher
    auth_failures: list[str]


def hooks(config: Settings, engine: Engine, fetch: Fetcher | None = None) -> Hooks:
    """The webhook routes in a Starlette app, with the SNS certificate served by the fetch."""
    fetcher = fetch or Fetcher({CERT_URL: sns_key()[1]})
    failures: list[str] = []
    routes = webhook_routes(config, engine, on_auth_failure=failures.append, fetch=fetcher)
    return Hooks(TestClient(Starlette(routes=routes)), fetcher, failures)


@dataclass(frozen=True)
class Newsroom:
    """Seeded journalists: each address's contact id, and the deliveries of one campaign."""

    contacts: dict[str, int]
    deliveries: dict[str, int]

    def verp(self, email: str) -> str:
        """The VERP return path the delivery to this address went out with."""
        return verp_address(SECRET, self.deliveries[email], BOUNCE_DOMAIN)

    def message_id(self, email: str, campaign_id: int = 1) -> str:
        """Our signed Message-ID of the delivery to this address."""
        token = make_token(SECRET, Purpose.VERP, self.deliveries[email], campaign_id)
        return f"<{token}@newsroom.example.org>"


def seed(engine: Engine, emails: list[str], delivered: list[str]) -> Newsroom:
    """Active contacts for the addresses; a sent delivery of one campaign for some of them."""
    contacts: dict[str, int] = {}
    deliveries: dict[str, int] = {}
    with session_scope(engine) as session:
        campaign = Campaign(key="k" * 64, title="Measles", release_path="r.md", release_hash="h")
        session.add(campaign)
        for email in emails:
            contact = Contact(email=email, email_key=email.lower())
            session.add(contact)
            session.flush()
            assert contact.id is not None
            contacts[email] = contact.id
        session.flush()
        for email in delivered:
            delivery = Delivery(
                campaign_id=campaign.id,  # type: ignore[arg-type]
                contact_id=contacts[email],
                email=email,
                language="en",
                status=DeliveryStatus.SENT,
                sent_at=utcnow(),
            )
            session.add(delivery)
            session.flush()
            assert delivery.id is not None
            deliveries[email] = delivery.id
    return Newsroom(contacts, deliveries)


def events(engine: Engine) -> list[dict[str, Any]]:
    """Every recorded bounce event, oldest first."""
    query = text(
        "SELECT source, identity, kind, email, delivery_id, contact_id, status, smtp_code "
        "FROM bounce_event ORDER BY id"
    )
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def status_of(engine: Engine, email: str) -> str:
    """A contact's status."""
    with engine.connect() as conn:
        return str(
            conn.execute(
                text("SELECT status FROM contact WHERE email_key = :e"), {"e": email.lower()}
            ).scalar_one()
        )


def delivery_status(engine: Engine, delivery_id: int) -> str:
    """A delivery's status."""
    with engine.connect() as conn:
        return str(
            conn.execute(
                text("SELECT status FROM delivery WHERE id = :i"), {"i": delivery_id}
            ).scalar_one()
        )


def altered(data: Any, change: Callable[[Any], None]) -> Any:
    """A deep copy of a sample with one change applied."""
    copied = copy.deepcopy(data)
    change(copied)
    return copied
