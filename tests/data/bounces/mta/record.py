"""Set Q, step 1: record the replies a real Postfix gives when set up to refuse in each way.

    PYTHONPATH=. python tests/data/bounces/mta/record.py > tests/data/bounces/mta/replies.json
    PYTHONPATH=. python tests/data/bounces/mta/record.py u >> tests/data/bounces/mta/replies-r.jsonl
    PYTHONPATH=. python tests/data/bounces/mta/record.py w >> tests/data/bounces/mta/replies-r.jsonl
    PYTHONPATH=. python tests/data/bounces/mta/record.py ab >> tests/data/bounces/mta/replies-r.jsonl
    PYTHONPATH=. python tests/data/bounces/mta/record.py ac >> tests/data/bounces/mta/replies-r.jsonl
    PYTHONPATH=. python tests/data/bounces/mta/record.py af >> tests/data/bounces/mta/replies-r.jsonl
    PYTHONPATH=. python tests/data/bounces/mta/record.py ag [NAME...] >> tests/data/bounces/mta/replies-r.jsonl
    PYTHONPATH=. python tests/data/bounces/mta/record.py am >> tests/data/bounces/mta/replies-r.jsonl
    PYTHONPATH=. python tests/data/bounces/mta/record.py aq >> tests/data/bounces/mta/replies-r.jsonl

Starts a private Postfix on loopback (tests/postfix.py: relaying nowhere), changes its settings
for each scenario, and speaks SMTP to it as a sending MTA would. Prints, per scenario, the SMTP
stage at which Postfix refused and its reply (code and lines), for replay.py to give back.
With "u" (set U), Postfix hands the decision to a filter already listening on loopback (postgrey
on 10023, spamass-milter on 7831, rspamd's milter on 11332) and the replies are printed as
replies-r.jsonl lines, keyed by the filter.
"""

from __future__ import annotations

import json
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.data.bounces.mta.dns import MODE_FILE, XCLIENT_ADDR
from tests.postfix import PrivatePostfix

SENDER = "press@mta.press.test"
BODY = "Subject: Release\r\n\r\nEmbargoed until 10:00 UTC.\r\n"
# scenario -> (main.cf settings, map file contents, recipient, HELO name, body)
SCENARIOS: dict[str, tuple[list[str], str, str, str, str]] = {
    "unknown-user": ([], "", "gone@reject.test", "mta.press.test", BODY),
    "relay-denied": ([], "", "desk@elsewhere.test", "mta.press.test", BODY),
    "client-rejected": (
        ["smtpd_client_restrictions = check_client_access cidr:{map}"],
        "127.0.0.1/32 REJECT\n",
        "desk@accept.test",
        "mta.press.test",
        BODY,
    ),
    "sender-rejected": (
        ["smtpd_sender_restrictions = check_sender_access texthash:{map}"],
        "mta.press.test REJECT\n",
        "desk@accept.test",
        "mta.press.test",
        BODY,
    ),
    "helo-rejected": (
        ["smtpd_helo_required = yes", "smtpd_helo_restrictions = reject_non_fqdn_helo_hostname"],
        "",
        "desk@accept.test",
        "localhost",
        BODY,
    ),
    "content-rejected": (
        ["body_checks = regexp:{map}"],
        "/^Embargoed until/ REJECT\n",
        "desk@accept.test",
        "mta.press.test",
        BODY,
    ),
    "too-large": (
        ["message_size_limit = 4096"],
        "",
        "desk@accept.test",
        "mta.press.test",
        BODY + ("x" * 70 + "\r\n") * 100,
    ),
    "no-reverse-dns": (
        ["smtpd_client_restrictions = reject_unknown_reverse_client_hostname"],
        "",
        "desk@accept.test",
        "mta.press.test",
        BODY,
    ),
}
GTUBE = (
    "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"  # any spam filter's test
)
SPAM = BODY + GTUBE + "\r\n"
# set U: (filter, scenario) -> the same fields as SCENARIOS
_NO_POLICY = "smtpd_recipient_restrictions = reject_unauth_destination"  # postgrey's gone
U_SCENARIOS: dict[tuple[str, str], tuple[list[str], str, str, str, str]] = {
    ("postgrey", "greylisted"): (
        [
            "smtpd_recipient_restrictions = check_policy_service inet:127.0.0.1:10023, "
            "reject_unauth_destination"
        ],
        "",
        "desk@accept.test",
        "mta.press.test",
        BODY,
    ),
    ("spamassassin", "spam-rejected"): (
        [_NO_POLICY, "smtpd_milters = inet:127.0.0.1:7831"],
        "",
        "desk@accept.test",
        "mta.press.test",
        SPAM,
    ),
    ("rspamd", "spam-rejected"): (
        [_NO_POLICY, "smtpd_milters = inet:127.0.0.1:11332"],
        "",
        "desk@accept.test",
        "mta.press.test",
        SPAM,
    ),
}
# set W: Postfix's other stock refusals; (scenario) -> SCENARIOS' fields, sender, probes
W_SCENARIOS: dict[str, tuple[tuple[list[str], str, str, str, str], str, int]] = {
    "sender-unqualified": (
        (
            ["smtpd_sender_restrictions = reject_non_fqdn_sender"],
            "",
            "desk@accept.test",
            "mta.press.test",
            BODY,
        ),
        "press",
        1,
    ),
    "content-rejected": (
        (
            ["header_checks = regexp:{map}"],
            "/^Subject: Release/ REJECT\n",
            "desk@accept.test",
            "mta.press.test",
            BODY,
        ),
        SENDER,
        1,
    ),
    "rate-limited": (
        (
            ["smtpd_client_message_rate_limit = 1", "smtpd_client_event_limit_exceptions ="],
            "",
            "desk@accept.test",
            "mta.press.test",
            BODY,
        ),
        SENDER,
        2,
    ),
    "too-many-recipients": (
        (
            ["smtpd_recipient_limit = 1"],
            "",
            "desk@accept.test,desk@reject.test",
            "mta.press.test",
            BODY,
        ),
        SENDER,
        1,
    ),
    "domain-unresolved": (
        (
            [
                "smtpd_relay_restrictions = reject_unknown_recipient_domain, reject_unauth_destination"
            ],
            "",
            "desk@nowhere.test",
            "mta.press.test",
            BODY,
        ),
        SENDER,
        1,
    ),
}
# set AB: refusals that depend on DNS (dns.py answers); (scenario) -> (dns.py mode, SCENARIOS' fields)
Scenario = tuple[list[str], str, str, str, str]
_SPF_POLICY = "check_policy_service unix:private/policyd-spf"


def _of_accept(*settings: str, body: str = BODY) -> Scenario:
    """main.cf settings for a probe of accept.test, with no map (sets AB, AC and AF)."""
    return list(settings), "", "desk@accept.test", "mta.press.test", body


def _asks_dns(mode: str, *settings: str, body: str = BODY) -> tuple[str, Scenario]:
    """A set AB or AC scenario: dns.py's mode, then the probe's settings."""
    return mode, _of_accept(*settings, body=body)


AB_SCENARIOS: dict[str, tuple[str, Scenario]] = {
    "rbl-listed": _asks_dns("spf", "smtpd_client_restrictions = reject_rbl_client bl.test"),
    "rhsbl-sender": _asks_dns("spf", "smtpd_sender_restrictions = reject_rhsbl_sender dbl.test"),
    "sender-domain-unknown": _asks_dns(
        "gone", "smtpd_sender_restrictions = reject_unknown_sender_domain"
    ),
    "helo-unknown": _asks_dns(
        "gone",
        "smtpd_helo_required = yes",
        "smtpd_helo_restrictions = reject_unknown_helo_hostname",
    ),
    # tests/postfix.py turns smtpd_peername_lookup off: refused as nameless without a lookup
    "client-unknown": _asks_dns(
        "gone", "smtpd_client_restrictions = reject_unknown_client_hostname"
    ),
    # last but postscreen: it changes smtpd_recipient_restrictions, which _record sets back
    "spf-fail": _asks_dns(
        "spf", f"smtpd_recipient_restrictions = reject_unauth_destination, {_SPF_POLICY}"
    ),
}
# the probes that name their client with XCLIENT (dns.py's XCLIENT_ADDR): Haraka's DNS checks
# exempt loopback clients, and OpenDMARC's own SPF check passes them
XCLIENT_SCENARIOS = {
    ("haraka", "rbl-listed"),
    ("haraka", "client-unknown"),
    ("haraka", "spf-fail"),
    ("haraka", "sender-domain-unknown"),
    ("postfix", "dmarc-rejected"),
}
# set AC: more of them; the same fields as AB_SCENARIOS. A message with a From field, which
# OpenDMARC judges (RFC 7489 3.1: the From domain is the one aligned)
_FROM_BODY = "From: Press Office <press@mta.press.test>\r\n" + BODY
AC_SCENARIOS: dict[str, tuple[str, Scenario]] = {
    "rhsbl-helo": _asks_dns(
        "spf", "smtpd_helo_required = yes", "smtpd_helo_restrictions = reject_rhsbl_helo dbl.test"
    ),
    "dmarc-rejected": _asks_dns(
        "spf",
        "smtpd_milters = inet:127.0.0.1:8893",
        "smtpd_authorized_xclient_hosts = 127.0.0.1",
        body=_FROM_BODY,
    ),
    # last: postscreen takes the SMTP port over (master.cf, _POSTSCREEN)
    "postscreen-listed": _asks_dns(
        "spf",
        "postscreen_dnsbl_sites = bl.test",
        "postscreen_dnsbl_action = enforce",
        "postscreen_access_list =",  # its default, permit_mynetworks, waves loopback through
        "postscreen_greet_action = ignore",
    ),
}
# set AF: a client that does not encrypt (RFC 3207 4: "530 Must issue a STARTTLS command first");
# the certificate is made for the run (certificate)
TLS_DIR = Path("/tmp/af-tls")
AF_SCENARIOS: dict[str, Scenario] = {
    "tls-required": _of_accept(
        "smtpd_tls_security_level = encrypt",
        f"smtpd_tls_cert_file = {TLS_DIR / 'cert.pem'}",
        f"smtpd_tls_key_file = {TLS_DIR / 'key.pem'}",
    ),
}
# set AG: more stock refusals. Pipelining where it may not (RFC 2920 3.1: only after EHLO offers
# it; the probe pipelines HELO to DATA, _pipelined), a malformed HELO name, the unknown-user
# refusal with the footer of Postfix's own documentation example, and sqlgrey's greylisting
_FOOTER = (
    "smtpd_reject_footer = For assistance, call 800-555-0101. Please provide the following "
    "information in your problem report: time ($localtime), client ($client_address) and "
    "server ($server_name)."
)
AG_SCENARIOS: dict[str, Scenario] = {
    "pipelining": _of_accept("smtpd_data_restrictions = reject_unauth_pipelining"),
    "helo-invalid": (
        ["smtpd_helo_required = yes", "smtpd_helo_restrictions = reject_invalid_helo_hostname"],
        "",
        "desk@accept.test",
        "mta..press.test",
        BODY,
    ),
    "unknown-user-footer": ([_FOOTER], "", "gone@reject.test", "mta.press.test", BODY),
    # address verification (Postfix's ADDRESS_VERIFICATION_README): the probe goes to the
    # replayer, which refuses it as the unknown user Postfix refused for set Q; stock reply code
    "unverified-recipient": (
        [
            "smtpd_recipient_restrictions = reject_unverified_recipient",
            "relay_domains = verify.test",
            "transport_maps = inline:{{verify.test=smtp:[127.0.0.1]:2626}}",
        ],
        "",
        "q-unknown-user-1@verify.test",
        "mta.press.test",
        BODY,
    ),
    "greylisted": _of_accept(
        "smtpd_recipient_restrictions = reject_unauth_destination, "
        "check_policy_service inet:127.0.0.1:2501"
    ),
}
# set AM: filters behind milters. The EICAR test file (eicar.org's, the anti-virus makers'
# agreed test string) as an attachment, which clamav-milter's clamd finds (a local signature:
# generate.sh), and a message/partial part, which MIMEDefang's stock filter bounces
_EICAR = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
_MIME = (
    "From: Press Office <press@mta.press.test>\r\nSubject: Release\r\nMIME-Version: 1.0\r\n"
    'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n'
    "\r\nEmbargoed until 10:00 UTC.\r\n--b\r\n{part}\r\n--b--\r\n"
)
_VIRUS = _MIME.format(
    part='Content-Type: application/octet-stream; name="release.com"\r\n'
    'Content-Disposition: attachment; filename="release.com"\r\n\r\n' + _EICAR
)
_PARTIAL = _MIME.format(
    part='Content-Type: message/partial; id="release@mta.press.test"; number=1; total=2\r\n'
    "\r\nFrom: Press Office <press@mta.press.test>\r\nSubject: Release, part 1\r\n\r\nPart one."
)
AM_SCENARIOS: dict[tuple[str, str], Scenario] = {
    ("clamav", "virus-rejected"): _of_accept(
        _NO_POLICY, "smtpd_milters = inet:127.0.0.1:7357", body=_VIRUS
    ),
    ("mimedefang", "type-rejected"): _of_accept(
        _NO_POLICY, "smtpd_milters = inet:127.0.0.1:7358", body=_PARTIAL
    ),
}
# postscreen in front of smtpd on the instance's port (postscreen(8)); dnsblog asks the lists
_POSTSCREEN = [
    "127.0.0.1:{port} inet n - n - 1 postscreen",
    "smtpd     pass  - - n - - smtpd",
    "dnsblog   unix  - - n - 0 dnsblog",
    "tlsproxy  unix  - - n - 0 tlsproxy",
]
# set AQ: Postfix's policy services, each asked by check_policy_service: policyd-weight on 12525,
# gross on 5525 (greylisting) and 5526 (its block threshold set), Dovecot's quota-status on 12340
# (desk@accept.test over its quota there) and postfix-policyd-spf-perl spawned per connection
# (_SPF_PERL_SERVICE); the same fields as AB_SCENARIOS, and each scenario's receiver
_XCLIENT = "smtpd_authorized_xclient_hosts = 127.0.0.1"


def _policy(mode: str, service: str) -> tuple[str, Scenario]:
    """A set AQ scenario: dns.py's mode, and a recipient restriction asking the service."""
    restriction = f"reject_unauth_destination, check_policy_service {service}"
    return _asks_dns(mode, f"smtpd_recipient_restrictions = {restriction}", _XCLIENT)


AQ_SCENARIOS: dict[str, tuple[str, Scenario]] = {
    "forged-rejected": _policy("spf", "inet:127.0.0.1:12525"),
    "greylisted": _policy("spf", "inet:127.0.0.1:5525"),
    "rbl-listed": _policy("spf", "inet:127.0.0.1:5526"),
    "mailbox-full": _policy("spf", "inet:127.0.0.1:12340"),
    "spf-fail": _policy("spf", "unix:private/policyd-spf-perl"),
}
AQ_RECEIVERS = {
    "forged-rejected": "policydweight",
    "greylisted": "gross",
    "rbl-listed": "gross",
    "mailbox-full": "quotastatus",
    "spf-fail": "spfperl",
}
# policyd-weight, gross and the SPF checker exempt loopback clients: XCLIENT names another
XCLIENT_SCENARIOS |= {
    ("policydweight", "forged-rejected"),
    ("gross", "greylisted"),
    ("gross", "rbl-listed"),
    ("spfperl", "spf-fail"),
}
_SPF_PERL_SERVICE = (
    "policyd-spf-perl unix - n n - 0 spawn user=nobody argv=/usr/sbin/postfix-policyd-spf-perl"
)
DNS_MODES = {"ab": AB_SCENARIOS, "ac": AC_SCENARIOS, "aq": AQ_SCENARIOS}


def _receiver(mode: str, name: str) -> str:
    """Who refused a scenario that asks DNS: Postfix itself, or set AQ's policy service."""
    return AQ_RECEIVERS[name] if mode == "aq" else "postfix"


# record.py u|w|ab|ac|af|ag|am|aq: (receiver, scenario) -> (SCENARIOS' fields, sender, probes), as JSON lines
LINE_SETS = {
    "u": {key: (scenario, SENDER, 1) for key, scenario in U_SCENARIOS.items()},
    "w": {("postfix", name): entry for name, entry in W_SCENARIOS.items()},
    **{
        key: {(_receiver(key, n), n): (scenario, SENDER, 1) for n, (_, scenario) in table.items()}
        for key, table in DNS_MODES.items()
    },
    "af": {("postfix", name): (scenario, SENDER, 1) for name, scenario in AF_SCENARIOS.items()},
    "am": {key: (scenario, SENDER, 1) for key, scenario in AM_SCENARIOS.items()},
    "ag": {
        ("sqlgrey" if name == "greylisted" else "postfix", name): (scenario, SENDER, 1)
        for name, scenario in AG_SCENARIOS.items()
    },
}
# Debian's SPF policy server, spawned per connection; its stock settings but for the loopback
# exemption (skip_addresses), which would wave this machine's own client through (set AB)
_SPF_SERVICE = "policyd-spf unix - n n - 0 spawn user=nobody argv=/usr/bin/policyd-spf {conf}"
_SPF_CONF = "debugLevel = 1\nTestOnly = 1\nHELO_reject = Fail\nMail_From_reject = Fail\n" + (
    "PermError_reject = False\nTempError_Defer = False\nskip_addresses = 192.0.2.0/24\n"
)
# the rate limits' counter (set W), not in the tests' master.cf; idle unless a limit is set; and
# (set AG) the address verifier with the SMTP client its probes go out by, to loopback only
_ANVIL = "anvil     unix  - - n -   1 anvil"
_VERIFY = [
    "verify    unix  - - n -   1 verify",
    "smtp      unix  - - n -   - smtp",
    "scache    unix  - - n -   1 scache",
]
_RESET = [
    "smtpd_client_restrictions =",
    "smtpd_sender_restrictions =",
    "smtpd_helo_required = no",
    "smtpd_helo_restrictions =",
    "body_checks =",
    "message_size_limit = 10240000",
    "smtpd_milters =",
    "smtpd_authorized_xclient_hosts =",
    "header_checks =",
    "smtpd_client_message_rate_limit = 0",
    "smtpd_recipient_limit = 1000",
    "smtpd_relay_restrictions = reject_unauth_destination",
    "smtpd_data_restrictions =",
    "smtpd_reject_footer =",
    "relay_domains =",
    "transport_maps =",
]


def _probe(
    port: int,
    rcpt: str,
    helo: str,
    body: str,
    sender: str = SENDER,
    xclient: str | None = None,
    source: str | None = None,
) -> dict[str, object]:
    """Speak SMTP as an MTA would; the first refusal's stage, code and lines. RCPT is given
    for each of the comma-separated recipients. With `xclient` (set AB), a proxy's XCLIENT
    command first names that client address; a refusal of it is the receiver refusing the
    connection itself (stage CONNECT). With `source`, the client connects from that loopback
    address (set AG)."""
    bind = (source, 0) if source else None
    try:
        smtp = smtplib.SMTP("127.0.0.1", port, local_hostname=helo, timeout=30, source_address=bind)
    except smtplib.SMTPConnectError as refused:  # set AP: qpsmtpd's dnsbl refuses the greeting
        lines = refused.smtp_error.decode().split("\n")
        return {"stage": "CONNECT", "code": refused.smtp_code, "lines": lines}
    with smtp:
        if xclient:
            smtp.ehlo(helo)
            if not smtp.has_extn("xclient"):
                raise SystemExit(f"port {port} does not offer XCLIENT: allow it from 127.0.0.1")
        named = [
            ("CONNECT", lambda: smtp.docmd("XCLIENT", f"ADDR={xclient} PROTO=ESMTP")),
            ("EHLO", lambda: smtp.ehlo(helo)),
        ]
        steps = [
            ("EHLO", lambda: smtp.ehlo(helo)),
            *(named if xclient else []),
            ("MAIL", lambda: smtp.mail(sender)),
            *(("RCPT", lambda a=a: smtp.rcpt(a)) for a in rcpt.split(",")),
            ("DATA", lambda: smtp.data(body.encode())),
        ]
        for stage, step in steps:
            code, text = step()
            if stage == "CONNECT" and (500 <= code <= 504 or b"authoriz" in text.lower()):
                # the command itself refused (RFC 5321 4.2.4), not the client it names
                raise SystemExit(f"XCLIENT refused: {code} {text.decode()}")
            if code >= 400:
                return {"stage": stage, "code": code, "lines": text.decode().split("\n")}
    return {"stage": None, "code": 250, "lines": []}


def _reply(lines: Iterator[bytes]) -> tuple[int, list[str]]:
    """One SMTP reply, read line by line (RFC 5321 4.2.1: "code-" continues, "code " ends)."""
    texts = []
    for raw in lines:
        line = raw.decode().rstrip("\r\n")
        if not line[:3].isdigit():
            raise SystemExit(f"not an SMTP reply line: {line!r}")
        texts.append(line[4:])
        if line[3:4] != "-":
            return int(line[:3]), texts
    raise SystemExit("the server closed the connection mid-reply")


def _pipelined(port: int, rcpt: str, helo: str) -> dict[str, object]:
    """HELO, MAIL, RCPT and DATA in one write, before any reply (set AG): the first refusal."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        lines = iter(sock.makefile("rb"))
        _reply(lines)  # the greeting
        commands = [f"HELO {helo}", f"MAIL FROM:<{SENDER}>", f"RCPT TO:<{rcpt}>", "DATA"]
        sock.sendall("".join(c + "\r\n" for c in commands).encode())
        for stage in ("HELO", "MAIL", "RCPT", "DATA"):
            code, texts = _reply(lines)
            if code >= 400 and stage == "HELO":  # replay.py gives no refusal at HELO
                raise SystemExit(f"refused at HELO, which replay.py cannot give: {code} {texts}")
            if code >= 400:
                return {"stage": stage, "code": code, "lines": texts}
    return {"stage": None, "code": 250, "lines": []}


def _record(
    postfix: PrivatePostfix,
    name: str,
    scenario: tuple[list[str], str, str, str, str],
    sender: str = SENDER,
    repeat: int = 1,
    xclient: str | None = None,
    reset: tuple[str, ...] = (),
) -> dict[str, object]:
    """Set Postfix up for one scenario, reload it and probe it (the last of `repeat` probes:
    a rate limit refuses the second message)."""
    settings, table, rcpt, helo, body = scenario
    map_file = postfix.config_dir / f"{name}.map"
    map_file.write_text(table)
    postfix.postconf("-e", *_RESET, *reset, *(s.format(map=map_file) for s in settings))
    subprocess.run(
        ["postfix", "-c", str(postfix.config_dir), "reload"], check=True, capture_output=True
    )
    time.sleep(2)
    if name.endswith("-pipelining"):
        return _pipelined(postfix.port, rcpt, helo)
    if name.endswith("-unverified-recipient"):  # the first probe starts the verification
        _probe(postfix.port, rcpt, helo, body, sender, xclient)
        time.sleep(10)
    replies = [_probe(postfix.port, rcpt, helo, body, sender, xclient) for _ in range(repeat)]
    return replies[-1]


def certificate() -> None:
    """A self-signed certificate and key for mx.accept.test and mx.news.test, for a day (set AF)."""
    TLS_DIR.mkdir(exist_ok=True)
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=mx.news.test"),
            *("-addext", "subjectAltName=DNS:mx.news.test,DNS:mx.accept.test"),
            *("-keyout", str(TLS_DIR / "key.pem"), "-out", str(TLS_DIR / "cert.pem")),
        ],
        check=True,
        capture_output=True,
    )
    (TLS_DIR / "key.pem").chmod(0o600)


def _check_dns() -> None:
    """Stop unless the resolver is dns.py's: a blocklist probe would ask the real DNS."""
    try:
        listed = socket.gethostbyname("1.0.0.127.bl.test")
    except OSError:
        listed = None
    if listed != "127.0.0.2":
        raise SystemExit(
            "1.0.0.127.bl.test is not listed: start dns.py and point resolv.conf at it"
        )


def _postscreen(master: Path, port: int) -> None:
    """Put postscreen in front of smtpd on the instance's SMTP port (set AC)."""
    lines = master.read_text().splitlines()
    kept = [line for line in lines if not line.startswith(f"127.0.0.1:{port} ")]
    master.write_text("\n".join([*kept, *(s.format(port=port) for s in _POSTSCREEN)]) + "\n")


def main() -> None:
    """Record every scenario's refusal and print them as JSON (sets U and W: as JSON lines)."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        PrivatePostfix(
            Path(tmp), users={"accept.test": ["desk"], "reject.test": ["desk"]}
        ) as postfix,
    ):
        if len(sys.argv) >= 2 and sys.argv[1] in LINE_SETS:
            wanted = set(sys.argv[2:])  # record.py ag NAME...: only those (set AG's second step)
            master = postfix.config_dir / "master.cf"
            spf_conf = postfix.config_dir / "policyd-spf.conf"
            spf_conf.write_text(_SPF_CONF)
            spf = _SPF_SERVICE.format(conf=spf_conf)
            # set AG's address verification, set AQ's second SPF policy server
            services = {"ag": _VERIFY, "aq": [_SPF_PERL_SERVICE]}.get(sys.argv[1], [])
            master.write_text("\n".join([master.read_text() + _ANVIL, spf, *services]) + "\n")
            if sys.argv[1] in DNS_MODES:
                _check_dns()
            if sys.argv[1] == "af":
                certificate()
            # the instance's own restrictions (its recipient_access map), set back after each
            own = postfix.postconf("-h", "smtpd_recipient_restrictions").strip()
            reset = (f"smtpd_recipient_restrictions = {own}",)
            for (receiver, name), (scenario, sender, repeat) in LINE_SETS[sys.argv[1]].items():
                if wanted and name not in wanted:
                    continue
                if sys.argv[1] in DNS_MODES:  # the DNS answers this scenario needs
                    MODE_FILE.write_text(DNS_MODES[sys.argv[1]][name][0] + "\n")
                if name == "postscreen-listed":
                    _postscreen(master, postfix.port)
                xclient = XCLIENT_ADDR if (receiver, name) in XCLIENT_SCENARIOS else None
                reply = _record(
                    postfix, f"{receiver}-{name}", scenario, sender, repeat, xclient, reset
                )
                print(json.dumps({"receiver": receiver, "scenario": name, **reply}))
            return
        replies = {name: _record(postfix, name, s) for name, s in SCENARIOS.items()}
        version = postfix.postconf("-h", "mail_version").strip()
    print(json.dumps({"postfix": version, "replies": replies}, indent=1))


if __name__ == "__main__":
    main()
