"""Set Q, step 4: file each report a local mailbox received, and label it by its scenario.

    python tests/data/bounces/mta/collect.py TAG "MTA VERSION" /var/mail/press|~press/Maildir [SPLIT]
    python tests/data/bounces/mta/collect.py answer NAME "PROGRAM VERSION" MBOX autoreply|ADDRESS

The second form (set V) files the one message of MBOX as mta/v-NAME.eml: an auto-reply (not a
bounce), or a user's filter refusing our message to ADDRESS (a block).

Splits the mbox (or reads the Maildir's new/ in order), names each message tests/data/bounces/mta/TAG-SCENARIO.eml by the scenario
recipient it names (q-<scenario>-N@news.test, or nobody-here@ for the unknown local user), and
adds its label to labels.json from the scenario alone (README, set Q): nobody reads it first.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
import sys
from pathlib import Path

import replies  # replies.py, beside this script

HERE = Path(__file__).resolve().parent
LABELS = HERE.parent / "labels.json"
REPLIES = replies.load()
KINDS = {
    "unknown-user": "hard",
    "relay-denied": "block",
    "client-rejected": "block",
    "sender-rejected": "block",
    "helo-rejected": "block",
    "content-rejected": "block",
    "too-large": "soft",
    "no-reverse-dns": "block",
    "down": "soft",
    "unknown-local": "hard",
    "mailbox-full": "soft",
    "greylisted": "soft",
    "spam-rejected": "block",
    "sieve-rejected": "block",
    "sender-unqualified": "block",
    "rate-limited": "block",
    "too-many-recipients": "soft",
    "domain-unresolved": "soft",
    # set AB: refusals that asked DNS, each one for the sender
    "rbl-listed": "block",
    "rhsbl-sender": "block",
    "sender-domain-unknown": "block",
    "helo-unknown": "block",
    "client-unknown": "block",
    "spf-fail": "block",
    "sender-verify-failed": "block",
    # set AC
    "postscreen-listed": "block",
    "rhsbl-helo": "block",
    "dmarc-rejected": "block",
    # set AD: the recipient's domain fails in DNS, or its server refuses connections
    "nxdomain": "hard",
    "null-mx": "hard",
    "servfail": "soft",
    "dns-timeout": "soft",
    "refused": "soft",
    # set AF: a client that did not encrypt or authenticate
    "tls-required": "block",
    "auth-required": "block",
    # set AG
    "pipelining": "block",
    "helo-invalid": "block",
    "unknown-user-footer": "hard",
    "local-part-restricted": "hard",
    "early-talker": "block",
    "helo-bogus": "block",
    "unverified-recipient": "hard",
    # set AH: a mailing list refusing our post
    "nonmember": "block",
    "list-rule": "block",
    "list-too-large": "soft",
    # set AI: a server that accepted our message failing to deliver it to the mailbox
    "maildrop-full": "soft",
    "lda-full": "soft",
    "lda-unknown": "hard",
    "local-full": "soft",
    "appendfile-full": "soft",
    "banned-attachment": "block",
    # set AJ: our recipient forwards to a mailbox that is gone
    "forward-gone": "hard",
    # set AK: a list's moderator rejecting our held post
    "mod-rejected": "block",
    # set AL: a Sympa list closed to posts
    "list-closed": "block",
    # set AM: clamav-milter's refusal of a virus, MIMEDefang's of a banned MIME type
    "virus-rejected": "block",
    "type-rejected": "block",
    # set AO: amavisd-new's own reports, each a refusal of our content
    "virus": "block",
    "virus-two": "block",
    "banned-exe": "block",
    "banned-double": "block",
    "spam": "block",
    "bad-header": "block",
    # set AQ: policyd-weight's refusal of a client it scores as forged
    "forged-rejected": "block",
}
# set AO: a scenario sent to two recipients at once; the report's first names the scenario
_ALSO = {"virus-two": ["q-virus-two-2@news.test"]}
# set AH: a list's notice that our post waits for a moderator; nothing has failed (not a bounce)
_NOTICES = {"moderated"}
# set AD's recipients are at domains of their own (nxdomain.test, refused.test, ...)
_SCENARIO = re.compile(rb"q-([a-z-]+?)-1@[a-z]+\.test|(nobody-here)@mta\.press\.test")
# sets AD and AE: the sender's own failure, not a replayed reply
_DIRECT = "delivering directly to a recipient domain that fails in DNS or refuses connections"
_LIST_NAME = re.compile(rb"\bq-([a-z-]+?)-1\b", re.IGNORECASE)
_SEPARATOR = re.compile(rb"^From \S+ .*\n", re.MULTILINE)
# A delivery status field saying the report is a warning (RFC 3464 2.3.3): labelled so by this
# field alone in set U, as registered, named "-delayed" (four such labels proved wrong: README).
_DELAYED = re.compile(rb"^Action:[ \t]*delayed", re.MULTILINE | re.IGNORECASE)
# set AL: Sympa's notices are delivery status notifications; the code one writes is its status
# (fetchmail's reports, labelled as set AG's, take the replayed reply's code: it writes x.0.0 for none)
_WRITTEN_STATUS = re.compile(
    rb"^Status:[ \t]*([245]\.\d{1,3}\.\d{1,3})", re.MULTILINE | re.IGNORECASE
)


def _scenario(message: bytes) -> tuple[str, str]:
    found, raw = _SCENARIO.search(message), message
    if found is None:  # set AN: a notice in Russian or Chinese is base64; its decoded text
        message = _decoded(message)
        found = _SCENARIO.search(message)
    # set AS: Mailman's goodbye has no text, and names its list only in its -bounces sender
    bare = _LIST_NAME.search(message) or _LIST_NAME.search(raw) if found is None else None
    if bare is not None:  # set AL: Sympa's moderation notice names the list without its domain
        name = bare[1].decode().lower()
        return name, f"q-{name}-1@news.test"
    if found is None:
        raise SystemExit(f"a report names no scenario: {message[:200]!r}")
    if found[2]:
        return "unknown-local", "nobody-here@mta.press.test"
    return found[1].decode(), found[0].decode()


def _decoded(message: bytes) -> bytes:
    """The message's text parts, decoded (UTF-8)."""
    parsed = email.message_from_bytes(message, policy=email.policy.default)
    texts = [
        part.get_content().encode("utf-8", "replace")
        for part in parsed.walk()
        if part.get_content_type() == "text/plain"
    ]
    return b"\n".join(texts)


def _status(scenario: str) -> str | None:
    reply = REPLIES.get(scenario)
    if reply is None:
        return None
    for line in reply["lines"]:  # Cyrus puts its code on the last line of three (set U)
        first = (line.split() or [""])[0]
        if re.fullmatch(r"[245]\.\d{1,3}\.\d{1,3}", first):
            return first
    for line in reply["lines"]:  # set AP: qpsmtpd appends it qmail's way, "(#5.7.1)"
        found = re.search(r"\(#([245]\.\d{1,3}\.\d{1,3})\)", line)
        if found:
            return found[1]
    return None


def _written(message: bytes, split: str, tag: str) -> str | None:
    """Sets AL, AN, AO and AR (as registered): a Sympa or amavis report's status is the code it
    writes."""
    # sets AN and AR: sympa-<lang>
    sympa = split in ("unseen-al", "unseen-an", "unseen-ar") and tag.startswith("sympa")
    amavis = split == "unseen-ao" and tag == "amavis"  # not a sender's report of its refusal
    found = _WRITTEN_STATUS.search(message) if sympa or amavis else None
    return found[1].decode() if found else None


def _kind(scenario: str) -> str:
    """A set R scenario is '<receiver>-<scenario>'."""
    return KINDS.get(scenario) or KINDS[scenario.split("-", 1)[1]]


def _messages(path: Path) -> list[bytes]:
    if path.is_dir():
        return [f.read_bytes() for f in sorted((path / "new").iterdir())]
    raw = path.read_bytes()
    if not raw:  # an empty mailbox: no report arrived (main says so)
        return []
    starts = [m.start() for m in _SEPARATOR.finditer(raw)]
    if not starts:
        raise SystemExit(f"{path}: not an mbox (no 'From ' line)")
    ends = [*starts[1:], len(raw)]
    return [_SEPARATOR.sub(b"", raw[a:b], count=1) for a, b in zip(starts, ends, strict=True)]


def answer(name: str, version: str, mbox: Path, what: str) -> None:
    """Set V: file the mailbox's one message, an auto-reply or a user's refusal of ADDRESS."""
    messages = _messages(mbox)
    if len(messages) != 1:
        raise SystemExit(f"{mbox}: {len(messages)} messages, not one; label them by hand")
    labels = json.loads(LABELS.read_text("utf-8"))
    key = f"mta/v-{name}.eml"
    (HERE.parent / key).write_bytes(messages[0])
    reply = what == "autoreply"
    labels[key] = {
        "bounce": not reply,
        "recipients": [] if reply else [what],
        "kind": None if reply else "block",
        "status": None,
        "format": "autoreply" if reply else name,
        "source": f"set V: {version} on loopback, answering one of our messages",
        "synthetic": False,
        "split": "unseen-v",
        "note": "an auto-reply, labelled by construction"
        if reply
        else "the user's own filter refused our message, labelled by construction",
    }
    LABELS.write_text(json.dumps(labels, indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(key)


def main() -> None:
    """File and label every message of the mbox."""
    if sys.argv[1] == "answer":
        answer(sys.argv[2], sys.argv[3], Path(sys.argv[4]), sys.argv[5])
        return
    tag, version, mbox = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    split = sys.argv[4] if len(sys.argv) > 4 else "unseen-q"  # unseen-r, -s: other receivers
    prefix = "" if split == "unseen-q" else f"{split.removeprefix('unseen-')}-"  # set R: "r-"
    source = {
        "unseen-r": "reply replayed from Exim 4.96 or Sendmail 8.17.1.9 as receivers",
        "unseen-s": "reply replayed from Dovecot 2.3.19.1's LMTP or OpenSMTPD 6.8.0p2 as receivers",
        "unseen-t": "reply replayed from a receiver recorded for sets Q to T",
        "unseen-u": "reply replayed from postgrey, SpamAssassin or rspamd behind Postfix, or Cyrus LMTP",
        "unseen-v": "reply replayed from a user's Sieve ereject in Dovecot 2.3.19.1's LMTP",
        "unseen-w": "reply replayed from Postfix 3.7.11's other stock refusals",
        "unseen-ab": "reply replayed from Postfix 3.7.11, Haraka 3.3.4 or Exim 4.96 refusing on DNS",
        "unseen-ac": "reply replayed from Postfix 3.7.11 (postscreen, OpenDMARC) or Sendmail 8.17.1.9 refusing on DNS",
        "unseen-ad": _DIRECT,
        "unseen-ae": _DIRECT,
        "unseen-af": "reply replayed from Postfix 3.7.11 or OpenSMTPD 6.8.0p2 requiring TLS or AUTH",
        "unseen-ah": "a mailing list's notice to the poster",
        "unseen-ai": "the report of a server that accepted the message, then failed to deliver it",
        "unseen-aj": "forwarding our message to a gone mailbox the replayer refused as unknown",
        "unseen-ak": "a mailing list's notice to the poster",
        "unseen-al": "a Sympa list's notice to the poster",
        "unseen-an": "a mailing list's notice to the poster, in the list's language",
        "unseen-am": "reply replayed from clamav-milter or MIMEDefang behind Postfix 3.7.11, or greylistd behind Exim 4.96",
        "unseen-ao": "amavisd-new 2.13.0's own report as Postfix 3.7.11's post-queue content filter, or its pre-queue refusal replayed",
        "unseen-ap": "reply replayed from qpsmtpd 0.94 as the receiver",
        "unseen-aq": "reply replayed from a Postfix policy service (policyd-weight, gross, Dovecot's quota-status, postfix-policyd-spf-perl) behind Postfix 3.7.11",
        "unseen-ar": "a mailing list's notice to the poster, in the list's language",
        "unseen-as": "a mailing list's mail to a member or moderator, in the list's language",
        "unseen-ag": "reply replayed from Postfix 3.7.11 (or sqlgrey behind it), Exim 4.96 or Sendmail 8.17.1.9, or from any receiver recorded before (chasquid)",
    }.get(split, "reply replayed from Postfix 3.7.11")
    labels = json.loads(LABELS.read_text("utf-8"))
    messages = _messages(mbox)
    if not messages:
        print(f"{mbox}: no reports arrived", file=sys.stderr)
    for message in messages:
        scenario, recipient = _scenario(message)
        # sets U and AB's registered rule only: nullmailer's and OpenSMTPD's final reports say
        # "delayed". It gave both sets wrong labels, corrected by hand after their first runs
        # (README); later sets do without it
        delayed = split in ("unseen-u", "unseen-ab") and _DELAYED.search(message) is not None
        notice = scenario in _NOTICES or split == "unseen-as"  # set AS: a list's other mail
        name = f"mta/{prefix}{tag}-{scenario}{'-delayed' if delayed else ''}.eml"
        if name in labels:
            raise SystemExit(f"{name}: a second report for one scenario; label it by hand")
        (HERE.parent / name).write_bytes(message)
        labels[name] = {
            "bounce": not (delayed or notice),
            "recipients": [] if notice else [recipient, *_ALSO.get(scenario, [])],
            "kind": None if delayed or notice else _kind(scenario),
            "status": None if notice else _written(message, split, tag) or _status(scenario),
            "format": "delayed" if delayed else tag,
            "source": f"set {split.removeprefix('unseen-').upper()}: {version} on loopback, {source}",
            "synthetic": False,
            "split": split,
            "note": f"scenario {scenario}, labelled by construction"
            + (" (a moderation notice: not a bounce)" if scenario in _NOTICES else "")
            + (" (a list's other mail: not a bounce)" if split == "unseen-as" else "")
            + (" (a delay warning by its Action field)" if delayed else ""),
        }
        print(name)
    LABELS.write_text(json.dumps(labels, indent=1, ensure_ascii=False) + "\n", "utf-8")


if __name__ == "__main__":
    main()
