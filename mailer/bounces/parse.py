"""Read a returned message: auto-reply, ARF complaint, RFC 3464/6533 report or an MTA's own text."""

from __future__ import annotations

import base64
import binascii
import html
import logging
import quopri
import re
from collections.abc import Callable, Iterable, Iterator
from copy import deepcopy
from dataclasses import dataclass, field
from email import message_from_bytes, message_from_string
from email.errors import MissingHeaderBodySeparatorDefect
from email.header import Header, decode_header
from email.message import Message
from email.parser import HeaderParser
from email.policy import Compat32
from email.utils import parseaddr
from typing import Any

from flufl.bounce import all_failures

from mailer.bounces.alternation import trie_pattern
from mailer.bounces.classify import (
    classify,
    domain_gone,
    explains,
    find_smtp_code,
    find_status,
    infer_status,
    reason_at,
)
from mailer.bounces.notices import jmrp_recipient, ses_notices
from mailer.models import BounceKind

__all__ = ["MAX_BYTES", "ParsedBounce", "parse_bounce"]

# flufl.bounce logs a traceback at ERROR whenever one of its detectors raises on a message (its
# Yale detector does on an empty From): for us that is a detector with nothing to say, and no
# traceback may reach the person running `mailer bounces`.
logging.getLogger("flufl.bounce").setLevel(logging.CRITICAL)

MAX_BYTES = 4 * 1024 * 1024  # a returned message is cut here before parsing
MAX_TEXT = 64 * 1024  # characters of a report's text that the detectors read
MAX_PARTS = 200  # MIME parts looked at, however deep or many
MAX_DIAGNOSTIC = 500
MAX_HEADER = 16 * 1024  # characters of one header field kept (RFC 5322 lines are 998 at most)


@dataclass(frozen=True)
class ParsedBounce:
    """What a returned message says. `bounce` is true only for a final failure or a complaint.

    A delay warning (RFC 3464 Action: delayed, or a "will keep trying" text) has format "delayed":
    it lists its recipients and a 4.x.x status but is not a bounce, because the message may still
    be delivered and the final failure, if any, comes as its own report. A success notice
    (Action: delivered, relayed, expanded) is not a bounce either. An auto-reply is "autoreply",
    unless it is also a non-delivery report (Mail.Ru marks its bounces Auto-Submitted: auto-replied,
    and RFC 3464 reports carry Auto-Submitted too). "malformed" is input with no header at all (or
    one the parser could not read); "not-a-bounce" is a readable message that reports no failure.
    """

    bounce: bool
    kind: BounceKind | None
    recipients: tuple[str, ...]  # lowercased failed addresses
    status: str | None  # RFC 3463 enhanced code, "5.1.1"
    diagnostic: str  # one line, <= 500 characters
    format: str  # "rfc3464", "rfc6533", "arf", "postfix", ..., "autoreply", "malformed"
    envelope_id: str | None = None  # Original-Envelope-Id (RFC 3464, RFC 3461 ENVID)
    original_message_id: str | None = None  # Message-ID of the returned message
    addresses: tuple[str, ...] = ()  # every address in the envelope and returned headers (VERP)


_MALFORMED = ParsedBounce(False, None, (), None, "", "malformed")


def _rx(*patterns: str) -> re.Pattern[str]:
    """Lowercase alternatives, for _search(): lowercasing the text once is faster than
    re.IGNORECASE on long alternations; as a trie, so that re tries only a few at each place."""
    return re.compile(trie_pattern(*patterns))


def _search(pattern: re.Pattern[str], text: str, pos: int = 0) -> re.Match[str] | None:
    """Search a lowercase pattern in the text from pos; the match's offsets hold for the text."""
    low = text.lower()
    if len(low) == len(text):
        return pattern.search(low, pos)
    return re.compile(pattern.pattern, pattern.flags | re.IGNORECASE).search(text, pos)


# --- reading the MIME structure -------------------------------------------------------------------

_LOCAL_PART = r"[\w.!#$%&'*+/=?^`{|}~-]+"  # an address's local part, as _ADDR reads it
_ADDR = re.compile(_LOCAL_PART + r"@[\w-]+(?:\.[\w-]+)+")
# _ADDR to search a text with: a match starts where a run of local-part characters starts, where a
# search finds it anyway; from inside a long run (a word, a base64 line) every start would read the
# rest of the run again, which took 10 s on 64,000 letters
_NOT_AFTER_LOCAL = r"(?<![\w.!#$%&'*+/=?^`{|}~-])"
_ADDR_SCAN = re.compile(_NOT_AFTER_LOCAL + _ADDR.pattern)
_HEADER_LINE = re.compile(rb"^(?:From |[\x21-\x39\x3b-\x7e]+:)")
_RETURNED_TYPES = (
    "message/rfc822",
    "message/global",
    "text/rfc822-headers",
    "message/global-headers",
)
_REPORT_TYPES = (
    "message/delivery-status",
    "message/global-delivery-status",
    "message/feedback-report",
)


class _CappedHeaders(Compat32):
    """compat32, each header field cut at MAX_HEADER characters: the stdlib reads parameters
    (Content-Type) and encoded words in quadratic time (2 MB of either took 20 to 30 s)."""

    def header_source_parse(self, sourcelines: list[str]) -> tuple[str, str]:
        # Compat32.header_source_parse() written out, not called: it runs for every field of
        # every part, and the extra call was 2% of a parse
        name, value = sourcelines[0].split(":", 1)
        value = value.lstrip(" \t") + "".join(sourcelines[1:])
        return name, value.rstrip("\r\n")[:MAX_HEADER]


_POLICY = _CappedHeaders()


class _Message(Message):
    """compat32's Message that keeps a part's undecoded payload once made: flufl.bounce's
    detectors read every part line by line, one detector and pattern after another, and each
    get_payload() looks up the transfer encoding and scans the text for 8-bit bytes again. Neither
    the parser nor flufl changes a message; a payload set anew is noticed all the same."""

    _undecoded: tuple[object, Any] | None = None

    def get_payload(self, i: Any = None, decode: Any = False) -> Any:
        """Message.get_payload(); without i or decode, made once."""
        if i is not None or decode:
            return super().get_payload(i, decode)
        payload = self._payload  # type: ignore[attr-defined]
        kept = self._undecoded
        if kept is None or kept[0] is not payload:
            kept = self._undecoded = (payload, super().get_payload())
        return kept[1]


_MULTIPART = re.compile(rb"multipart/", re.IGNORECASE)
MAX_NESTING = 64  # multipart levels read; the stdlib parser recurses once per level


# Blank lines, and an mbox separator that an export escaped (">From sender date"), before the first
# header field: the stdlib takes an unescaped "From " line for the envelope, not these.
_LEADING_BLANK = re.compile(rb"\A(?:[ \t]*\n|>+From [^\n]*\n)+")


def _normalise(data: bytes) -> bytes:
    """Capped, LF line endings, and cut before the 65th multipart (deeper is not a report)."""
    data = data[:MAX_BYTES]
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if data.count(b"ultipart/") > MAX_NESTING:
        starts = [m.start() for m in _MULTIPART.finditer(data)]
        if len(starts) > MAX_NESTING:
            data = data[: starts[MAX_NESTING]]
    # Some stores keep blank or space-only lines, or an escaped mbox line, before the headers.
    return _LEADING_BLANK.sub(b"", data, count=1)


def _decode(payload: bytes, charset: str | None) -> str:
    for name, errors in ((charset, "strict"), ("utf-8", "strict"), (charset, "replace")):
        if name:
            try:
                text = payload.decode(name, errors)
            except (LookupError, UnicodeError):  # punycode and idna raise the base class
                continue
            if not _SURROGATE.search(text):  # UTF-7 can decode to unpaired surrogates
                return text
    return payload.decode("cp1252", "replace")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean(text: str) -> str:
    """Lone surrogates (undecodable header bytes) replaced, so the text encodes anywhere."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _raw(value: object) -> str:
    """A header value as sent (8-bit bytes read as UTF-8), without decoding encoded words."""
    if isinstance(value, Header):
        return "".join(
            c.decode("utf-8", "replace") if isinstance(c, bytes) else c
            for c, _cs in decode_header(value)
        )
    return _clean(str(value))


def _header(msg: Message, name: str) -> str:
    value = msg.get(name)
    if value is None:
        return ""
    try:
        chunks = decode_header(value)
    except Exception:  # a broken encoded word: the raw value is better than nothing
        return " ".join(_clean(str(value)).split())
    out = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            cs = None if charset in (None, "unknown-8bit") else charset
            out.append(_decode(chunk, cs))
        else:
            out.append(_clean(chunk))
    return " ".join("".join(out).split())


def _subparts(part: Message) -> list[Message]:
    """The parts inside a multipart or message/* part, [] for a leaf. (A leaf's get_payload()
    decodes 8-bit text with the declared charset, and some charsets, such as punycode, raise.)"""
    return [p for p in part.get_payload() if isinstance(p, Message)] if part.is_multipart() else []


def _walk(msg: Message) -> Iterator[tuple[Message, str]]:
    """Every part and its type, depth first, not entering returned or report messages; capped."""
    stack, seen = [msg], 0
    while stack and seen < MAX_PARTS:
        part = stack.pop()
        seen += 1
        ctype = part.get_content_type()
        yield part, ctype
        if ctype in _RETURNED_TYPES or ctype in _REPORT_TYPES:
            continue
        stack.extend(reversed(_subparts(part)))


def _cte_decode(text: str, encoding: str) -> str:
    raw = text.encode("utf-8", "surrogateescape")
    try:
        if encoding == "base64":
            raw = base64.b64decode(raw, validate=False)
        elif encoding == "quoted-printable":
            raw = quopri.decodestring(raw)
    except (binascii.Error, ValueError):
        pass
    return _decode(raw, "utf-8")


def _part_text(part: Message) -> str:
    """A leaf part's text, decoded; a message/* part's headers and body as text."""
    encoding = _cte(part)
    if part.is_multipart():
        chunks = []
        for sub in _subparts(part):
            head = "".join(f"{k}: {_raw(v)}\n" for k, v in sub.items())
            body = sub.get_payload(decode=True) if not sub.is_multipart() else b""
            # Where a line that is no field ended the headers (its fold lost its indent), the
            # body continues that block: no blank line was there.
            cut = any(isinstance(d, MissingHeaderBodySeparatorDefect) for d in sub.defects)
            text = _decode(body, "utf-8") if isinstance(body, bytes) else ""
            chunks.append(head + ("" if cut else "\n") + text)
        text = "\n".join(chunks)
        if encoding in ("base64", "quoted-printable"):
            text = _cte_decode(text.strip(), encoding)
        return text
    raw = part.get_payload(decode=True)
    if not isinstance(raw, bytes):
        return ""
    text = _decode(raw[: MAX_TEXT * 4], part.get_content_charset())
    # base64 carries text in its canonical form, CRLF (RFC 2045 6.8): the detectors read LF
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


# A line break in the markup, with the source's own line end after it: one line end, not two, so
# that "addr:<br>\nreason" reads as the two adjacent lines a plain-text report would have.
_TAG = re.compile(
    r"<(?:br|/p|/div|/tr|/li|/h\d|p|div|tr|li)\b[^>]{0,2000}>[ \t]*\n?", re.IGNORECASE
)
_ANY_TAG = re.compile(r"<[^>]{0,2000}>|<!--.*?-->", re.DOTALL)
_HTML_SKIP = re.compile(r"<(style|script|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def _html_text(text: str) -> str:
    text = _HTML_SKIP.sub(" ", text[: MAX_TEXT * 4])
    text = _ANY_TAG.sub("", _TAG.sub("\n", text))
    return html.unescape(text).replace("\xa0", " ")


# Where a report stops and the returned message (or its headers) starts.
_COPY_PHRASES = trie_pattern(
    r"this is a copy of (?:the|your) message|below (?:this|the next) line is a copy|"
    r"original message follows|"
    r"(?:(?<!-)-+ )?(?:original|returned) message(?: headers?)?(?: -+)?:?$|"
    r"header of the source mail|returned mail(?: follows)?|message (?:header|headers) follows?|"
    r"message text follows|the (?:first \d+ lines|header and top \d+ lines) of (?:your|the) "
    r"(?:original )?message follow|included is a copy of the message|unsent message below|"
    r"your message reads \(in part\)|mensaje original|enclosed (?:is|are) (?:a copy|the original)|"
    r"ниже (?:следует|приведена) копия|копия (?:вашего|исходного) (?:письма|сообщения)|"
    r"原始邮件|附件中的内容是原信件|元のメッセージ"
)
# (one possessive run: optional dash, star and equals runs after it, all in its class, split a
# long run in quadratic ways; a review of 7b8bb52 measured 98 s on 64,000 dashes)
_COPY_MARKER = re.compile(r"^[ \t>|*=-]*+(?:" + _COPY_PHRASES + ")", re.MULTILINE)
_COPY_PHRASE = re.compile(_COPY_PHRASES, re.MULTILINE)


def _copy_marker(body: str) -> re.Match[str] | None:
    """The first _COPY_MARKER line. re cannot skip to line starts, so a search for the phrase
    alone (no marker before the first phrase's line) finds where to start, or that none is."""
    phrase = _search(_COPY_PHRASE, body)
    if phrase is None:
        return None
    return _search(_COPY_MARKER, body, body.rfind("\n", 0, phrase.start()) + 1)


@dataclass
class _Ctx:
    """The parts of a returned message that the detectors read."""

    msg: Message
    subject: str
    sender: str
    report: str  # the human-readable text, up to the copy of the returned message
    tail: str  # text after that marker: an inline copy of the returned message
    mailer: str
    parts: list[tuple[Message, str]] = field(default_factory=list)
    returned_like: bool = False  # the sender, subject or parts of a non-delivery report
    size: int = 0  # bytes of the whole returned message


def _body_text(parts: list[tuple[Message, str]]) -> str:
    """The report's text: plain text, else HTML, else an attached file of the returned headers.
    An HTML report may come with those headers as an attached text/plain file (RFC 2183), which
    must not stand for it; any other attached text may be the report itself."""
    plain = [p for p, ctype in parts if ctype == "text/plain"]
    headers = [p for p in plain if _attached(p) and _HEADER_DUMP.match(_part_text(p))]
    groups = [
        ([p for p in plain if p not in headers], None),
        ([p for p, ctype in parts if ctype == "text/html"], _html_text),
        (headers, None),
    ]
    for group, convert in groups:
        for part in group:
            text = _part_text(part)
            if convert is not None:
                text = convert(text)
            if text.strip():
                return text[:MAX_TEXT]
    return ""


# A text that starts as a header block: two field lines, the first a Received or Return-Path or
# any "Name: value" line (RFC 5322 2.2).
_HEADER_DUMP = re.compile(r"\A\s*[!-9;-~]+:[^\n]*\n(?:[ \t][^\n]*\n)*[!-9;-~]+:")


def _attached(part: Message) -> bool:
    return str(part.get("content-disposition", "")).strip().lower().startswith("attachment")


def _context(msg: Message) -> _Ctx:
    parts = list(_walk(msg))
    leaves = [(p, t) for p, t in parts if t.startswith("text/") and not p.is_multipart()]
    body = _body_text(leaves)
    marker = _copy_marker(body)
    report, tail = (body[: marker.start()], body[marker.end() :]) if marker else (body, "")
    ctx = _Ctx(
        msg=msg,
        subject=_header(msg, "subject"),
        sender=_header(msg, "from").lower(),
        report=report,
        tail=tail,
        mailer=_header(msg, "x-mailer").lower(),
        parts=parts,
    )
    ctx.returned_like = _looks_returned(ctx)
    return ctx


# --- field blocks (RFC 3464, RFC 6533, RFC 5965) --------------------------------------------------

Fields = dict[str, str]


_RECIPIENT_FIELDS = frozenset({"final-recipient", "original-recipient"})
_DSN_FIELD = re.compile(r"[!-9;-~]+[ \t]*:")  # a field name (RFC 5322 3.6.8) and its colon


def _blocks_from_text(text: str) -> list[Fields]:
    blocks: list[Fields] = []
    current: Fields = {}
    last = ""
    for line in text.split("\n"):
        if not line.strip():
            if current:
                blocks.append(current)
            current, last = {}, ""
        elif last and (
            line[0] in " \t" or (last == "diagnostic-code" and not _DSN_FIELD.match(line))
        ):
            # A folded line (RFC 5322 2.2.3); or, after the free-text Diagnostic-Code, one whose
            # fold lost its indent: it does not start with a field name and a colon (a reply's
            # "550 5.1.1 https://..." does not either).
            current[last] += " " + line.strip()
        elif ":" in line:
            name, _, value = line.partition(":")
            last = name.strip().lower()
            if last in _RECIPIENT_FIELDS and last in current:
                # The next recipient's fields with no blank line before them (RFC 3464 wants
                # one): a block of its own, or every recipient but the last is lost.
                blocks.append(current)
                current = {last: value.strip()}
            elif last in current:  # a repeated field (Original-Rcpt-To in ARF): keep them all
                current[last] += "\n" + value.strip()
            else:
                current[last] = value.strip()
    if current:
        blocks.append(current)
    return blocks


def _field_blocks(part: Message) -> list[Fields]:
    return _blocks_from_text(_part_text(part))


def _strip_type(value: str) -> str:
    """'smtp; 550 5.1.1 ...' -> '550 5.1.1 ...'; 'rfc822; a@b' -> 'a@b'."""
    kind, sep, rest = value.partition(";")
    if sep and re.fullmatch(r"\s*[\w.-]{1,20}\s*", kind):
        return rest.strip()
    return value.strip()


_XTEXT_UNICODE = re.compile(r"\\x\{([0-9A-Fa-f]{2,6})\}")


def _unescape(found: re.Match[str]) -> str:
    """RFC 6533 embedded-unicode-char: \\x{HHHH} -> the character (invalid ones kept as is)."""
    code = int(found[1], 16)
    return chr(code) if code <= 0x10FFFF else found.group(0)


def _address(value: str) -> str | None:
    """The address in a recipient field or a line, lowercased, if it is a real one."""
    kind = value.partition(";")[0].strip().lower() if ";" in value else "rfc822"
    if kind not in ("rfc822", "utf-8", "utf8", "unknown"):
        return None
    text = _XTEXT_UNICODE.sub(_unescape, _strip_type(value))
    found = _ADDR_SCAN.search(text)
    return found.group(0).lower().strip(".") if found else None


# --- auto-replies (RFC 3834) ----------------------------------------------------------------------


_AUTOREPLY_SUBJECT = _rx(
    r"out of (?:the )?office",
    r"automatic reply",
    r"auto(?:matic)?[- ]?(?:reply|response|answer)",
    r"\bvacation\b",
    r"away from (?:my|the) (?:office|desk)",
    r"\bon leave\b",
    r"\booo\b",
    r"abwesenheit",
    r"automatische antwort",
    r"\babwesend\b",
    r"r[ée]ponse automatique",
    r"absent(?:e)? du bureau",
    r"\bcong[ée]s?\b",
    r"respuesta autom[áa]tica",
    r"fuera de la oficina",
    r"resposta autom[áa]tica",
    r"fora do escrit[óo]rio",
    r"risposta automatica",
    r"fuori ufficio",
    r"автоответ",
    r"автоматический ответ",
    r"автовідповідь",
    r"вне офиса",
    r"в отпуске",
    r"automatyczna odpowied[źz]",
    r"nieobecno[śs][ćc]",
    r"自动回复",
    r"自動回覆",
    r"自動応答",
    r"自動返信",
    r"不在",
    r"afwezig",
    r"automatisch antwoord",
    r"otomatik yan[ıi]t",
)
_AUTOREPLY_HEADERS = (
    "x-autoreply",
    "x-autorespond",
    "x-autoreply-from",
    "x-mail-autoreply",
    "x-autogenerated",
    "x-auto-response",
    "x-vacation",
)


def _has_autoreply_field(msg: Message) -> bool:
    """Whether one of the autoresponders' own fields (X-Autoreply, X-Vacation, ...) is present."""
    names = {name.lower() for name in msg}  # one pass over the fields, not one get() per name
    return any(name in names for name in _AUTOREPLY_HEADERS)


def _is_autoreply(ctx: _Ctx) -> bool:
    if ctx.returned_like:  # a report, whatever it carries (most messages here)
        return False
    msg = ctx.msg
    auto = _header(msg, "auto-submitted").lower()
    marked = (
        auto.startswith(("auto-replied", "auto-generated", "auto-notified"))
        or _has_autoreply_field(msg)
        or _header(msg, "precedence").lower() == "auto_reply"
        or bool(_search(_AUTOREPLY_SUBJECT, ctx.subject))
    )
    # Sympa marks its refusal of a post auto-generated (set AL): a list's refusal sent from the
    # list's own address is none; an out-of-office reply quoting one is (a review of bf29cde)
    return marked and not _list_refusal(ctx)


def _list_refusal(ctx: _Ctx) -> bool:
    """Whether the message is a list's refusal of our post, sent from the list's own address."""
    hit = _mailing_list(ctx)
    return hit is not None and _sent_by(ctx, hit.recipients)


def _sent_by(ctx: _Ctx, lists: list[str]) -> bool:
    """Whether one of the lists' own addresses (any role) sent the notice: a forward or a reply
    quoting a list's notice may carry its List-Owner header, but not its sender (a review)."""
    return any(_from_list(ctx, address, role) for address in lists for role in _LIST_ROLES)


# --- what marks a message as a delivery failure ---------------------------------------------------

_DAEMON = _rx(
    r"mailer-daemon",
    r"mail[ ._-]?delivery",
    r"post_?master",
    r"mdaemon",
    r"mail ?administrator",
    r"system ?administrator",
    r"smtp[ _]mail[ _]service",
    r"\bmail ?service\b",
    r"\bdaemon\b",
    r"mail\.delivery\.system",
    r"mail system",
)
_FAIL_SUBJECT = _rx(
    r"undeliver",
    r"returned mail",
    r"return(?:ed|ing)? (?:message )?to sender",
    r"delivery (?:status notification|failure|failed|report|notification|problem|error|has failed)",
    r"failure notice",
    r"mail delivery failed",
    r"non[- ]?deliver",
    r"not delivered",
    r"could not be delivered",
    r"mail (?:system )?error",
    r"failed mail",
    r"processing error",
    r"permanent (?:delivery )?failure",
    r"delivery failure",
    r"mail failure",
    r"error during delivery",
    r"unzustellbar",
    r"nicht zustellbar",
    r"non remis",
    r"non distribu",
    r"no (?:fue )?entregad",
    r"n[ãa]o (?:foi )?entregue",
    r"non recapitat",
    r"non consegnat",
    r"не доставлен",
    r"недоставлен",
    r"не може бути доставлен",
    r"nie dostarczon",
    r"退信",
    r"未送达",
    r"投递失败",
    r"发送失败",
    r"传输失败",
    r"无法投递",
    r"配信不能",
    r"配送不能",
    r"配信エラー",
    r"メールエラー",
    r"반송",
)
_WARNING = _rx(
    r"this is a warning (?:message )?only",
    r"warning(?::|--) ?(?:could not send|message still undelivered)",  # "Warning--" too
    r"delivery (?:status notification )?\(delay\)",
    r"(?:has been|is|was|being) delayed",
    r"delivery (?:is |was |has been )?delayed",
    r"not yet been delivered",
    # Exim's notice to a postmaster that a message is held: nothing has failed yet
    r"following address(?:\(es\)|es)? (?:have|has) yet to be delivered",
    r"message [0-9a-z]{6}-[0-9a-z]{6,11}-[0-9a-z]{2,4} has been frozen",  # an Exim message id
    r"will (?:continue to |still )?(?:be )?(?:retr(?:y|ied)|re-?attempted|attempted)",
    r"will (?:continue to )?(?:try|attempt) (?:again|to deliver|delivery|to send)",
    r"delivery attempts will continue",
    r"still (?:being )?(?:retried|trying|attempting)",
    r"transient non-fatal errors",
    r"no action is required on your part",
    r"delayed mail",
    r"advisory[- ]only",
    r"postponed",
    r"there was a temporary problem delivering",
    r"zustellung (?:verz[öo]gert|wird weiter versucht)",
    r"noch nicht zugestellt",
    r"distribution retard[ée]e",
    r"remise diff[ée]r[ée]e",
    # Exchange's delay notice in French (set AT), by its own sentences, not words a release's
    # Subject, which the notice repeats, could hold (a review)
    r"la remise est retard[ée]e pour ces destinataires",
    r"ce message n'a pas encore [ée]t[ée] remis\. de nouvelles tentatives",
    r"задерж",
    r"доставка (?:отложена|задерживается)",
    r"entrega (?:atrasada|retrasada|demorada)",
    r"consegna ritardata",
    r"延迟",
    r"遅延",
)
# A "Delivery Report" that says the message arrived (Domino's "Delivery Report (Success)").
_SUCCESS = _rx(r"\(success\)", r"successfully delivered", r"delivered successfully")
_PERMANENT = _rx(
    r"permanent (?:fatal )?(?:error|failure)",
    r"failed permanently",
    r"permanently failed",
    r"this is a permanent error",
    r"delivery has failed",
    r"wasn'?t delivered",
)


def _looks_returned(ctx: _Ctx) -> bool:
    """The sender or subject of a non-delivery report (Mail.ru's carry Auto-Submitted too)."""
    sender_name = ctx.sender.split("@")[0]
    # An empty From (or "<>") names nobody: a person's mail has an author (RFC 5322 3.6.2), a
    # mail system's notice sometimes copies its null reverse-path there (RFC 5321 4.5.5).
    return bool(
        ctx.sender.strip(" <>") == ""
        or _search(_DAEMON, sender_name)
        or _search(_FAIL_SUBJECT, ctx.subject)
        or any(ctype in _REPORT_TYPES for _p, ctype in ctx.parts)
    )


# The opening of a notice that says only that a delivery failed ("Delivery failure."); and the
# subjects of the automatic mail that also comes with a null reverse-path: replies, receipts,
# relay and delivery notices.
_BARE_FAILURE = _rx(
    r"(?:mail )?delivery (?:failure|failed|has failed)\b",
    r"undeliverable\b",
    r"permanent (?:delivery )?(?:failure|error)\b",
)
_NOTICE_SUBJECT = re.compile(
    r"^\s*(?:re|aw|sv|fw|fwd|read|relayed|delivered|(?:read|return) receipt)\b", re.IGNORECASE
)


def _bare_notice(ctx: _Ctx) -> bool:
    """A mail system's notice whose text opens with a delivery's failure, delivered with a null
    reverse-path (RFC 5321 section 4.5.5), that is no warning, receipt, reply or auto-reply."""
    msg = ctx.msg
    return (
        _null_reverse_path(msg)
        and _BARE_FAILURE.match(ctx.report.lstrip()[:80].lower()) is not None
        and not _NOTICE_SUBJECT.match(ctx.subject)
        and not _header(msg, "auto-submitted").lower().startswith("auto-replied")
        and not _has_autoreply_field(msg)
        and not _is_warning(ctx)
    )


def _failing_subject(ctx: _Ctx) -> bool:
    """A failure's subject ("Undeliverable", "Delivery Report") on a report that does not say the
    message arrived."""
    return bool(_search(_FAIL_SUBJECT, ctx.subject)) and not _search(
        _SUCCESS, ctx.subject + "\n" + ctx.report[:2000]
    )


def _null_reverse_path(msg: Message) -> bool:
    """Whether the delivering MDA recorded a null reverse-path (Return-Path: <>), which RFC 5321
    section 4.5.5 gives every non-delivery notice and no person's mail."""
    values = msg.get_all("return-path") or []
    return bool(values) and all(str(value).strip(" <>\t") == "" for value in values)


def _is_warning(ctx: _Ctx) -> bool:
    text = ctx.subject + "\n" + ctx.report[:8000]
    return bool(_search(_WARNING, text)) and not _search(_PERMANENT, ctx.report[:8000])


# --- detectors: each reads one family of report texts ---------------------------------------------


@dataclass
class _Hit:
    """What a detector found."""

    recipients: list[str]
    diagnostic: str
    format: str
    status: str | None = None
    kind: BounceKind | None = None  # a detector that knows the kind better than the words


_ENTRY = re.compile(
    r"""^(?P<indent>[ \t]*)(?:[>*•-]++[ \t]*)?"""  # a bullet (kept whole), an optional name
    r"""(?:(?:"[^"\n]*"|(?:[^\s<>()@:"]+[ \t]+){0,3}[^\s<>()@:"]+)[ \t]*(?=[<(]))?"""
    r"""[<(]?['"]?(?P<addr>""" + _ADDR.pattern + r""")['"]?[>)]?"""
    r"""(?P<rest>(?:[ \t:>.,;].*|<mailto:.*)?)$"""  # Exchange: 'addr<mailto:addr>'
)
_DATE_REST = re.compile(r"^\s*on\s+\w{3},?\s+\d.*$", re.IGNORECASE)
_SECTION_END = re.compile(
    r"^[ \t]*(?:-{3,}|={3,}|\*{3,}|_{3,}|diagnostic information for administrators|"
    r"technical details|"
    r"informations de diagnostic|diagnoseinformationen|informaci[óo]n de diagn[óo]stico|"
    r"informa[çc][õo]es de diagn[óo]stico|диагностические сведения|"
    r"original message|the original message|message headers follow|reporting-mta|final-recipient|"
    r"because:)",
    re.IGNORECASE,
)
_NOT_RECIPIENT = re.compile(r"^(?:postmaster|mailer-daemon|abuse|root|hostmaster)@", re.IGNORECASE)


def _entries(text: str) -> list[tuple[str, str]]:
    """Address lines, each with the reason lines under it: [(address, reason)]."""
    entries: list[tuple[str, list[str]]] = []
    base: int | None = None
    closed = True
    for line in text.split("\n")[:400]:
        found = _ENTRY.match(line)
        indent = len(found["indent"].expandtabs()) if found else 0
        if found and (base is None or indent <= base + 1):
            address = found["addr"].lower()
            if entries and entries[-1][0] == address and not entries[-1][1]:
                continue
            base = indent if base is None else base
            rest = _DATE_REST.sub("", found["rest"]).strip(" \t:>.,;")
            listed = _more_addresses(found["rest"])
            entries.append((address, [] if listed else [rest] if rest else []))
            entries.extend((more, []) for more in listed)
            closed = False
        elif _SECTION_END.match(line):
            break
        elif entries and not closed:
            if not line.strip():
                closed = bool(entries[-1][1])
            else:
                entries[-1][1].append(line.strip())
    return [(a, " ".join(r)) for a, r in entries if not _NOT_RECIPIENT.match(a)]


# The rest of an address line that only lists more addresses: "a@b, c@d" (set AY: Office 365's
# notice as a mail client shows it)
_ADDRESS_LIST = re.compile(r"(?:[ \t]*[,;][ \t]*<?" + _ADDR.pattern + r">?)+[ \t]*")


def _more_addresses(rest: str) -> list[str]:
    """The addresses after an entry's own on its line, when the line lists nothing else."""
    if _ADDRESS_LIST.fullmatch(rest) is None:
        return []
    return [a.lower() for a in _ADDR_SCAN.findall(rest)]


def _after(text: str, pattern: re.Pattern[str]) -> str | None:
    found = _search(pattern, text)
    return text[found.end() :] if found else None


_TECH = re.compile(
    "(?:"
    + trie_pattern(
        r"technical details of (?:permanent|temporary) failure|the (?:response|error) (?:from the "
        r"remote server |that the other server returned )?was|remote server returned|"
        r"informations de diagnostic pour les administrateurs|"
        r"diagnoseinformationen f[üu]r administratoren|"
        r"diagnostic information for administrators|the reason for the problem|"
        # a heading, not Gmail's pointer to one ("See technical details below for more
        # information.", set BF: its "Message rejected" reply came after)
        r"technical details(?!\s+below)|"
        r"transcript of (?:the )?session follows|session transcript|^[ \t]*error-text|"
        r"^[ \t]*reason\b"  # a label, not a wrapped line's first word ("reasons. Please", set AY)
    )
    + r")\s*:?",
    re.IGNORECASE | re.MULTILINE,
)
_REPLY_LINE = re.compile(
    r"^[ \t]*(?:<<<\s*)?[45]\d\d[ -].*$|#?[45]\d\d[ -]\d\.\d{1,3}\.\d{1,3}.*$", re.MULTILINE
)


# A line of a multiline reply other than its last: "554-No SMTP service", "550-5.1.1 The email"
# (RFC 5321 section 4.2.1), its code and any enhanced code after it
_REPLY_GOES_ON = re.compile(r"^[ \t]*(?:<<<\s*)?([45]\d\d)-(\d\.\d{1,3}\.\d{1,3}(?!\.?\d))?")
MAX_REPLY_LINES = 20


def _whole_reply(text: str, found: re.Match[str]) -> str:
    """The reply line found and, for a multiline reply, the lines after it with its code (and its
    enhanced code, where it has one; not another reply's, a review): every line but the last has
    a hyphen after the code (RFC 5321 section 4.2.1); the last says why as often as the first
    (1&1's "554-... Service not available", "554-Reject due to policy")."""
    lines = [found.group(0)]
    end = found.end()
    for _ in range(MAX_REPLY_LINES):
        going = _REPLY_GOES_ON.match(lines[-1])
        if going is None or not text.startswith("\n", end):
            break
        stop = text.find("\n", end + 1)
        line = text[end + 1 : stop if stop >= 0 else None]
        after = line.lstrip(" \t<")
        if not (after.startswith(going[1]) and after[3:4] in ("-", " ")):
            break
        if going[2] is not None and not after[4:].startswith(going[2]):
            break
        lines.append(line)
        end = stop if stop >= 0 else len(text)
    return " ".join(line.strip() for line in lines)


def _technical(text: str) -> str:
    """The server's own words: a 4xx/5xx reply line after a 'technical details' heading."""
    rest = _after(text, _TECH)
    if rest is None:
        return ""
    found = _REPLY_LINE.search(rest[:4000])
    if found:
        whole = _whole_reply(rest[:4000], found)
        if whole == found[0].strip() and _WRAPS_ON.search(whole):  # Gmail wraps (set BC)
            whole = f"{whole} {_unwrapped(rest[:4000], found.end())}"
        return whole.strip(" #'")
    for line in rest[:2000].split("\n"):
        if line.strip() and not _SECTION_END.match(line):
            return line.strip(" '")
    return ""


_SMTP_COMMAND = re.compile(r"(?:QUIT|RSET|DATA|RCPT|MAIL|EHLO|HELO|NOOP)\b")
# A reply line cut where the margin fell: long, and not closed by Exchange's "##", a quote, "-
# gsmtp" or a full stop (a review: Exchange's next recipient's entry followed such a reply)
_WRAPS_ON = re.compile(r".{60,}(?<![#'.)\]])(?<!gsmtp)$")
# ... and a line that carries it on: starting mid-sentence (lower case, a bracket, a digit), not
# a person's next sentence ("Could this be our SPF record?"), a bare address or another reply
_CARRIES_ON = re.compile(r"[a-z0-9\[(<]")
_ANOTHER_REPLY = re.compile(r"#?[45]\d\d[ -]|remote server returned", re.IGNORECASE)


def _lines_after(text: str, end: int) -> list[str]:
    """The lines after a reply line that ends at end, as many as a reply may carry on for."""
    return text[end + 1 :].split("\n")[:MAX_REPLY_LINES]


def _unwrapped(text: str, end: int) -> str:
    """The lines that carry on a reply line at the margin, up to a blank line, the next reply,
    command, field or address line, a section's end or a line that starts a sentence."""
    lines: list[str] = []
    for line in _lines_after(text, end):
        bare = line.strip()
        if not bare or not _CARRIES_ON.match(bare) or _NEW_ENTRY.search(bare):
            break
        if _HEADER_AT.match(line) or _ANOTHER_REPLY.match(bare) or _ADDR.fullmatch(bare):
            break
        if _SMTP_COMMAND.match(bare) or _SECTION_END.match(line):
            break
        lines.append(line.strip())
    return " ".join(lines)[:MAX_WRAPPED]


def _reason_line(text: str) -> str:
    """The first line of the report that says why, for reports with no per-recipient reason."""
    head = text[:8000]
    found = _REPLY_LINE.search(head)
    if found:
        whole = _whole_reply(head, found)
        if whole != found.group(0).strip():  # a multiline reply carries itself on
            return whole
        return f"{whole} {_wrapped(head, found)}".strip()
    at = reason_at(head)
    if at < 0:
        return ""
    start = _reason_start(head, at)
    end = head.find("\n\n", at)
    return " ".join(head[start : end if end >= 0 else None].split())[:MAX_REASON]


MAX_REASON = 300
# The header fields of a returned message, which a report quotes: a reason in them, or after a
# block of them, is that message's (its Received-SPF, its text), not the report's
_RETURNED_FIELDS = (
    r"(?:received(?:-spf)?|authentication-results|arc-[\w-]+|dkim-signature|x-[\w-]+|"
    r"list-[\w-]+|return-path|delivered-to|from|to|cc|reply-to|sender|subject|date|message-id|"
    r"mime-version|content-[\w-]+|thread-[\w-]+):"
)
_RETURNED_FIELD = re.compile(_RETURNED_FIELDS, re.IGNORECASE)
_RETURNED_BLOCK = re.compile(
    "^" + _RETURNED_FIELDS + r"[^\n]*\n(?:[ \t][^\n]*\n)*" + _RETURNED_FIELDS,
    re.IGNORECASE | re.MULTILINE,
)


def _reason_start(head: str, at: int) -> int:
    """Where the text that says why starts: the reason's paragraph, as reasons wrap across lines;
    or its own line, where that paragraph is too long to reach it (set AX: a report whose blank
    lines were lost), unless the reason is a returned message's (a review: a reason in the press
    release's own words, too far down the paragraph to be read before, stays unread)."""
    start = head.rfind("\n\n", 0, at) + 1
    line = head.rfind("\n", 0, at) + 1
    if len(" ".join(head[start:at].split())) <= MAX_REASON - 60:
        return start
    if _RETURNED_FIELD.match(head, line) or _returned_block_before(head, at):
        return start
    return line


# A line that starts a header field: its name (RFC 5322 3.6.8, printable but the colon) and colon
_HEADER_AT = re.compile(r"^[\x21-\x39\x3b-\x7e]+:")
# A line before a header block that is no report's text: blank, a rule, a forward's marker, or
# another header field's (the forward's header is one block)
_FORWARD_LINE = re.compile(
    r"[ \t>*-]*(?:(?:begin )?forwarded message:?|original message)?[ \t>*-]*", re.IGNORECASE
)


def _returned_block_before(head: str, at: int) -> bool:
    """Whether a returned message's header block comes before the reason, after words of the
    report: a block that only a forward's marker comes before is the forwarded report's own
    header (a review)."""
    for block in _RETURNED_BLOCK.finditer(head, 0, at):
        lines = head[: block.start()].split("\n")
        if any(not (_FORWARD_LINE.fullmatch(x) or _HEADER_AT.match(x)) for x in lines):
            return True
    return False


# A line that starts something else: another reply, a transcript's next command or answer (a
# review: MDaemon's session log), Exim's next recipient's lead-in; not an address, as Postfix
# wraps "said: 550 5.1.1\n    <addr>: Recipient address rejected"
# (a code inside a line is Postfix's flattening of a multiline reply: "... they\n    may be
# blacklisted. 550 Sender verify failed", set BA)
_NEW_ENTRY = re.compile(r"^[45]\d\d[ -]|-->|<--|>>>|<<<|^smtp error from", re.IGNORECASE)
MAX_WRAPPED = 1000


def _wrapped(text: str, found: re.Match[str]) -> str:
    """The lines that carry on a reply found after other words on its line, or on its own line
    after Postfix's "said:", indented as Postfix and others wrap a long reply ("... said: 550
    5.4.1\n    Recipient address rejected: ...", set AX), up to a blank line, the end of the reply
    ("(in reply to RCPT TO command)"), a line less indented than the reply's, or another reply (a
    review: Exim's list of recipients, each reply under its own, each less indented)."""
    line_start = text.rfind("\n", 0, found.start()) + 1
    own_line = line_start == found.start()
    if own_line and not found[0][:1].isspace() and not text[:line_start].rstrip().endswith("said:"):
        return ""  # a reply of its own line ends there; its next lines are the report's own
    own = text[line_start : found.end()]
    indent = max(1, len(own) - len(own.lstrip(" \t")))
    lines: list[str] = []
    for line in _lines_after(text, found.end()):
        carried = line.lstrip(" \t")
        if not carried or len(line) - len(carried) < indent or _NEW_ENTRY.search(carried):
            break
        lines.append(carried.rstrip())
        if _REPLY_END.search(line):
            break
    return " ".join(lines)[:MAX_WRAPPED]


# The next hop's reply in a recipient's entry ("SMTP error: 550 ...", "said: 550 ..."): its code
# and words decide, not the report's own lead-in (set AL: fetchmail's "... were rejected by the
# MDA"); a number in a sentence ("size 500 MB") is no reply (a review of bf29cde)
_NEXT_HOP_REPLY = re.compile(r"(?:^|[:>])\s*[45]\d\d[ -]")


def _hit(entries: list[tuple[str, str]], text: str, fmt: str, report: str = "") -> _Hit | None:
    """A hit from (address, reason) entries; the reason falls back on the report's words."""
    if not entries:
        return None
    reason = next((r for _a, r in entries if r), "")
    technical = _technical(text)
    if technical and technical not in reason and not find_smtp_code(reason):
        reason = f"{reason}; {technical}" if reason else technical
    if not explains(reason) and _NEXT_HOP_REPLY.search(reason) is None:
        reason = " ".join(x for x in (reason, _reason_line(report or text)) if x)
    recipients = list(dict.fromkeys(a for a, _r in entries))
    return _Hit(recipients, reason, fmt)


_POSTFIX = _rx(r"this is the (?:postfix program|mail system) at host")


# bounce(8) starts each recipient's paragraph with "<addr>:" or "<addr> (expanded from <x>):" at
# the start of a line; any other address in the text (a postmaster to contact) is not one.
_POSTFIX_RCPT = re.compile(
    r"^<(" + _ADDR.pattern + r")>(?: \(expanded from <[^>\n]{1,300}>\))?:[ \t]*(.*(?:\n[ \t]+.*)*)",
    re.MULTILINE,
)


# A next hop's reply in bounce(8)'s text ends "(in reply to RCPT TO command)"; a copy that lost the
# indentation of its continuation lines (a client's forward, a paste; set AT) has them at the margin
_REPLY_END = re.compile(r"\bcommand\)")
# the DSN's own fields after the text (RFC 3464 section 2.2, 2.3), not a line such as "said: 554"
_DSN_FIELD_LINE = re.compile(r"(?:[A-Za-z]+-[\w-]+|Action|Status): \S")
MAX_UNINDENTED = 12  # lines of one reply read back from the margin


def _unindented_reply(text: str, start: int, address: str) -> int:
    """Where an entry cut at its first line ("... said: 550") really ends, when its continuation
    lines lost their indentation: at the line that closes the reply with "command)", or start if
    no such line comes before a blank line, a DSN field, a boundary or another recipient's entry."""
    end = start
    for _ in range(MAX_UNINDENTED):
        if text.startswith("\n\n", end) or end >= len(text):
            return start
        stop = text.find("\n", end + 1)
        line = text[end + 1 : stop if stop >= 0 else None]
        other = _POSTFIX_RCPT.match(line)
        if (
            line.startswith("--")
            or _DSN_FIELD_LINE.match(line)
            or (other and other[1].lower() != address)
        ):
            return start
        end = stop if stop >= 0 else len(text)
        if _REPLY_END.search(line):
            return end
    return start


def _postfix_entries(text: str) -> list[tuple[str, str]]:
    text, entries, taken = text[:MAX_TEXT], [], 0
    for m in _POSTFIX_RCPT.finditer(text):
        if m.start() < taken:  # a line of the reply before it, read back from the margin
            continue
        address, end = m[1].lower(), m.end()
        if not _REPLY_END.search(m[2]):
            end = _unindented_reply(text, end, address)
        entries.append((address, " ".join(text[m.start(2) : end].split())))
        taken = end
    return entries


_EXPANDED = re.compile(r"\(expanded from <([^>]+)>\)")


# An entry in the form only bounce(8) writes: the recipient, the next hop's name and its address
# or, for a local LMTP server, its socket ("[/var/run/dovecot/lmtp]"), and what it said; bounce(8)
# wraps its lines where they fall, before the host's name or "said:" too (set AV)
# ... or what its SMTP client wrote of the next hop: "connect to host[ip]:25: Connection timed
# out", "lost connection with host[ip] while ...", "conversation with host[ip] timed out" (set BJ)
# (a line break with blanks around it as "(?:[ \t]*\n)?[ \t]*", not "[ \t]*\n?[ \t]*", which read a
# long run of blanks in quadratic time, a review)
_NEXT_HOP_NAMED = r"(?:[ \t]*\n)?[ \t]*\S+\[[\w.:/-]{1,200}\]"
_POSTFIX_REMOTE = re.compile(
    r"^<"
    + _ADDR.pattern
    + r">(?: \(expanded from <[^>\n]{1,300}>\))?: (?:host"
    + _NEXT_HOP_NAMED
    + r"(?:[ \t]*\n)?[ \t]*said:|connect to"
    + _NEXT_HOP_NAMED
    + r":\d+:|(?:lost connection|conversation) with"
    + _NEXT_HOP_NAMED
    + r"(?:[ \t]*\n)?[ \t]*(?:while|timed out))",
    re.MULTILINE,
)


def _postfix(ctx: _Ctx) -> _Hit | None:
    """Postfix's bounce(8) text: '<addr>: host ... said: 550 ...' after its opening line, or, in
    a report cut above that line (a forward, a paste; set AT), its entries alone."""
    rest = _after(ctx.report, _POSTFIX)
    if rest is None and ctx.returned_like and _POSTFIX_REMOTE.search(ctx.report[:MAX_TEXT]):
        rest = ctx.report
    if rest is None:
        return None
    entries = _postfix_entries(rest) or _entries(rest)
    expanded = _EXPANDED.findall(rest)
    if expanded and entries:  # the address we sent to, not the alias it became
        entries = [(_address(e) or a, r) for (a, r), e in zip(entries, expanded, strict=False)]
    return _hit(entries, rest, "postfix", ctx.report)


def _x_failed(ctx: _Ctx) -> list[str]:
    """The addresses in X-Failed-Recipients (Exim's, and Google's after it)."""
    listed = _header(ctx.msg, "x-failed-recipients").split(",")
    return [a for a in (_address(x) for x in listed) if a]


_EXIM = _rx(r"this message was created automatically by mail delivery software")
_EXIM_INTRO = _rx(
    r"following address(?:\(es\)|es)? failed:?",
    r"address(?:\(es\)|es)? failed:",
    r"following recipients? (?:failed|could not be reached)",
)


# Exim names a pipe or a file, or hides an address a redirect made ("an undisclosed address"), and
# then the address it came from: "generated by x", "(generated from x)", and for a chain
# "(ultimately generated from x)", the address the sender wrote.
_GENERATED = re.compile(
    r"^[ \t]+\(?(?:ultimately )?generated (?:from|by) <?(" + _ADDR.pattern + r")>?", re.MULTILINE
)


def _generated(rest: str) -> list[tuple[str, str]]:
    """For each item of Exim's list with no address of its own, the address it came from."""
    listed = rest.lstrip("\n").split("\n\n", 1)[0]
    items = re.split(r"\n(?=  \S)", listed)
    found = [_GENERATED.findall(item) for item in items]
    return [(names[-1].lower(), "") for names in found if names]


def _exim(ctx: _Ctx) -> _Hit | None:
    """Exim's bounce: X-Failed-Recipients and 'The following address(es) failed:'."""
    failed = _x_failed(ctx)
    if not failed and not _search(_EXIM, ctx.report):
        return None
    rest = _after(ctx.report, _EXIM_INTRO)
    entries = (_entries(rest) or _generated(rest)) if rest is not None else []
    if failed:
        reasons = dict(entries)
        entries = [(a, reasons.get(a, "")) for a in failed]
    return _hit(entries, rest or ctx.report, "exim", ctx.report)


# Google Groups refuses a post in the poster's language, always with a link to its help centre and
# the group in X-Failed-Recipients; its one reason is "the group may not exist, or you may not have
# permission to post messages to the group".
_GROUPS_REASON = (
    "Google Groups: the group may not exist, or you may not have permission to post messages to it"
)


def _google_groups(ctx: _Ctx) -> _Hit | None:
    """Google Groups' refusal of a post, in whatever language: its help link and the group."""
    if "groups.google.com/support" not in ctx.report:
        return None
    return _hit([(a, _GROUPS_REASON) for a in _x_failed(ctx)], ctx.report, "googlegroups")


# A mailing list's refusal of a post, sent to the poster (set AH: a journalist's desk address may
# be a list): mlmmj names the list in its greeting and says why after "because", in the paragraph
# that follows it; Mailman 3 gives its reasons after "rejected for the following reasons:",
# Mailman 2 says "you are not allowed to post", each signed by the list's -owner address; Mailman
# 3 and Sympa also say a moderator rejected a held post (below, sets AK and AL). A notice that the
# post waits for a moderator matches none of these: nothing has failed yet.
# any character of the paragraph at hand (none of a blank line)
_NOT_BLANK = r"(?:(?!\n[ \t]*\n).)"
_MLMMJ = re.compile(
    r"this is the mlmmj program managing the <(" + _ADDR.pattern + r")>\s+mailing list\.?\s+"
    r"the message from\b" + _NOT_BLANK + r"{0,2000}?was unable to be delivered to the list\s+"
    r"(because[^\n]*(?:\n(?!\n)[^\n]*)*)",
    re.IGNORECASE | re.DOTALL,
)
# mlmmj in another language: its sentence that the post could not reach the list, then why, after
# a greeting naming mlmmj and the list's address in either order; signed by the list's +owner
# address (_mailing_list checks it). The sentence is looked for first, and the greeting only in
# the 2,000 characters before it: a text repeating the greeting costs no more than one reading.
# Each language mlmmj 1.3.0 ships (its text.skel/*/deny-post; set AN sampled French, German and
# Chinese): the reason follows in the same paragraph (Slovak: after a blank line), and Italian
# names the poster and our Subject between the sentence and the reason
# zh-cn, which mlmmj wraps between its characters
_MLMMJ_ZH = r"\s*".join("》的邮件无法投递到列表")
_MLMMJ_REFUSED = re.compile(
    # right after the closing quote of the Subject mlmmj quotes, so that a Subject holding the
    # words (a wait notice quoting "Parcels cannot be delivered ...") is no refusal (a review)
    r"(?:[\"”“»„]\s*(?:n'a\s+pas\s+pu\s+être\s+délivré\s+à\s+la\s+liste"  # fr
    r"|konnte\s+nicht\s+über\s+die\s+liste\s+verteilt\s+werden"  # de
    r"|nun\s+se\s+pudo\s+entregar\s+a\s+la\s+llista"  # ast
    r"|není\s+možné\s+doručit"  # cs
    r"|ei\s+voitu\s+välittää\s+postituslistalle"  # fi
    r"|δεν\s+παραλήφθηκε\s+από\s+τη\s+λίστα\s+ταχυδρομείου"  # gr
    r"|não\s+foi\s+entregue\s+na\s+lista"  # pt
    r"|nebolo\s+možné\s+doručiť\s+do\s+mailovej\s+diskusie)"  # sk
    r"|"
    + _MLMMJ_ZH
    # Italian says it first, then the poster and the Subject
    + r"|non\s+è\s+stato\s+possibile\s+consegnare\s+alla\s+lista\s+il\s+messaggio\s+da(?=\s+<)"
    r")[,，.]?\s*(\S[^\n]*(?:\n(?!\n)[^\n]*)*)",
    re.IGNORECASE,
)
_MLMMJ_GREETING = re.compile(
    r"mlmmj"
    + _NOT_BLANK
    + r"{0,200}?<("
    + _ADDR.pattern
    + r")>|<("
    + _ADDR.pattern
    + r")>"
    + _NOT_BLANK
    + r"{0,200}?mlmmj",
    re.IGNORECASE | re.DOTALL,
)


def _mlmmj_other(report: str) -> tuple[str, str] | None:
    """mlmmj's refusal in another language: the list's address and the reason."""
    refused = _MLMMJ_REFUSED.search(report)
    if refused is None:
        return None
    greeting = _MLMMJ_GREETING.search(report, max(0, refused.start() - 2000), refused.start())
    return (greeting[1] or greeting[2], refused[1]) if greeting else None


# set AN: Mailman 3's French, Spanish and German (its reasons themselves stay English)
_MAILMAN_OTHER = re.compile(
    r"(?:votre message à destination de la liste de diffusion [^\n]{1,300}? a été rejeté\s+pour"
    r"\s+les\s+raisons\s+suivantes\s*:|su mensaje a la lista de correos [^\n]{1,300}? ha sido"
    r"\s+rechazado\s+por\s+las\s+siguientes\s+razones:|ihre nachricht an die mailingliste"
    r" [^\n]{1,300}?\s+mit\s+folgender\s+begründung\s+abgelehnt:)\s*"
    r"(\S[^\n]*(?:\n(?!\n)[^\n]*)*)",
    re.IGNORECASE,
)
_MAILMAN_MARKERS = ("liste de diffusion", "lista de correos", "mailingliste")
_MAILMAN = re.compile(
    r"your message to the [^\n]{1,300}? mailing-list was rejected for the following\s+reasons:\s*"
    r"(\S[^\n]*(?:\n(?!\n)[^\n]*)*)"
    r"|(you are not allowed to post to this mailing list, and your message has\s+been\s+"
    r"automatically rejected)",
    re.IGNORECASE,
)
# Mailman 3's notice that a moderator rejected a held post, naming the list and the reason the
# moderator gave, if any (set AK); the same notice for a refused subscription is no bounce
_MAILMAN_MODERATOR = re.compile(
    r"your request to the (" + _ADDR.pattern + r") mailing list\s+posting of your message.{0,500}?"
    r"has\s+been\s+rejected\s+by\s+the\s+list\s+moderator\.(?:\s+the\s+moderator\s+gave\s+the"
    r"\s+following\s+reason\s+for\s+rejecting\s+your\s+request:\s*(\S[^\n]*(?:\n(?!\n)[^\n]*)*))?",
    re.IGNORECASE | re.DOTALL,
)
# ... and in French, Spanish and German (set AN), where "Posting of your message" stays English
_MAILMAN_MODERATOR_OTHER = re.compile(
    _NOT_AFTER_LOCAL + r"(" + _ADDR.pattern + r")\s+posting of your message.{0,500}?(?:a\s+été"
    r"\s+rejetée\s+par\s+le"
    r"\s+modérateur|ha\s+sido\s+rechazada\s+por\s+el\s+moderador|wurde\s+von\s+einer\s+"
    r"moderator\*in\b.{0,100}?\babgelehnt)",
    re.IGNORECASE | re.DOTALL,
)
# Sympa's notice that its moderator rejected our post, naming the list (set AL); in its other
# languages (set AN: French, Spanish, German, Russian, Chinese), its own sentence, the list's
# address right after the list noun (a review: a moderator and a rejection anywhere near an
# address also matched a welcome message's rules). That address is read in ASCII: Chinese
# writes it between its own words, which _ADDR's \w would take in ("邮件列表desk@news.test的邮件")
_ASCII_ADDR = r"(?<![A-Za-z0-9._%+=-])[A-Za-z0-9._%+=-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
_SYMPA_MODERATOR = re.compile(
    r"your\s+message\s+for\s+list\s+(" + _ADDR.pattern + r")\s+has\s+been\s+rejected\s+by\s+the"
    r"\s+moderator\b",
    re.IGNORECASE,
)
_SYMPA_MODERATOR_OTHER = re.compile(
    r"(?:pour la liste|an die liste|para la lista|в рассылку|邮件列表)\s*(" + _ASCII_ADDR + r")\s*"
    r"(?:a\s+été\s+rejeté\s+par|wurde\s+durch\s+den\s+moderator|fue\s+rechazado\s+por\s+el"
    r"\s+moderador|было\s+отвергнуто\s+модератором|的邮件\s*被监管员)",
    re.IGNORECASE,
)
_SYMPA_MARKERS = ("pour la liste", "an die liste", "para la lista", "в рассылку", "邮件列表")
# the size in a list's refusal in another language (set AN), which classify() reads in English
# (mlmmj's: fr, de, zh-cn, ast, cs, fi, gr, it, pt, sk)
_LIST_SIZE = re.compile(
    r"\b(?:taille|gr(?:ö|oe)(?:ß|ss)e|tamañu|velikost|koko|μέγεθος|dimensione|tamanho|veľkosť)\b"
    r"|尺寸",
    re.IGNORECASE,
)
_LIST_OWNER = re.compile(r"^(.+?)[-+]owner@(.+)$", re.IGNORECASE)
# a quoted header value in a list's reason (Mailman: 'Header "subject: ..." matched a header
# rule'): our own Subject, whose words say nothing of why
_QUOTED = re.compile(r'"[^"\n]*"')


def _list_owner(ctx: _Ctx) -> list[str]:
    """The list whose -owner address signs the notice (its sender, or its List-Owner header)."""
    for raw in (ctx.sender, _header(ctx.msg, "list-owner")):
        owner = _LIST_OWNER.match(_address(raw.replace("mailto:", "")) or "")
        if owner:
            return [f"{owner[1]}@{owner[2]}".lower()]
    return []


# the addresses a list manager signs with: mlmmj list+owner, Mailman list-owner and list-bounces,
# Sympa list-request
_LIST_ROLES = ("owner", "bounces", "request")


def _from_list(ctx: _Ctx, address: str, role: str) -> bool:
    """Whether the notice comes from the list's own -bounces (Mailman 3) or -request (Sympa)
    address, or another of its roles (a person forwarding or quoting the notice is no list)."""
    local, _at, domain = address.lower().partition("@")
    return _address(ctx.sender) in (f"{local}-{role}@{domain}", f"{local}+{role}@{domain}")


# Mailman 3 in any language: its refusal returns our post with the rules it hit, a field of
# Mailman's own that no translation touches; max-size is the one about size, not the sender
_MAILMAN_SIZE_RULE = "max-size"


def _sender_list(ctx: _Ctx, role: str) -> str | None:
    """The list whose <list>-<role> address sent the notice (Mailman's -owner and -bounces,
    Sympa's -request), if one did."""
    local, _at, domain = (_address(ctx.sender) or "").partition("@")
    name = local.removesuffix(f"-{role}")
    return f"{name}@{domain}" if name != local else None


def _recipient(ctx: _Ctx) -> str:
    """The notice's To address (its addr-spec, not an address in a display name), lowercased."""
    return parseaddr(_header(ctx.msg, "to"))[1].lower()


# the addresses Mailman 3 gives a list beside its own (its moderators' notices go to -owner)
_MAILMAN_ROLES = ("owner", "moderator", "bounces", "request", "confirm", "join", "leave")


def _mailman_rule_hits(ctx: _Ctx) -> tuple[str, str] | None:
    """The list and the X-Mailman-Rule-Hits of the post a Mailman 3 refusal returns to us: sent
    from the list's -owner address, not to one of the list's own addresses (its moderators'
    notice of a held post attaches it too), and not a digest (whose posts keep their fields)."""
    if not ctx.msg.get("x-mailman-version"):
        return None
    listed = _sender_list(ctx, "owner")
    if listed is None:
        return None
    name, _at, domain = listed.partition("@")
    own = {listed, *(f"{name}-{role}@{domain}" for role in _MAILMAN_ROLES)}
    if _recipient(ctx) in own:
        return None
    hits: list[str] = []
    for part in ctx.msg.walk():
        if part.get_content_type() == "multipart/digest":
            return None
        inner = part.get_payload() if part.get_content_type() == "message/rfc822" else None
        returned = inner[0] if isinstance(inner, list) and inner else None
        if isinstance(returned, Message):  # every such field: a post may hit rule after rule
            fields = returned.get_all("x-mailman-rule-hits") or ()
            hits += [hit for v in fields if (hit := " ".join(_clean(str(v)).split()))]
    return (listed, "; ".join(hits)) if hits else None


# the Subject Mailman 3 gives a rejected request, English in every language sampled (sets AN, AR)
_MAILMAN_REJECTED_SUBJECT = re.compile(r'^request to mailing list "[^"\n]{1,300}" rejected$', re.I)


def _mailman_rejected(ctx: _Ctx, lowered: str) -> str | None:
    """The list whose Mailman 3 tells us a moderator rejected our post, in any language, from the
    list's -bounces address: the line "Posting of your message titled" stays English in every
    language set AN sampled, and where a translation leaves it out (Czech, set AR) the Subject
    says a request was rejected; a subscription request's rejection is no refusal of a post."""
    if not ctx.msg.get("x-mailman-version") or "subscription request" in lowered:
        return None
    subject = _MAILMAN_REJECTED_SUBJECT.match(ctx.subject.strip())
    if "posting of your message" not in lowered and not subject:
        return None
    return _sender_list(ctx, "bounces")


def _sympa_rejected(ctx: _Ctx, lowered: str) -> str | None:
    """The list whose Sympa tells us its moderator rejected our post, in any language. Sympa's
    templates send from the list's -request address what a list says to its subscribers
    (welcome, reminders, removal: each names the subscriber's own address, this notice's
    recipient), to its editors, and the rejection (reject.tt2), whose one sentence names the
    list and, beside it, its moderator, but not us; not a delivery status notification, as the
    robot's own reports are. (A welcome rewritten by a list's owner to name the list and another
    address in one paragraph, and not the subscriber, would read as one: a review.)"""
    if not ctx.mailer.startswith("sympa") or ctx.msg.get_content_type() == "multipart/report":
        return None
    if not _header(ctx.msg, "auto-submitted").lower().startswith("auto-generated"):
        return None
    listed, to = _sender_list(ctx, "request"), _recipient(ctx)
    if listed is None or not to or to in lowered:
        return None
    name = listed.partition("@")[0]
    for paragraph in re.split(r"\n[ \t]*\n", lowered):  # the list and its moderator, together
        named = {a.lower() for a in _ADDR_SCAN.findall(paragraph)}
        others = {a for a in named if a != listed and not a.startswith(f"{name}-")}
        if listed in named and others:
            return listed
    return None


def _other_language(
    pattern: re.Pattern[str], report: str, lowered: str, *markers: str
) -> re.Match[str] | None:
    """The pattern's match, searched only in a text holding one of its markers: the patterns for a
    list's other languages are slow to look for everywhere (an address first, or alternatives)."""
    return pattern.search(report) if any(m in lowered for m in markers) else None


def _mailing_list(ctx: _Ctx) -> _Hit | None:
    """A list manager's refusal of our post (mlmmj, Mailman, Sympa): the list is the failed
    recipient. A list refuses the poster or the content (a block), or the size (soft); never the
    address: the list is there, and its reason may quote our own Subject."""
    report = ctx.report[:MAX_TEXT]
    moderator, lowered, translated = "rejected by the list moderator", report.lower(), False
    size_rule = False
    if found := _MLMMJ.search(report):
        lists, reason, fmt = [found[1].lower()], found[2], "mlmmj"
    elif (other := _mlmmj_other(report)) and _from_list(ctx, other[0], "owner"):
        lists, reason, fmt, translated = [other[0].lower()], other[1], "mlmmj", True
    elif (found := _MAILMAN.search(report)) and _sent_by(ctx, owners := _list_owner(ctx)):
        lists, reason, fmt = owners, found[1] or found[2], "mailman"
    elif (
        found := _other_language(_MAILMAN_OTHER, report, lowered, *_MAILMAN_MARKERS)
    ) and _sent_by(ctx, owners := _list_owner(ctx)):
        lists, reason, fmt = owners, found[1], "mailman"
    elif (found := _MAILMAN_MODERATOR.search(report)) and _from_list(ctx, found[1], "bounces"):
        lists, reason, fmt = [found[1].lower()], found[2] or moderator, "mailman"
    elif (
        found := _other_language(
            _MAILMAN_MODERATOR_OTHER, report, lowered, "posting of your message"
        )
    ) and _from_list(ctx, found[1], "bounces"):
        lists, reason, fmt = [found[1].lower()], moderator, "mailman"
    elif (
        found := _SYMPA_MODERATOR.search(report)
        or _other_language(_SYMPA_MODERATOR_OTHER, report, lowered, *_SYMPA_MARKERS)
    ) and _from_list(ctx, found[1], "request"):
        lists, reason, fmt = [found[1].lower()], moderator, "sympa"
    elif ruled := _mailman_rule_hits(ctx):
        lists, reason, fmt = [ruled[0]], f"the post hit the list's rules: {ruled[1]}", "mailman"
        size_rule = _MAILMAN_SIZE_RULE in (hit.strip() for hit in ruled[1].split(";"))
    elif rejected := _mailman_rejected(ctx, lowered):
        lists, reason, fmt = [rejected], moderator, "mailman"
    elif rejected := _sympa_rejected(ctx, lowered):
        lists, reason, fmt = [rejected], moderator, "sympa"
    else:
        return None
    if not lists:
        return None
    reason = " ".join(reason.split()).rstrip(".")
    unquoted = _QUOTED.sub('""', reason)
    # the size words of the other languages' refusals; classify() reads English
    sized = translated and _LIST_SIZE.search(unquoted) is not None
    soft = sized or size_rule or classify(None, unquoted) is BounceKind.SOFT
    words = f"the mailing list refused the post: {reason}"
    return _Hit(lists, words, fmt, kind=BounceKind.SOFT if soft else BounceKind.BLOCK)


_QMAIL = _rx(
    r"this is the qmail-send program",
    r"i'm afraid i wasn't able to deliver your message",
    r"unable to deliver (?:your )?message to the following address",
    r"below this line is a copy",
    r"we were not able to deliver your message to the following address",
    r"your mail message to the following address\(es\) could not be delivered",
)


def _qmail(ctx: _Ctx) -> _Hit | None:
    """qmail and the providers built on it (Yahoo, SBC, GoDaddy): '<addr>:' then the reason."""
    rest = _after(ctx.report, _QMAIL)
    if rest is None:
        return None
    fmt = "yahoo" if "yahoo" in ctx.sender else "qmail"
    return _hit(_entries(rest), rest, fmt, ctx.report)


_SENDMAIL = _rx(
    r"(?<!-)-+ ?the following addresses had (?:permanent fatal|transient non-fatal) errors ?-+"
)


# Sendmail's transcript lines for a failed recipient: "550 <addr>... User unknown".
_SENDMAIL_RCPT = re.compile(r"^5\d\d <(" + _ADDR.pattern + r")>\.\.\. ?(.*)$", re.MULTILINE)
# (a dash run is entered at its start only: from inside a long one, every start read the rest)
_TRANSCRIPT = _rx(r"(?<!-)-+ ?transcript of (?:the )?session follows ?-+")
_TRANSCRIPT_WORDS = _rx(r"transcript of (?:the )?session follows")


def _sendmail(ctx: _Ctx) -> _Hit | None:
    """Sendmail: the addresses after 'had permanent fatal errors', the reason in the transcript;
    an old one (V5) that lists no addresses first: the transcript's 5xx recipient lines."""
    rest = _after(ctx.report, _SENDMAIL)
    if rest is None:
        transcript = _after(ctx.report, _TRANSCRIPT)
        if transcript is None:
            return None
        found = _SENDMAIL_RCPT.finditer(transcript[:MAX_TEXT])
        return _hit([(m[1].lower(), m[2].strip()) for m in found], transcript, "sendmail")
    section = rest.split("-----", 1)[0]
    # a reply may name our sender (set BK); but where the line above it holds no whole address
    # (a bare local part, Sendmail's own form), the reply's is the recipient's (a review)
    listed = _ADDR_SCAN.findall(_REASON_TEXT.sub("", section)) or _ADDR_SCAN.findall(section)
    recipients = list(dict.fromkeys(a.lower() for a in listed))
    transcript = _after(rest, _TRANSCRIPT_WORDS)
    reply = _REPLY_LINE.search(transcript or rest)
    reason = reply.group(0).strip() if reply else _reason_line(rest)
    given = {m[1].lower(): m[2].rstrip(" \t)") for m in _SENDMAIL_REASON.finditer(section)}
    return _hit([(a, given.get(a, reason)) for a in recipients], rest, "sendmail", ctx.report)


# Sendmail's own summary of a recipient's failure, under its address: "    (reason: 550 5.1.1 ...)";
# the last attempt's, where the transcript starts with an earlier host's deferral (set AY)
_SENDMAIL_REASON = re.compile(
    r"^[ \t]*<?(" + _ADDR.pattern + r")>?[^\n]*\n[ \t]*\(reason: ([^\n]*)",  # (its ")" cut after:
    # a lazy reply before "\)?[ \t]*$" read a long run of blanks in quadratic time, a review)
    re.MULTILINE | re.IGNORECASE,
)
# ... that line whole: the server's reply, which may name an address that is not a recipient
# ("(reason: 550 <nagios@host.example> doesn't exist ... (#5.1.8))", our refused sender; set BK),
# with the indented lines a forward wrapped it onto (not an "(expanded from: ...)" line)
_REASON_TEXT = re.compile(
    r"^[ \t]*\(reason: [^\n]*(?:\n[ \t]+[^(\s][^\n]*)*", re.MULTILINE | re.IGNORECASE
)


_EXCHANGE_INTRO = _rx(
    r"did not reach the following recipient\(?s?\)?:?",
    r"delivery has failed to these recipients or groups:?",
    r"delivery is delayed to these recipients or groups:?",
    r"could not be delivered to the following (?:user|recipient)s?:?",
    r"delivery to the following recipients? (?:failed|has been delayed|was delayed)[^\n]*",
    r"to the following recipients? failed permanently:?",
    r"your message (?:to [^\n]+ )?couldn't be delivered",
    r"la remise aux destinataires ou groupes suivants a [ée]chou[ée]\W*",
    r"[ée]chec de la remise (?:pour|[àa]) ces destinataires ou groupes\W*",  # Office 365 (set BA)
    r"die zustellung an folgende empf[äa]nger oder gruppen ist fehlgeschlagen\W*",
    r"error en la entrega a estos destinatarios o grupos\W*",
    r"no se ha podido realizar la entrega a estos destinatarios o (?:listas de distribuci[óo]n|"
    r"grupos)\W*",  # Exchange 2010's Spanish (set AZ)
    r"falha na entrega a estes destinat[áa]rios ou grupos\W*",
    r"recapito non riuscito (?:ai|a questi) destinatari o gruppi\W*",
    r"bezorging bij deze geadresseerden of groepen is mislukt\W*",
    r"dostarczenie do tych adresat[óo]w lub grup nie powiod[łl]o si[ęe]\W*",
    r"не удалось доставить (?:сообщение )?(?:следующим|этим) получателям или группам\W*",
    r"传递到(?:这些|以下)收件人或(?:组|通讯组列表)失败\W*",
    r"次の受信者またはグループへの配信に失敗しました\W*",
    # Exchange 2010's Finnish (set BF)
    r"toimitus seuraaville vastaanottajille tai ryhmille ep[äa]onnistui\W*",
)
_EXCHANGE = _rx(
    r"msexch",
    r"microsoft exchange",
    r"internet mail service",
    r"exchange server",
    r"diagnostic information for administrators",
    r"automatically generated delivery status",
)


_O365_TO = re.compile(rf"your message to ({_ADDR.pattern}) couldn't be delivered", re.IGNORECASE)


def _exchange(ctx: _Ctx) -> _Hit | None:
    """Exchange, Office 365 and the Delivery Status Notification texts that copy them."""
    rest = _after(ctx.report, _EXCHANGE_INTRO)
    if rest is None:
        return None
    entries = _entries(rest)
    o365 = _O365_TO.search(ctx.report)
    if o365 and not entries:
        entries = [(o365[1].lower(), "")]
    entries = _original_recipients(entries or _display_named(rest), rest)
    return _hit(entries, rest, _provider(ctx) or "exchange", ctx.report)


# Exchange ends a recipient's diagnostic line, under its address in the section for administrators,
# with the address the sender named, the ORCPT of RFC 3461 section 4.2 ("a@corp.example\n#550
# 4.4.7 QUEUE.Expired; message expired ##rfc822;desk@news.example"), where the entry names the one
# the organisation routed it to (set BF): the one we sent to is the one our list holds, as a DSN's
# Original-Recipient (the project's rule). The address line, then that line or the next.
_ORCPT_LINE = re.compile(
    r"^[ \t]*<?(" + _ADDR.pattern + r")>?(?:[^\n]*\n)?[^\n]*?##rfc822; ?<?(" + _ADDR.pattern + r")",
    re.IGNORECASE | re.MULTILINE,
)


def _original_recipients(entries: list[tuple[str, str]], text: str) -> list[tuple[str, str]]:
    """Each entry under the address or addresses the sender named, where the text gives them."""
    named: dict[str, list[str]] = {}
    for found in _ORCPT_LINE.finditer(text[:MAX_TEXT]):
        original = found[2].lower()
        if not _NOT_RECIPIENT.match(original):
            named.setdefault(found[1].lower(), []).append(original)
    return [(o, r) for a, r in entries for o in dict.fromkeys(named.get(a, [a]))]


# Exchange names a recipient by its display name, the address after it in brackets; a display
# name may hold brackets and many words of its own ("Vicky Roe (Cardiff - Complaints)
# (vicky.roe@example.org)", set AZ), which an entry's name never does. Not a sentence (a review:
# "... contact the Service Desk (desk@example.org)"), so no colon or full stop in it.
_DISPLAY_NAMED = re.compile(
    r"[^\n@<>:.!?]{1,200}?\((" + _ADDR.pattern + r")\)[ \t]*(?:<mailto:[^\s>]{1,300}>)?[ \t]*"
)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _display_named(rest: str) -> list[tuple[str, str]]:
    """The recipients Exchange lists right after its intro, one 'Display Name (addr)' a line,
    up to the first line that is not one."""
    found = []
    for line in _BLANK_LINE.split(rest.lstrip(" \t\n")[:4000], 1)[0].split("\n"):
        named = _DISPLAY_NAMED.fullmatch(line.strip())
        if named is None:
            break
        found.append((named[1].lower(), ""))
    return [(a, r) for a, r in found if not _NOT_RECIPIENT.match(a)]


_GMAIL_BLOCKED = _rx(r"your message to (" + _ADDR.pattern + r") has been blocked")
_GMAIL = [
    _rx(r"your message wasn'?t delivered to \**(" + _ADDR.pattern + ")"),
    _GMAIL_BLOCKED,
    _rx(r"there was a temporary problem delivering your message to (" + _ADDR.pattern + ")"),
    _rx(r"delivery to the following recipients? failed permanently:\s*(" + _ADDR.pattern + ")"),
    _rx(r"delivery to the following recipients? has been delayed:\s*(" + _ADDR.pattern + ")"),
]


# ... and in a report only, as a person may write it too (a review): "Your message couldn't be
# delivered to *addr* because the remote server is misconfigured" (set BC)
_GMAIL_REPORT = [
    _rx(r"your message couldn'?t be delivered to \**(" + _ADDR.pattern + ")"),
    # in Korean, "<addr> 주소를 찾을 수 없거나 ... 메일이 전송되지 않았습니다" (set BJ), which is
    # also how a person says "if <addr> can't be found" (a review); the address first, so only
    # where a run of its characters starts (from inside a run, every start read the rest of it
    # again: 100 s for 64,000 letters, caught by the benchmark's long runs)
    re.compile(_NOT_AFTER_LOCAL + r"\**(" + _ADDR.pattern + r")\** ?주소를 찾을 수 없"),
]


def _gmail(ctx: _Ctx) -> _Hit | None:
    """Gmail and Google Workspace: '** Address not found **', 'Your message wasn't delivered'."""
    for pattern in _GMAIL + (_GMAIL_REPORT if ctx.returned_like else []):
        found = _search(pattern, ctx.report)
        if found:
            technical = _technical(ctx.report) or _reason_line(ctx.report[found.end() :])
            # "Message blocked ... has been blocked": Gmail says it is a block where the reply
            # gives no reason of its own ("Message rejected. See .../answer/69585"; set BD); a
            # reply that does say why decides, as Gmail uses this heading for a recipient's
            # refusal too ("550 5.4.1 Recipient address rejected: Access denied"; a review)
            after = ctx.report[found.end() : found.end() + 2000]
            blocked = pattern is _GMAIL_BLOCKED and not explains(after) and not _temporary(after)
            kind = BounceKind.BLOCK if blocked else None
            return _Hit([found[1].lower()], technical, "gmail", kind=kind)
    return None


def _temporary(reply: str) -> bool:
    """Whether a reply says it is temporary: a 4xx code or a 4.x.x status."""
    code = find_smtp_code(reply)
    return (code is not None and 400 <= code < 500) or (find_status(reply) or "").startswith("4")


_DOMINO = re.compile(
    r"was not delivered to:\s*\n(?P<who>.*?)\n\s*because:\s*\n"
    r"\s*(?P<why>[^\n]+(?:\n[^\S\n]*\S[^\n]*)*)",
    re.IGNORECASE | re.DOTALL,
)


def _domino(ctx: _Ctx) -> _Hit | None:
    """Lotus Domino: 'was not delivered to: ADDR because: REASON'."""
    found = _DOMINO.search(ctx.report)
    if found is None:
        return None
    recipients = list(dict.fromkeys(a.lower() for a in _ADDR_SCAN.findall(found["who"])))
    reason = " ".join(found["why"].split())
    return _hit([(a, reason) for a in recipients], ctx.report, "domino", ctx.report)


# Italian certified mail (PEC, DM 2 November 2005): the provider's receipt names its type in
# X-Ricevuta, and only "errore-consegna" is a non-delivery notice; its text names the recipient
# ("destinato all'utente", "indirizzato a") and the error, and its daticert.xml the error's class.
# The subject alone proves nothing: "mancata consegna" is everyday news wording.
_PEC_RECIPIENT = re.compile(
    r"(?:destinat[oa] all'utente|indirizzat[oa] a)\s+\"?(" + _ADDR.pattern + r")", re.IGNORECASE
)
_PEC_ERROR = re.compile(r"rilevato (?:il seguente|un) errore\s*:?\s*(.+)", re.IGNORECASE)
_PEC_CLASS = re.compile(rb'errore="([\w-]+)"')
# daticert.xml's errore: no such mailbox, no such domain, a virus; "altro" says nothing more.
_PEC_STATUS = {b"no-dest": "5.1.1", b"no-dominio": "5.1.2", b"virus": "5.7.1"}


def _pec(ctx: _Ctx) -> _Hit | None:
    """An Italian PEC provider's non-delivery notice ('avviso di mancata consegna')."""
    if _header(ctx.msg, "x-ricevuta").strip().lower() != "errore-consegna":
        return None
    recipients = dict.fromkeys(a.lower() for a in _PEC_RECIPIENT.findall(ctx.report))
    error = _PEC_ERROR.search(ctx.report)
    reason = " ".join(error[1].split()) if error else ""
    hit = _hit([(a, reason) for a in recipients], ctx.report, "pec", ctx.report)
    if hit is not None:
        hit.status = _pec_status(ctx)
    return hit


def _pec_status(ctx: _Ctx) -> str | None:
    """The status daticert.xml's error class gives, if it names one."""
    for part, ctype in ctx.parts:
        if ctype.endswith("/xml") and "daticert" in (part.get_filename() or "").lower():
            payload = part.get_payload(decode=True)
            found = _PEC_CLASS.search(payload if isinstance(payload, bytes) else b"")
            return _PEC_STATUS.get(found[1]) if found else None
    return None


_COURIER = _rx(r"running the courier mail server", r"courier mail server at")
_COURIER_INTRO = _rx(r"cannot be delivered:?", r"delivery (?:to|of) .{0,40}failed:?")


def _courier(ctx: _Ctx) -> _Hit | None:
    """Courier: '<addr>:' blocks after 'cannot be delivered', with the '<<< 550 ...' reply."""
    if not _search(_COURIER, ctx.report):
        return None
    rest = _after(ctx.report, _COURIER_INTRO)
    entries = _entries(rest or ctx.report)
    entries = [(a, r) for a, r in entries if not r.startswith(">>>") or find_smtp_code(r)]
    return _hit(entries, rest or ctx.report, "courier", ctx.report)


_SES = _rx(
    r"the following message to <?(" + _ADDR.pattern + r")>? was undeliverable",
    r"an error occurred while trying to deliver the mail to the following recipients:\s*("
    + _ADDR.pattern
    + ")",
)


def _ses(ctx: _Ctx) -> _Hit | None:
    """Amazon SES and WorkMail: 'The following message to <addr> was undeliverable.'"""
    found = _search(_SES, ctx.report)
    if found is None:
        return None
    addresses = [(found[1] or found[2]).lower()]
    if found[2]:  # SES lists every recipient, one per line
        listed = []
        for line in ctx.report[found.end() :].split("\n")[1:]:
            bare = _BARE.fullmatch(line)
            if bare is None:
                break
            listed.append(bare[1].lower())
        addresses += _others(listed, _addresses_in(ctx.msg, ("to", "from")))
    reason = _technical(ctx.report) or _reason_line(ctx.report[found.end() :])
    return _Hit(addresses, reason, "workmail" if "awsapps" in ctx.sender else "ses")


_MAILRU_LOCAL = _rx(r"local mailbox (" + _ADDR.pattern + r") is unavailable:?[ \t]*([^\n]*)")
_MAILRU = _rx(r"сервером mail\.ru", r"mail\.ru server")


def _mailru(ctx: _Ctx) -> _Hit | None:
    """Mail.Ru (Exim with Russian text): 'Local mailbox ADDR is unavailable: user not found'."""
    found = _search(_MAILRU_LOCAL, ctx.report)
    if found is not None:
        return _Hit([found[1].lower()], found[2].strip() or "mailbox unavailable", "mailru")
    if not _search(_MAILRU, ctx.report):
        return None
    hit = _exim(ctx) or _generic(ctx)
    if hit is not None:
        hit.format = "mailru"
    return hit


_SMTP32 = re.compile(
    r"^[ \t]*(?:undeliverable\s+to|unknown user:|invalid final delivery userid:|"
    r"delivery failed \d+ attempts:|failed to deliver to)\s*'?<?(" + _ADDR.pattern + r")>?'?(.*)$",
    re.IGNORECASE | re.MULTILINE,
)


def _smtp32(ctx: _Ctx) -> _Hit | None:
    """Ipswitch IMail (X-Mailer SMTP32): 'Unknown user: ADDR' / 'undeliverable to ADDR'."""
    if "smtp32" not in ctx.mailer and not _SMTP32.search(ctx.report):
        return None
    entries = []
    for found in _SMTP32.finditer(ctx.report):
        tail = ctx.report[found.end() : found.end() + 400]
        following = _SMTP32.search(tail)
        reply = _REPLY_LINE.search(tail[: following.start()] if following else tail)
        reason = found.group(0).strip() + (" " + reply.group(0).strip() if reply else "")
        entries.append((found[1].lower(), reason))
    return _hit(entries, ctx.report, "smtp32", ctx.report)


# Multilingual "could not be delivered to the following addresses" and labelled recipient lines.
_INTRO = _rx(
    r"(?:following|these|the) (?:e-?mail )?(?:address(?:\(es\)|es)?|recipients?(?:\(s\))?|users?|"
    r"destinations?)(?: or groups)?[^\n]{0,60}(?:failed|did not|could not|couldn't|cannot|were not|"
    r"was not|not be|had|have|returned|rejected|(?:permanent|fatal) errors?)[^\n]*",
    r"(?:not|couldn't|cannot|could not) (?:be )?(?:delivered|deliver(?: \w+)?) to"
    r"(?: the following[^\n:]*)?:?",
    r"(?:was|were|is) undeliverable to(?: the following)?[^\n:]*:?",  # Novell GroupWise
    r"you sent (?:mail|a message|an? e-?mail) to",
    r"(?:an? )?error (?:occurred )?(?:while )?delivering your (?:mail|message|e-?mail) to",  # dma
    r"recipient addresses that were\s+incorrectly constructed:?",  # Exim
    r"failed recipients",
    r"failed addresses",
    r"deliver a message for\s+the following list of recipients:?",  # OpenSMTPD
    r"did not receive (?:this|your|a copy of your) message:?",
    r"message not delivered to the following[^\n]*",
    # Purelymail: "We could not deliver the attached mail for the following recipients." (set AW)
    r"(?:could not|couldn't|cannot|unable to) deliver [^\n]{0,40}for the following recipients?:?",
    # Office 365's notice, in its text part: "mx.example rejected your message to the following
    # email addresses:", "Couldn't deliver the message to the following recipients:" (set AY)
    r"rejected (?:your message|the message you sent) to the following (?:e-?mail )?"
    r"address(?:es)?:?",  # (the second form, set BE)
    r"heeft uw bericht naar de volgende e-?mailadressen geweigerd:?",  # in Dutch (set BB)
    r"(?:could not|couldn't) deliver the message to the following recipients?:?",
    r"some recipients failed:?",  # (set BC)
    # Outlook's and Exchange's "The following recipient(s) cannot be reached:", translated
    # (Spanish seen in set AT)
    r"no se puede localizar a los destinatarios siguientes:?",
    r"impossible de joindre les destinataires suivants\s*:?",
    r"folgende empf[äa]nger konnten nicht erreicht werden:?",
    r"n'a pas pu (?:être|etre) (?:d[ée]livr[ée]|remis|distribu[ée])e? [àa]",
    r"konnte nicht (?:an (?:die|den) folgenden empf[äa]nger )?(?:zugestellt|ausgeliefert) werden",
    r"no (?:pudo|ha podido) ser entregado",
    r"n[ãa]o p[ôo]de ser entregue",
    r"nao pode ser enviada",
    r"non (?:è stato possibile consegnare|[èe] stato consegnato|ha potuto essere consegnato)",
    r"не (?:может быть|удалось|было|смогли|могло быть) достав\w*[^\n]*",
    r"не вдалося доставити[^\n]*",
    r"nie (?:mo[żz]e zosta[ćc]|mog[łl]a? zosta[ćc]|zosta[łl]a?|uda[łl]o si[ęe]) dostarcz\w*[^\n]*",
    r"无法(?:发送|送达|投递)[^\n]*",
    r"未能送达[^\n]*",
    r"配信(?:でき|出来)ませんでした[^\n]*",
    r"届けられませんでした[^\n]*",
    r"전달되지 않았습니다[^\n]*",
)
_LABELLED = re.compile(
    r"^[ \t]*(?:failed recipient|failed address|error-for|intended recipient|original address|"
    r"recipient address|rcpt to|delivery failed|"
    r"undeliverable (?:address|recipient)|"
    r"did not reach the following recipient|\(?originally addressed to|recipient|empf[äa]nger|"
    r"destinataire|destinatario|destinat[áa]rio|получатель|адресат|收件人|宛先)s?\s*+[:：]?\s*+"
    r"<?(" + _ADDR.pattern + r")>?\)?(.*)$",
    re.IGNORECASE | re.MULTILINE,
)


def _labelled(text: str) -> list[tuple[str, str]]:
    entries = []
    for found in _LABELLED.finditer(text):
        follow = text[found.end() : found.end() + 600].lstrip("\n")
        paragraph = follow.split("\n\n", 1)[0] if follow else ""
        if not paragraph.strip():
            paragraph = follow.split("\n\n", 2)[1] if follow.count("\n\n") >= 2 else ""
        reason = " ".join((found[2] + " " + paragraph).split()).strip(" :")
        entries.append((found[1].lower(), reason))
    return entries


# "Could not be delivered to: <addr>" and the indented reason under it (KDDI's au one net): the
# colon and the bracketed address make it a mail system's line, not a person's.
_COULD_NOT_DELIVER = re.compile(
    r"could not be delivered to:[ \t]*<(" + _ADDR.pattern + r")>[ \t]*\n((?:[ \t]+[^\n]*\n?){0,5})",
    re.IGNORECASE,
)


def _could_not_deliver(ctx: _Ctx) -> _Hit | None:
    found = list(_COULD_NOT_DELIVER.finditer(ctx.report[:MAX_TEXT]))
    return _hit([(m[1].lower(), " ".join(m[2].split())) for m in found], ctx.report, "other")


# A transcript's command and the reply to it on the next line: "<<< RCPT TO:<addr>" / ">>> 550 ..."
_RCPT_REPLY = re.compile(
    r"RCPT TO: ?<(" + _ADDR.pattern + r")>[^\n]*\n[^\n]{0,40}?(?:>>>|<<<)? ?(5\d\d[ -][^\n]*)"
    # ... or Exim's, whose final report may quote a 4xx (greylisting until it gave up; set BA),
    # where a session's transcript may show a 4xx that a retry got past (a review)
    r"|SMTP error from remote mail server after RCPT TO: ?<(" + _ADDR.pattern + r")>:[ \t]*\n"
    r"[ \t]*(?:host [^\n]{1,300}?: )?(4\d\d[ -][^\n]*)",
    re.IGNORECASE,
)


def _rcpt_replies(text: str) -> list[tuple[str, str]]:
    return [
        ((m[1] or m[3]).lower(), (m[2] or m[4]).strip())
        for m in _RCPT_REPLY.finditer(text[:MAX_TEXT])
    ]


# "SMTP Server <host> rejected recipient <addr> (Error following RCPT command). It responded as
# follows: [550 5.1.1 User unknown]": the server's reply on the same line.
_REJECTED_RCPT = re.compile(r"rejected recipient <(" + _ADDR.pattern + r")>([^\n]*)", re.IGNORECASE)


def _rejected(text: str) -> list[tuple[str, str]]:
    """Each 'rejected recipient <addr>' and the rest of its line, the server's reply."""
    return [(m[1].lower(), m[2].strip(" .")) for m in _REJECTED_RCPT.finditer(text[:MAX_TEXT])]


# "Unable to find user: <addr>" (Prodigy): a line that is only a failure's words about the
# address (a noun and what is wrong with it), a colon and one address; not "Not found: x" (a
# directory reply), "contact: x" or "Sender address: x". Possessive and bounded, so a long run of
# blanks costs linear time.
_REASON_THEN_ADDRESS = re.compile(
    r"^[ \t]*+(?=[^\n:]{0,60}\b(?:user|recipient|mailbox|address|account)\b)"
    r"(?![^\n:]{0,60}\b(?:sender|from|reply|return|contact|please|write|tell|if|when)\b)"
    r"([^\n:<>@]{0,60}?\b(?:unable to find|unknown|no such|not found|nonexistent|non-existent|"
    r"does ?n[o']t exist)\b[^\n:<>@]{0,40}?)[ \t]*:[ \t]*<?(" + _ADDR.pattern + r")>?[ \t.]*$",
    re.IGNORECASE | re.MULTILINE,
)


def _reason_lines(ctx: _Ctx) -> list[tuple[str, str]]:
    """Only where the subject or text already says the delivery failed for good."""
    if not (_search(_FAIL_SUBJECT, ctx.subject) or _search(_PERMANENT, ctx.report)):
        return []
    own = _addresses_in(ctx.msg, ("to", "from"))
    found = [
        (m[2].lower(), m[1].strip()) for m in _REASON_THEN_ADDRESS.finditer(ctx.report[:MAX_TEXT])
    ]
    return [(address, reason) for address, reason in found if _others([address], own)]


def _generic(ctx: _Ctx) -> _Hit | None:
    """Any report that introduces its failed recipients in a known phrase or labels them."""
    intro = _search(_INTRO, ctx.report)
    rest = ctx.report[intro.end() :] if intro else None
    entries = _entries(rest) if rest is not None else []
    entries = entries or (_inline(intro) if intro else []) or _labelled(ctx.report)
    entries = entries or _rcpt_replies(ctx.report) or _rejected(ctx.report)
    entries = entries or _reason_lines(ctx)
    return _hit(entries, rest or ctx.report, _provider(ctx) or "other", ctx.report)


# Chinese puts no space between the verb and the address it points at, which a local part would
# read on into ("无法发送到desk@news.example.org", Tencent, set BG): only that address, right after
# "send to" or "deliver to", not any other on the line (a help desk's, a review)
_CJK_DELIVER_TO = re.compile(r"无法(?:发送|送达|投递)(?:到|至|给)[ \t]*<?(" + _ADDR.pattern + ")")


def _inline(intro: re.Match[str]) -> list[tuple[str, str]]:
    """Addresses written on the intro line itself, after its colon: 'recipients failed: a@b.',
    or the one a Chinese intro's verb points at: "无法发送到a@b"."""
    _head, colon, tail = intro.group(0).partition(":")
    if pointed := _CJK_DELIVER_TO.match(intro.group(0)):
        return [(pointed[1].lower(), "")]
    if not colon:
        return []
    addresses = [a.lower() for a in _ADDR_SCAN.findall(tail) if not _NOT_RECIPIENT.match(a)]
    reason = tail.split(addresses[-1], 1)[-1].strip(" .,;:") if addresses else ""
    return [(a, reason) for a in addresses]


_PROVIDERS = (
    ("yandex", "yandex"),
    ("mail.ru", "mailru"),
    ("googlemail.com", "gmail"),
    ("google.com", "gmail"),
    ("gmail", "gmail"),
    ("protection.outlook.com", "office365"),
    ("outlook.com", "outlook"),
    ("hotmail", "outlook"),
    ("yahoo", "yahoo"),
    ("amazonses", "ses"),
    ("awsapps", "workmail"),
    ("zoho", "zoho"),
)


def _provider(ctx: _Ctx) -> str | None:
    domain = ctx.sender.rpartition("@")[2]
    for needle, name in _PROVIDERS:
        if needle in domain:
            return name
    return None


# Detectors whose marker phrases only a mail system writes run on any message; the others only on
# one whose sender or subject is a non-delivery report's (a journalist's reply may say "could
# not be delivered to").
_MARKED: tuple[Callable[[_Ctx], _Hit | None], ...] = (
    _postfix,
    _google_groups,
    _mailing_list,
    _exim,
    _pec,
    _mailru,
    _gmail,
    _ses,
    _domino,
    _courier,
    _sendmail,
    _qmail,
    _could_not_deliver,
)
_GATED: tuple[Callable[[_Ctx], _Hit | None], ...] = (_smtp32, _exchange, _generic)


def _detect(ctx: _Ctx) -> _Hit | None:
    detectors = _MARKED + _GATED if ctx.returned_like else _MARKED
    for detector in detectors:
        hit = detector(ctx)
        if hit is not None and hit.recipients:
            return hit
    return None


def _flufl(ctx: _Ctx) -> _Hit | None:
    """flufl.bounce's detectors, for the formats ours do not know."""
    temporary, permanent = all_failures(_as_plain_text(ctx))
    found = permanent or temporary
    recipients = [a for a in (_address(x.decode("ascii", "replace")) for x in found) if a]
    if not recipients:
        return None
    return _Hit(sorted(set(recipients)), _reason_line(ctx.report), "flufl")


def _as_plain_text(ctx: _Ctx) -> Message:
    """The message with its report's text parts decoded, HTML as text: flufl.bounce's detectors
    read a part's payload as it was sent, and find nothing in base64, quoted-printable or HTML."""
    if not any(
        ctype == "text/html" or _cte(part) in ("base64", "quoted-printable")
        for part, ctype in ctx.parts
        if ctype.startswith("text/") and not part.is_multipart()
    ):
        return ctx.msg
    copy = deepcopy(ctx.msg)
    for part, ctype in _walk(copy):
        if ctype.startswith("text/") and not part.is_multipart():
            text = _part_text(part)
            del part["content-transfer-encoding"]
            if ctype == "text/html":
                part.set_type("text/plain")
                text = _html_text(text)
            part.set_payload(text)
    return copy


def _cte(part: Message) -> str:
    return str(part.get("content-transfer-encoding", "")).strip().lower()


# --- the standard reports -------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return _CONTROL.sub("", " ".join(text.split()))[:MAX_DIAGNOSTIC]


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # NUL and terminal escapes, never in a diagnostic


def _settle(status: str | None, text: str, smtp_code: int | None) -> str | None:
    """The status to report: the given one unless it is generic (x.y.0), then a specific one
    written in the text; for x.0.0 or none, one inferred from the words."""
    if status is not None and status[1:3] == ".0":  # x.0.XXX: "other or undefined" (RFC 3463 3.1)
        status = f"{status[0]}.0.0"
    if status is not None and not status.endswith(".0"):
        return status
    written = _SPECIFIC.search(text)
    if written is not None:
        return written.group(0)
    if status is not None and not status.endswith(".0.0"):
        return status
    inferred = infer_status(text, smtp_code)
    if inferred is None:
        return status
    if not status or domain_gone(text):  # permanent whatever the class written (RFC 7505 4.2)
        return inferred
    # A generic x.0.0 says nothing the remote's reply code does not: its class is the reply's
    # (RFC 3463 section 3.1 and RFC 5321 section 4.2.1 agree on 4 = transient, 5 = permanent).
    lead = _LEAD_REPLY.match(text)
    return f"{lead[1] if lead else status[0]}{inferred[1:]}"


# A code that says something: neither its subject nor its detail is the "undefined" 0.
_SPECIFIC = re.compile(
    r"(?<![\d.])[245]\.(?:[1-9]\d{0,2}|0\d{1,2})\.(?:[1-9]\d{0,2}|0\d{1,2})(?!\.?\d)"
)


@dataclass
class _Meta:
    """What every answer carries, bounce or not."""

    envelope_id: str | None
    original_message_id: str | None
    addresses: tuple[str, ...]

    def result(
        self,
        bounce: bool,
        kind: BounceKind | None,
        recipients: Iterable[str],
        status: str | None,
        diagnostic: str,
        fmt: str,
    ) -> ParsedBounce:
        return ParsedBounce(
            bounce,
            kind,
            tuple(dict.fromkeys(recipients)),
            status,
            _one_line(diagnostic),
            fmt,
            self.envelope_id,
            self.original_message_id,
            self.addresses,
        )


@dataclass
class _Report:
    """What the standard report parts say."""

    failed: list[tuple[str, Fields]] = field(default_factory=list)
    delayed: list[tuple[str, Fields]] = field(default_factory=list)
    other: int = 0
    envelope_id: str | None = None
    global_: bool = False
    blocks_seen: bool = False


def _dsn(ctx: _Ctx) -> _Report | None:
    parts = [p for p, ctype in ctx.parts if ctype in _REPORT_TYPES[:2]]
    if not parts:
        return None
    report = _Report(global_=any(ctype == _REPORT_TYPES[1] for _p, ctype in ctx.parts))
    for part in parts:
        for block in _field_blocks(part):
            report.envelope_id = report.envelope_id or block.get("original-envelope-id")
            _dsn_block(block, report)
    return report


_TEXT_DSN = re.compile(
    r"^(?:final|original)-recipient[ \t]*:[ \t]*[\w.-]{1,20}[ \t]*;", re.IGNORECASE | re.MULTILINE
)


def _text_dsn(ctx: _Ctx) -> _Report | None:
    """A report's DSN fields written as text, where no part holds them: a mail client's view or
    forward of the report, or a report that lost its MIME structure (set AT); read as the
    delivery-status part they came from (RFC 3464 section 2.3)."""
    text = ctx.report[:MAX_TEXT]
    found = _TEXT_DSN.search(text)
    if found is None:
        return None
    report = _Report()
    for block in _blocks_from_text(text[found.start() :]):
        _dsn_block(block, report)
    return report


def _dsn_block(block: Fields, report: _Report) -> None:
    address = None
    for name in ("original-recipient", "final-recipient", "x-actual-recipient"):
        if block.get(name):
            address = _address(block[name])
            if address:
                break
    if address is None and "final-recipient" not in block:
        return
    report.blocks_seen = True
    action = block.get("action", "").strip().lower()
    cls = (find_status(block.get("status", "")) or "")[:1]  # the Status's class: 5, 4 or none
    if not action and not cls:
        # Both are required (RFC 3464 2.3.3, 2.3.4). A 5xx reply says the delivery failed; a 4xx
        # one does not say it was only delayed, for the text may say the sender gave up for good.
        lead = _LEAD_REPLY.match(_strip_type(block.get("diagnostic-code", "")))
        cls = "5" if lead and lead[1] == "5" else ""
    if action.startswith(("fail", "error", "undeliver")) or (not action and cls == "5"):
        report.failed.append((address or "", block))
    elif action.startswith("delay") or (not action and cls == "4"):
        report.delayed.append((address or "", block))
    elif action.startswith(("deliver", "relay", "expand")):
        report.other += 1  # a success notice (NOTIFY=SUCCESS): not a failure


_LEADING_CODE = re.compile(r"^\s*[245]\.\d{1,3}\.\d{1,3}\s*")


def _dsn_reason(fields: Fields, ctx: _Ctx) -> tuple[str | None, str, int | None]:
    status_field = fields.get("status", "")
    diagnostic = _strip_type(fields.get("diagnostic-code", ""))
    comment = _LEADING_CODE.sub("", status_field).strip(" ()")
    extra = (
        fields.get("x400-supplementary-info")
        or fields.get("x-supplementary-info")
        or _strip_type(fields.get("x-exim-diagnostic", ""))
    ).strip('" <>')  # Exchange's and Hotmail's SMTP reply, Exim's own words: no Diagnostic-Code
    text = diagnostic or comment or extra
    generic = find_status(status_field) is None or status_field.strip().startswith(
        ("5.0.0", "4.0.0")
    )
    if not explains(text) and (generic or not text):
        hit = _detect(ctx)
        more = hit.diagnostic if hit else _reason_line(ctx.report)
        # The text part's reason instead of the DSN's uninformative one; the DSN's own words stay
        # when the text part has nothing more (they hold the reply code at least), as when its
        # line only leads in to them (chasquid: "... failed permanently with error:", set AG).
        text = more if _better(more, text) else text
    code = find_smtp_code(text) or find_smtp_code(status_field)
    status = _remote_code(diagnostic) or find_status(status_field) or find_status(text)
    return _settle(status, text, code), _one_line(text), code


def _better(more: str, text: str) -> bool:
    """Whether to take the text part's reason over the DSN's: not when it is the same, nor when
    it lacks the reply code the DSN's holds and names no reason either (a line that only leads
    in to the DSN's words)."""
    if not more or more in text:
        return False
    bare = find_smtp_code(more) is None and not explains(more)
    return not (bare and find_smtp_code(text) is not None)


# The remote's reply as a Diagnostic-Code gives it: "550 5.2.2 ..." or "550-5.2.2 ...".
_LEAD_REPLY = re.compile(r"\s*([45])\d\d[ -]+(?:#?([45]\.\d{1,3}\.\d{1,3})(?!\.?\d))?")


def _remote_code(diagnostic: str) -> str | None:
    """The specific code the remote wrote after its reply code, of the reply's own class. It beats
    the reporting MTA's Status, which may only say that time ran out (x.4.7) or translate the
    reply wrongly (5.1.1 for "552 5.2.2 Over quota")."""
    found = _LEAD_REPLY.match(diagnostic)
    if found is None or not found[2] or found[2][0] != found[1]:
        return None
    return found[2] if _SPECIFIC.fullmatch(found[2]) else None


# Exim's words for an ACL's refusal that gives none of its own: a policy, unless the report says
# it came in reply to RCPT TO, where a list of valid recipients gives the same words and the
# code decides (Exim "after RCPT TO:", Postfix "in reply to RCPT TO command", dma "did not like
# our RCPT TO", a transcript's ">>> RCPT TO"). nullmailer's and Haraka's reports name no stage,
# nor does chasquid's "MAIL+RCPT", which covers both commands (set AG, after its review).
_ACL_DENY = re.compile(r"administrative\s+prohibition", re.IGNORECASE)
_RCPT_STAGE = re.compile(r"rcpt\s+to\b", re.IGNORECASE)


def _kind(
    ctx: _Ctx,
    returned: Message | None,
    recipients: Iterable[str],
    status: str | None,
    diagnostic: str,
    code: int | None,
    written: str = "",
) -> tuple[BounceKind, str | None]:
    """The failure's kind and status; a "gone" that names our own address or domain, not the
    recipient's, is about the sender: a block, X.1.7 or X.1.8 (RFC 3463 bad sender's mailbox or
    system address), unless the report wrote its code. `written` is the report's own Status."""
    kind = classify(status, diagnostic, code)
    if (
        kind is BounceKind.HARD
        and _ACL_DENY.search(diagnostic)
        and not _RCPT_STAGE.search(ctx.report)
    ):
        return BounceKind.BLOCK, status
    detail = _about_sender(ctx, returned, recipients, diagnostic) if kind is BounceKind.HARD else ""
    if not detail:
        return kind, status
    if status is not None and status[1:] in (".1.1", ".1.2") and status not in written + diagnostic:
        status = f"{status[0]}.1.{detail}"  # one inferred from the words, not one written
    return BounceKind.BLOCK, status


_REPLY_START = re.compile(r"(?<![\w.:/-])[45]\d\d[ -]")
# Each whole dotted name in a text ("mx.example.org", not the "example.org" inside it; a sentence's
# full stop is not part of it): one set to look our domains up in, not one search per domain.
_DOMAIN_TOKEN = re.compile(r"(?<![\w.-])[\w-]+(?:\.[\w-]+)*")


def _about_sender(
    ctx: _Ctx, returned: Message | None, recipients: Iterable[str], diagnostic: str
) -> str:
    """'7' if the failure's words name the sending side's address, '8' if only its domain (the
    report's own addressee, the returned message's Return-Path and From), '' otherwise or when
    they name a failed recipient too."""
    # the remote's reply only: a report's text may echo the returned message's From before it
    reply = _REPLY_START.search(diagnostic)
    text, failed = (diagnostic[reply.start() :].lower() if reply else ""), set(recipients)
    if not text or any(a in text for a in failed):
        return ""
    own = _addresses_in(ctx.msg, ("to", "delivered-to", "x-original-to", "envelope-to"))
    if returned is not None:
        own |= _addresses_in(returned, ("return-path", "from", "sender"))
    own -= failed
    if any(a in text for a in own):
        return "7"
    domains = {a.rpartition("@")[2] for a in own} - {a.rpartition("@")[2] for a in failed}
    return "8" if domains & set(_DOMAIN_TOKEN.findall(text)) else ""


# OpenSMTPD 6.8 reports a message it dropped when its queue lifetime ran out in its delay notice's
# words ("only a temporary failure report", Action: delayed), with this line for each recipient;
# the message has left the queue, so the delivery failed for good.
_EXPIRED = re.compile(r"^" + _ADDR.pattern + r": envelope expired[ \t]*$", re.MULTILINE)
# nullmailer 2.2 writes a report only when it gives a message up (src/send.cc, bounce_msg moves
# it to the failed queue first), and nullmailer-dsn says "Action: delayed" for any 4.x.x status
# (src/dsn.cc): its report for a message that met only temporary refusals is its final one.
# nullmailer-dsn run by hand with --retry-until writes a true warning, with Will-Retry-Until.
_NULLMAILER = re.compile(r"^this is the nullmailer delivery system\.", re.MULTILINE | re.IGNORECASE)


# A user at a bare host name in a recipient field: Dovecot's LDA, given only a user name (Postfix's
# "-d ${user}"), writes "user@<its host name>" (set AI)
_AT_BARE_HOST = re.compile(f"({_LOCAL_PART})@[\\w-]+")


def _at_host(ctx: _Ctx, block: Fields, returned: Message | None) -> str:
    """The returned message's one visible recipient (To or Cc: the address we wrote to, not a
    forwarder's Delivered-To) with the local part of a user at a bare host name; never ours."""
    named = _AT_BARE_HOST.fullmatch(_strip_type(block.get("final-recipient", "")))
    if named is None or returned is None:
        return ""
    own = _addresses_in(ctx.msg, ("to",)) | _addresses_in(returned, ("from", "sender"))
    local = named[1].lower()
    addressed = _others(_addresses_in(returned, ("to", "cc")), own)
    same = [a for a in addressed if a.partition("@")[0] == local]
    return same[0] if len(same) == 1 else ""


def _from_dsn(
    report: _Report, ctx: _Ctx, meta: _Meta, returned: Message | None
) -> ParsedBounce | None:
    fmt = "rfc6533" if report.global_ else "rfc3464"
    if (
        report.delayed
        and not report.failed
        and _NULLMAILER.search(ctx.report)
        and not any("will-retry-until" in block for _a, block in report.delayed)
    ):
        report.failed, report.delayed = report.delayed, []
    if report.delayed and not report.failed:
        expired = {m[0].partition(":")[0] for m in _EXPIRED.finditer(ctx.report.lower())}
        report.failed = [(a, block) for a, block in report.delayed if a in expired]
        report.delayed = [(a, block) for a, block in report.delayed if a not in expired]
    chosen = report.failed or report.delayed
    if not chosen:
        if report.other and report.blocks_seen:
            return meta.result(False, None, (), None, "", fmt)
        return None
    recipients = [a or _at_host(ctx, block, returned) for a, block in chosen]
    recipients = [a for a in recipients if a]
    if not recipients:
        hit = _detect(ctx) or _flufl_safe(ctx)
        recipients = hit.recipients if hit else []
    status, diagnostic, code = _dsn_reason(chosen[0][1], ctx)
    unique = tuple(dict.fromkeys(recipients))
    if not report.failed:
        return meta.result(False, None, unique, status, diagnostic, "delayed")
    written = chosen[0][1].get("status", "")
    kind, status = _kind(ctx, returned, unique, status, diagnostic, code, written)
    return meta.result(True, kind, unique, status, diagnostic, fmt)


_MDN_TYPES = ("message/disposition-notification", "message/global-disposition-notification")


def _merged_fields(parts: list[Message]) -> Fields:
    """Every field of every block of the report parts, a later one winning: an MDN and a
    feedback report each describe one message, so one set of fields serves."""
    fields: Fields = {}
    for part in parts:
        for block in _field_blocks(part):
            fields.update(block)
    return fields


def _mdn(ctx: _Ctx, meta: _Meta) -> ParsedBounce | None:
    """An RFC 8098 message disposition notification. A read receipt, or any a person sent, is
    not a bounce; one sent automatically for a message "deleted" unread that says it was
    rejected is a refusal by the recipient's system (a Sieve reject, RFC 5429 section 2.1;
    Dovecot's over-quota notice): what its words say, else a block, since the address stands
    and our message was turned away by the recipient's own filter. RFC 6533's UTF-8 form too."""
    parts = [p for p, ctype in ctx.parts if ctype in _MDN_TYPES]
    if not parts:
        return None
    fields = _merged_fields(parts)
    mode, _sep, disposition = fields.get("disposition", "").lower().partition(";")
    deleted = mode.strip().startswith("automatic-action") and disposition.strip().startswith(
        "deleted"
    )
    # Outlook's "Not read: ... deleted without being read" is "deleted" too: a refusal says so,
    # in its Auto-Submitted field (RFC 5429 section 2.1: "auto-replied (rejected)") or its words
    rejected = (
        "reject" in _header(ctx.msg, "auto-submitted").lower()
        or "reject" in (ctx.subject + " " + ctx.report).lower()
    )
    if not (deleted and rejected):
        return meta.result(False, None, (), None, _one_line(ctx.subject), "mdn")
    # the address we sent to, before any forwarding, as for a DSN (RFC 8098 section 3.2.3)
    named = _address(fields.get("original-recipient", "")) or _address(
        fields.get("final-recipient", "")
    )
    recipients = [named] if named else []
    text = _one_line(ctx.report)
    if not explains(text):
        return meta.result(True, BounceKind.BLOCK, recipients, None, text, "mdn")
    code = find_smtp_code(text)
    status = find_status(text) or infer_status(text, code)
    return meta.result(True, classify(status, text, code), recipients, status, text, "mdn")


def _arf(ctx: _Ctx, returned: Message | None, meta: _Meta) -> ParsedBounce | None:
    """An RFC 5965 feedback report: a complaint about one of our messages."""
    parts = [p for p, ctype in ctx.parts if ctype == "message/feedback-report"]
    content = str(ctx.msg.get("content-type", "")).lower()
    if not parts and "feedback-report" not in content:
        return None
    fields = _merged_fields(parts)
    feedback = (fields.get("feedback-type", "").split() or ["abuse"])[0].lower()
    if feedback in ("not-spam", "auth-failure"):
        return meta.result(False, None, (), None, _one_line(f"feedback-type={feedback}"), "arf")
    listed = fields.get("original-rcpt-to", "") + "\n" + fields.get("removal-recipient", "")
    recipients = [a for a in (_address(x) for x in listed.split("\n")) if a]
    sender = _address(fields.get("original-mail-from", ""))
    if not recipients and returned is not None:
        recipients = _delivered_to(returned, [sender] if sender else [])
    if sender and sender not in meta.addresses:
        meta.addresses += (sender,)
    agent = fields.get("user-agent", "")
    diagnostic = _one_line(f"feedback-type={feedback}" + (f"; user-agent={agent}" if agent else ""))
    return meta.result(True, BounceKind.COMPLAINT, recipients, None, diagnostic, "arf")


# Where the reported copy's receiving system wrote whom it delivered to, the envelope recipient
# first (Postfix's X-Original-To, the first Delivered-To written, Yahoo's X-Apparently-To, Exim's
# Envelope-To). Asked only when To names nobody but the sender (a Bcc mailing) or nobody at all:
# a Delivered-To may be the mailbox an alias forwarded to, not the address on our list.
_DELIVERED_HEADERS = ("x-original-to", "delivered-to", "x-apparently-to", "envelope-to")


def _delivered_to(returned: Message, ours: Iterable[str] = ()) -> list[str]:
    """The complainer of a feedback report that names none: the reported copy's To addresses
    outside the sending side (its From, Sender, Reply-To and Return-Path, and the report's
    Original-Mail-From, with their domains), else whom its receiving system delivered it to."""
    own = _addresses_in(returned, ("from", "sender", "reply-to", "return-path")) | set(ours)
    domains = {a.rpartition("@")[2] for a in own}

    def theirs(address: str) -> bool:
        return address not in own and address.rpartition("@")[2] not in domains

    addressed = [a.lower() for a in _ADDR_SCAN.findall(_header(returned, "to"))]
    if any(theirs(a) for a in addressed):
        return [a for a in addressed if theirs(a)]
    for name in _DELIVERED_HEADERS:
        for value in reversed(returned.get_all(name) or []):  # the bottom one was written first
            found = [a.lower() for a in _ADDR_SCAN.findall(str(value)) if theirs(a.lower())]
            if found:
                return found[:1]
    return []


def _mailed_notice(ctx: _Ctx, returned: Message | None, meta: _Meta) -> ParsedBounce | None:
    """A provider's own report format: an Outlook.com JMRP complaint (the reported message with
    its complainer in a header) or an Amazon SES notification mailed as JSON."""
    # The older form is the reported message itself, the header added at its top.
    complainer = jmrp_recipient(ctx.msg) or (jmrp_recipient(returned) if returned else None)
    if complainer:
        return meta.result(True, BounceKind.COMPLAINT, [complainer], None, "jmrp", "jmrp")
    if ctx.msg.is_multipart() or not ctx.report.lstrip().startswith("{"):
        return None
    notice = ses_notices(_part_text(ctx.msg))
    if notice is None:
        return None
    meta.addresses += tuple(link for link in notice.links if link not in meta.addresses)
    meta.original_message_id = meta.original_message_id or notice.message_id
    # SES reports a bounce once it has given up (a "Transient" one is soft, but final).
    kind, recipients, status = notice.kind, notice.recipients, notice.status
    return meta.result(True, kind, recipients, status, notice.diagnostic, "ses")


# --- the returned message and the addresses the caller decodes VERP tokens from -------------------

_ENVELOPE_HEADERS = (
    "to",
    "delivered-to",
    "x-original-to",
    "envelope-to",
    "x-envelope-to",
    "return-path",
)
_RETURNED_HEADERS = (
    "return-path",
    "from",
    "to",
    "cc",
    "sender",
    "reply-to",
    "errors-to",
    "x-original-to",
    "delivered-to",
)


def _returned(ctx: _Ctx) -> Message | None:
    for part, ctype in ctx.parts:
        if ctype not in _RETURNED_TYPES:
            continue
        inside = _subparts(part)
        if inside:
            return inside[0]
        if not part.is_multipart():
            return HeaderParser(_Message, policy=_POLICY).parsestr(
                _part_text(part)[:MAX_TEXT], headersonly=True
            )
    tail = ctx.tail.lstrip(" \t\n-*=")
    if tail:
        tail = tail.partition("\n")[2] if not _HEADER_AT.match(tail) else tail
        parsed = HeaderParser(_Message, policy=_POLICY).parsestr(
            tail.lstrip("\n")[:MAX_TEXT], headersonly=True
        )
        if parsed.get("message-id") or parsed.get("from") or parsed.get("to"):
            return parsed
    return None


def _addresses(ctx: _Ctx, returned: Message | None) -> tuple[str, ...]:
    values = _header_values(ctx.msg, _ENVELOPE_HEADERS)
    if returned is not None:
        values += _header_values(returned, _RETURNED_HEADERS)
    return tuple(dict.fromkeys(a for value in values for a in _ADDR_SCAN.findall(value)))


def _addresses_in(msg: Message, names: tuple[str, ...]) -> set[str]:
    """The addresses in the named header fields, lowercased."""
    return {a.lower() for a in _ADDR_SCAN.findall(" ".join(_header_values(msg, names)))}


def _others(addresses: Iterable[str], own: set[str]) -> list[str]:
    """The addresses, in order and once each, that are neither ours nor a mail system's role."""
    return [a for a in dict.fromkeys(addresses) if a not in own and not _NOT_RECIPIENT.match(a)]


def _header_values(msg: Message, names: tuple[str, ...]) -> list[str]:
    """Every value of each named field, as get_all() gives them, name by name: read in one pass
    over the fields instead of one get_all() per name."""
    found: dict[str, list[str]] = {name: [] for name in names}
    for key, value in msg.raw_items():
        values = found.get(key.lower())
        if values is not None:
            values.append(_raw(msg.policy.header_fetch_parse(key, value)))
    return [value for name in names for value in found[name]]


def _message_id(returned: Message | None) -> str | None:
    if returned is None:
        return None
    value = _raw(returned.get("message-id", "")).strip()
    return value or None


# --- putting it together --------------------------------------------------------------------------


FLUFL_MAX_BYTES = 256 * 1024  # flufl.bounce reads every part in full: only for small messages


def _flufl_safe(ctx: _Ctx) -> _Hit | None:
    if ctx.size > FLUFL_MAX_BYTES:
        return None
    try:
        return _flufl(ctx)
    except Exception:  # a detector of theirs failing on odd input is not our failure
        return None


# A line of the report holding an enhanced code; not a header of the returned message shown in
# its text ("X-Mailer: PHPMailer 5.2.9" is a version, set AT)
_CODE_LINE = re.compile(
    r"^(?!(?i:x-[\w-]+|user-agent|received|message-id|date|subject|dkim-signature|"
    r"mime-version)[ \t]*:)"
    r".*(?<![\d.])[45]\.\d{1,3}\.\d{1,3}(?!\.?\d).*$",
    re.MULTILINE,
)


def _nested(ctx: _Ctx, depth: int) -> ParsedBounce | None:
    """A report forwarded as an attachment (message/rfc822): the first one that is a bounce."""
    for part, ctype in ctx.parts:
        if ctype != "message/rfc822":
            continue
        inside = _subparts(part)
        if inside:
            inner = _from_message(inside[0], depth + 1, ctx.size)
            if inner.bounce:
                return inner
    return None


# A whole returned message pasted into a notice's text after its mbox "From " line (NTT OCN sends
# its own notice with the original report below it): the report inside is the one to read.
_MBOX_FROM = re.compile(
    r"^From \S+ +\w{3} \w{3} +\d{1,2} \d\d:\d\d:\d\d(?: [+-]\d{4})? \d{4}\n(?=[\w-]+:)", re.M
)


def _pasted(ctx: _Ctx, depth: int) -> ParsedBounce | None:
    found = _MBOX_FROM.search(ctx.report[:MAX_TEXT])
    if found is None or found.start() == 0:
        return None
    inner = message_from_string(ctx.report[found.end() :], _Message, policy=_POLICY)
    parsed = _from_message(inner, depth + 1, ctx.size)
    return parsed if parsed.bounce else None


_BARE = re.compile(r"^[ \t]*[<\"']?(" + _ADDR.pattern + r")[>\"']?[ \t]*$", re.MULTILINE)


def _unnamed(ctx: _Ctx, returned: Message | None) -> list[str]:
    """The failed recipients of a report with no phrase that introduces them: the lines of its
    text that hold only an address (Lotus Notes lists them under "Failure Reasons"); else the
    single To or Cc address of the returned message (a release goes to one journalist each)."""
    own = _addresses_in(ctx.msg, ("to", "from"))
    found = _others((a.lower() for a in _BARE.findall(ctx.report[:8000])), own)
    if found or returned is None:
        return found
    own |= _addresses_in(returned, ("from", "sender"))  # a sender copying itself is no failure
    addressed = _addresses_in(returned, ("to", "cc")) - own
    return list(addressed) if len(addressed) == 1 else []


# A VERP return path (ours, bounces+<token>@, or a list's, x-bounces+<member>@): the sender of
# the returned message, never one of its failed recipients.
# A forwarder's SRS or a signer's BATV rewriting keeps it in the local part ("srs0=..=bounces+").
_RETURN_PATH = re.compile(r"^[^@]*\bbounces?\+[^@]*@", re.IGNORECASE)


def _without_own(
    ctx: _Ctx, returned: Message | None, recipients: tuple[str, ...]
) -> tuple[str, ...]:
    """The recipients less our own addresses and any VERP return path: a remote's reply quoted in
    the report may name our sender ("<bounces+...@>: Sender address rejected", "<press@...>: From
    address rejected"), which a text detector also reads, whichever of them the report went to."""
    own = _addresses_in(ctx.msg, ("to",))
    if returned is not None:
        own |= _addresses_in(returned, ("from", "sender"))
    others = tuple(a for a in _others(recipients, own) if not _RETURN_PATH.match(a))
    return others or recipients


def _from_text(
    ctx: _Ctx, meta: _Meta, returned: Message | None, depth: int = 0
) -> ParsedBounce | None:
    # only in a report: a journalist's reply may paste a returned message it got
    pasted = _pasted(ctx, depth) if depth < 2 and ctx.returned_like else None
    if pasted is not None:
        return pasted
    hit = _detect(ctx)
    returned_like = ctx.returned_like
    if hit is None and depth < 2:
        nested = _nested(ctx, depth)
        if nested is not None:
            return nested
    if hit is None and returned_like and _ADDR_SCAN.search(ctx.report):
        hit = _flufl_safe(ctx)
    if hit is None:
        if not returned_like:
            return None
        if _failing_subject(ctx) or _search(_PERMANENT, ctx.report):
            hit = _Hit(_unnamed(ctx, returned), _reason_line(ctx.report), "heuristic")
        elif _bare_notice(ctx):
            # says a delivery failed and nothing else: a bounce, of no kind anyone can know, so
            # one that changes no contact (a review: a guessed "hard" would drop one for good)
            return meta.result(True, None, (), None, "", "heuristic")
        else:
            return None
    diagnostic = _one_line(hit.diagnostic)
    if not find_status(diagnostic):
        written = _CODE_LINE.search(ctx.report[:8000])
        if written is not None:
            diagnostic = _one_line(f"{diagnostic} {written.group(0)}")
    code = find_smtp_code(diagnostic)
    status = _settle(hit.status or find_status(diagnostic), diagnostic, code)
    recipients = _without_own(ctx, returned, tuple(dict.fromkeys(hit.recipients)))
    if _is_warning(ctx):
        status = f"4{status[1:]}" if status else None  # a delay is transient by definition
        return meta.result(False, None, recipients, status, diagnostic, "delayed")
    kind, status = _kind(ctx, returned, recipients, status, diagnostic, code)
    kind = hit.kind or kind
    fmt = _provider(ctx) if hit.format in ("other", "heuristic") and _provider(ctx) else hit.format
    return meta.result(True, kind, recipients, status, diagnostic, fmt or hit.format)


def _parse(data: bytes) -> ParsedBounce:
    raw = _normalise(data)
    if not raw or not _HEADER_LINE.match(raw):
        return _MALFORMED
    msg = message_from_bytes(raw, _Message, policy=_POLICY)
    if not msg.keys():
        return _MALFORMED
    if any(isinstance(d, MissingHeaderBodySeparatorDefect) for d in msg.defects):
        refolded = _refold(raw)
        if refolded != raw:
            msg = message_from_bytes(refolded, _Message, policy=_POLICY)
    _repair_boundary(msg)
    return _from_message(msg, 0, len(raw))


_FIELD_START = re.compile(rb"[\x21-\x39\x3b-\x7e]+:")


def _refold(raw: bytes) -> bytes:
    """The header block with its folding restored: a copy that lost the leading white space of
    its continuation lines ends its headers at the first one (RFC 5322 section 2.2.3); each such
    line, when header fields follow it before the blank line, becomes a continuation again."""
    head, blank, body = raw.partition(b"\n\n")
    if not blank:
        return raw
    lines = head.split(b"\n")
    last_field = max((i for i, line in enumerate(lines) if _FIELD_START.match(line)), default=0)
    for i in range(1, last_field):
        if not _FIELD_START.match(lines[i]) and lines[i][:1] not in (b" ", b"\t"):
            lines[i] = b" " + lines[i]
    return b"\n".join(lines) + blank + body


_QUOTED_START = re.compile(r'^"([^"]{1,200})"')
_BOUNDARY_LINE = re.compile(r'^[ \t]*boundary="?([^"\s;]{1,200})"?[ \t;]*\n', re.IGNORECASE)
MAX_REPAIRS = 8  # unsplit multiparts mended per message


def _lost_boundary(part: Message) -> tuple[str, str] | None:
    """The boundary of a multipart the stdlib left unsplit, and the body to split with it: the
    parameter's quoted value with junk after it (the next header run into Content-Type), or a
    'boundary=' continuation line written without its leading space, which ends the headers."""
    payload = _text_payload(part)
    if payload is None:
        return None
    param = part.get_param("boundary")
    found = _QUOTED_START.match(param) if isinstance(param, str) else None
    if found is not None:
        return found[1], payload
    if param is None and (line := _BOUNDARY_LINE.match(payload)) is not None:
        return line[1], payload[line.end() :]
    # the parameter lost whole (cut short), or one the body never uses (an upstream edit of one
    # but not the other): the body's own boundary lines say it
    if (param is None or f"--{param}" not in payload) and (
        boundary := _body_boundary(payload)
    ) is not None:
        return boundary, payload
    return None


_TYPED_PART = re.compile(
    r"^--([^\s\"]{1,200})\n(?:[\w-]+:[^\n]*\n)*?content-type:", re.IGNORECASE | re.MULTILINE
)
MAX_PREAMBLE = 400  # characters before the first boundary of a body read as untyped MIME
# A MIME body under a header block that lost its Content-Type: a boundary line, then part headers.
_MIME_START = re.compile(r"^--([^\s\"]{1,200})\n", re.MULTILINE)


def _text_payload(part: Message) -> str | None:
    """A leaf's payload as it stands, or None. (For 8-bit text the stdlib decodes it with the
    declared charset, and some, such as punycode, raise.)"""
    try:
        payload = part.get_payload()
    except (UnicodeError, LookupError):
        return None
    return payload if isinstance(payload, str) else None


def _resplit(part: Message, content_type: str, boundary: str, body: str) -> bool:
    """Give the part the subparts its body holds under that boundary; whether it had any. The
    caller writes the boundary into the part's own Content-Type."""
    head = f'Content-Type: {content_type}; boundary="{boundary}"\n\n'
    inner = message_from_string(head + body, _Message, policy=_POLICY)
    if not inner.is_multipart():
        return False
    part.set_payload(inner.get_payload())
    return True


def _body_boundary(payload: str) -> str | None:
    """The boundary of a body that is MIME parts by its own lines: a short preamble, then the
    first boundary line (a plain-text report, Exim's, quotes the returned message's own MIME
    parts further down), and the same boundary again later with part headers among which a
    Content-Type."""
    found = _MIME_START.search(payload[:MAX_PREAMBLE])
    if found is None:
        return None
    if not any(m[1] == found[1] for m in _TYPED_PART.finditer(payload[:MAX_TEXT])):
        return None
    return found[1]


def _repair_untyped(msg: Message) -> None:
    """Read a report whose top header has no Content-Type, but whose body is MIME parts, as the
    multipart it is (a Sendmail DSN passed through a system that dropped the field)."""
    if msg.get("content-type") is not None or (payload := _text_payload(msg)) is None:
        return
    boundary = _body_boundary(payload)
    if boundary is not None and _resplit(msg, "multipart/mixed", boundary, payload):
        msg["Content-Type"] = f'multipart/mixed; boundary="{boundary}"'


def _set_boundary(part: Message, boundary: str) -> None:
    try:
        part.set_param("boundary", boundary)
    except TypeError:  # a field the stdlib keeps as a Header object (undecodable bytes)
        ctype = part.get_content_type()
        del part["Content-Type"]
        part["Content-Type"] = f'{ctype}; boundary="{boundary}"'


def _repair_boundary(msg: Message) -> None:
    """Split the multiparts a malformed Content-Type left as one text, so that their report and
    returned-message parts are read as such."""
    _repair_untyped(msg)
    repairs = 0
    for part, _ctype in _walk(msg):
        if part.get_content_maintype() != "multipart" or part.is_multipart():
            continue
        lost = _lost_boundary(part)
        if lost is None or f"--{lost[0]}" not in lost[1]:
            continue
        if _resplit(part, part.get_content_type(), *lost):
            _set_boundary(part, lost[0])
        repairs += 1
        if repairs >= MAX_REPAIRS:
            return


def _from_message(msg: Message, depth: int, size: int) -> ParsedBounce:
    ctx = _context(msg)
    ctx.size = size
    returned = _returned(ctx)
    meta = _Meta(None, _message_id(returned), _addresses(ctx, returned))
    if _is_autoreply(ctx):
        return meta.result(False, None, (), None, _one_line(ctx.subject), "autoreply")
    arf = _mdn(ctx, meta) or _arf(ctx, returned, meta) or _mailed_notice(ctx, returned, meta)
    if arf is not None:
        return arf
    report = _dsn(ctx)
    if report is not None:
        meta.envelope_id = report.envelope_id
        parsed = _from_dsn(report, ctx, meta, returned)
        if parsed is not None:
            return parsed
    parsed = _from_text(ctx, meta, returned, depth)
    if ctx.returned_like and (parsed is None or _only_senders(parsed.recipients, ctx.report)):
        shown = _text_dsn(ctx)
        fielded = _from_dsn(shown, ctx, meta, returned) if shown is not None else None
        if fielded is not None and fielded.recipients:
            return fielded
    if parsed is not None:
        return parsed
    return meta.result(False, None, (), None, _one_line(ctx.subject), "not-a-bounce")


# The sender a Postfix report's DSN fields name (RFC 3464 allows X- fields; Postfix writes this
# one): no recipient, though a callout's reply may name it ("could not deliver mail to <it>")
_DSN_SENDER = re.compile(r"^X-Postfix-Sender: *rfc822; *<?(" + _ADDR.pattern + ")", re.M | re.I)


_FINAL_RECIPIENT = re.compile(r"^Final-Recipient:", re.M | re.I)
_DIAGNOSTIC_LINE = re.compile(r"^Diagnostic-Code:[^\n]*", re.M | re.I)


def _only_senders(recipients: tuple[str, ...], report: str) -> bool:
    """Whether the text found no recipient, or only the sender that the DSN fields name before
    their first recipient and that a recipient's Diagnostic-Code names too (set BB: a callout's
    reply about our sender; a review: not a sender named only in a quoted copy's fields)."""
    if not recipients:
        return True
    text = report[:MAX_TEXT]
    first = _FINAL_RECIPIENT.search(text)
    head = text[: first.start()] if first else ""
    senders = {m[1].lower() for m in _DSN_SENDER.finditer(head)}
    if not senders.issuperset(recipients):  # as for nearly every report: no need to read on
        return False
    diagnostics = " ".join(m[0] for m in _DIAGNOSTIC_LINE.finditer(text)).lower()
    return all(r in diagnostics for r in recipients)


def parse_bounce(data: bytes) -> ParsedBounce:
    """Parse a returned message; never raises: what cannot be read is "malformed", not a bounce."""
    try:
        return _parse(data)
    except Exception:  # any input at all must give an answer, not stop the pipeline
        return _MALFORMED
