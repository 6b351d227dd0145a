"""What a delivery failure says about the address: hard, soft or block, from its code and text."""

from __future__ import annotations

import re

from mailer.bounces.alternation import trie_pattern
from mailer.models import BounceKind

__all__ = [
    "classify",
    "domain_gone",
    "explains",
    "find_smtp_code",
    "find_status",
    "infer_status",
    "reason_at",
]

HARD, SOFT, BLOCK = BounceKind.HARD, BounceKind.SOFT, BounceKind.BLOCK

# An RFC 3463 enhanced status code, not part of an IP address or a version number.
_ENHANCED = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?!\.?\d)")
_SMTP_CODE = re.compile(r"(?<![\w.#/:-])([245][0-5]\d)(?![\w.:/])")

# RFC 3463 subject.detail -> kind, for the codes whose meaning is settled (RFC 3463, 7505, 7372).
_BY_CODE: dict[str, BounceKind] = {
    "1.1": HARD,  # bad destination mailbox address
    "1.2": HARD,  # bad destination system address
    "1.3": HARD,  # bad destination mailbox address syntax
    "1.4": HARD,  # destination mailbox address ambiguous
    "1.6": HARD,  # destination mailbox has moved, no forwarding address
    "1.7": BLOCK,  # bad sender's mailbox address syntax: our side
    "1.8": BLOCK,  # bad sender's system address: our side
    "1.10": HARD,  # recipient address has null MX (RFC 7505)
    "7.13": HARD,  # user account disabled (RFC 7372)
    "2.1": HARD,  # mailbox disabled, not accepting messages
    "2.2": SOFT,  # mailbox full
    "2.3": SOFT,  # message length exceeds administrative limit
    "2.4": SOFT,  # mailing list expansion problem
    "3.1": SOFT,  # mail system full
    "3.4": SOFT,  # message too big for system
    "4.1": SOFT,  # no answer from host
    "4.2": SOFT,  # bad connection
    "4.3": SOFT,  # directory server failure (DNS)
    "4.4": HARD,  # unable to route: the domain does not exist
    "4.6": SOFT,  # routing loop detected
    "4.7": SOFT,  # delivery time expired
}
# Specific codes some large providers send for other reasons: their text decides. Office 365 answers
# "5.4.1 Recipient address rejected: Access denied" for an address that does not exist.
_MISUSED = frozenset({"4.1"})
# The subject alone, for x.N.0 and details not in the table above.
_BY_SUBJECT: dict[str, BounceKind] = {
    "1": HARD,  # address status
    "2": HARD,  # mailbox status
    "3": SOFT,  # mail system status
    "4": SOFT,  # network and routing
    "5": SOFT,  # protocol
    "6": BLOCK,  # message content or media refused
    "7": BLOCK,  # security or policy: spam, reputation, authentication, rate limits
}


# "can't connect", "cannot connect", "couldn't connect", "could not connect": no host answered.
_CANNOT_CONNECT = r"(?:could(?:n'?t| not)|can(?:no|')?t|can not) connect"


def _rx(*patterns: str) -> re.Pattern[str]:
    # Matched against lowercased text: faster than re.IGNORECASE on these long alternations; as a
    # trie, so that re tries only the alternatives that start with the character at hand.
    return re.compile(trie_pattern(*patterns))


# Text patterns, in the order they are tried; the first that matches decides. "Strong" ones beat a
# specific status code (MTAs send 5.0.0, 5.3.0 or 5.4.1 for an unknown user); "weak" ones only
# decide when the code is missing or generic.
_SENDER_LIMITS = _rx(
    r"rate.?limit",
    r"too many (?:messages|mails|e-?mails)(?! (?:on|in|stored))",
    r"too many (?:connections|recipients|sessions)",
    # GoDaddy's IB112, SpamExperts' "556 Too many invalid recipient requests" (set BF): our
    # list's dead addresses in one session, a limit on us, not word on this address
    r"too many (?:invalid|bad|unknown|non-?existent) (?:recipient|rcpt)",
    r"peak smtp",  # Google Workspace: "4.2.1 Peak SMTP relay limit exceeded for customer"
    r"too much mail from",  # Postfix's anvil: a client over its message rate limit (set W)
    r"more recipients than allowed",  # Exim: a limit on the recipients of one message
    r"sending (?:quota|limit)",
    r"sender (?:quota|rate)",
    r"throttl",
    r"unusual rate",
    r"temporarily deferred",
    r"daily (?:sending )?(?:quota|limit) (?:exceeded|reached)",
    r"zu viele (?:nachrichten|verbindungen)",
    r"trop de (?:messages|connexions)",
    r"слишком много (?:писем|сообщений|соединений)",
    r"发送频率",
    r"送信数",
)
_MAILBOX_FULL = _rx(
    r"mail ?box (?:<[^>\s]{1,100}> )?(?:is )?full",
    # EFBIG after a local delivery's "error writing message": the recipient's mailbox file at its
    # size limit, not an attachment "too large to scan" (a review)
    r": file too large\b(?! to\b| for\b)",
    r"box full",
    r"full mail ?box",
    r"over ?quota",
    r"quota",
    r"mail ?folder is full",
    r"insufficient (?:storage|disk|space)",
    r"out of (?:storage|space)",
    r"storage (?:limit|space|full|exceeded)",
    r"not enough (?:disk |storage )?space",
    r"(?:does not|doesn't) have enough (?:disk |storage )?space",
    r"mail ?box space not enough",
    r"mail ?box size limit",
    r"mail ?box (?:exceeds|exceeded|has exceeded|is over|would exceed)",
    r"storage allocation",  # RFC 5321 4.2.3's text for 552
    r"space has been used up",
    r"too many (?:messages|mails|e-?mails) (?:on|in|stored)",
    r"zu ?viele (?:mails|nachrichten|e-mails) (?:auf|im)",
    r"exceeds? (?:his|her|their) storage",
    r"bo[iî]te (?:aux lettres |mail |de r[ée]ception )?(?:du destinataire )?(?:est )?pleine",
    r"espace (?:disque )?insuffisant",
    # Exchange's "Das Postfach des Empfängers ist voll", "La boîte aux lettres du destinataire est
    # pleine" (set BA)
    r"postfach (?:des empf[äa]ngers )?(?:ist )?(?:voll|[üu]berf[üu]llt)",
    r"speicher(?:platz)? (?:ist )?(?:voll|ersch[öo]pft)",
    r"kontingent",
    r"buz[óo]n (?:de correo |del destinatario )?(?:est[áa] )?lleno",  # Exchange's (set AZ)
    r"cuota",
    r"espacio insuficiente",
    r"caixa (?:postal |de correio )?(?:est[áa] )?(?:cheia|lotada)",
    r"cota (?:excedida|de disco)",
    r"casella (?:di posta )?(?:è )?piena",
    r"spazio (?:insufficiente|esaurito)",
    r"skrzynka (?:odbiorcza )?(?:jest )?(?:pe[łl]na|przepe[łl]niona)",
    r"mailbox (?:is )?vol\b",
    r"ящик (?:получателя )?переполнен",
    r"переполнен",
    r"превыш\w* (?:квот|лимит|размер ящика|объ[её]м)",
    r"недостаточно места",
    r"квот",
    r"скриньк\w* переповнен",
    r"перевищено квоту",
    r"邮箱已满",
    r"邮箱空间不足",
    r"空间不足",
    r"容量不足",
    r"信箱已满",
    r"信箱容量",
    r"容量オーバー",
    r"容量を超",
    r"容量超過",
    r"メールボックスがいっぱい",
    r"사서함이 가득",
    r"schr[áa]nk[ay] (?:je )?(?:pln[áa]|zapln[ěe]n[áa])",
    r"postafi[óo]k (?:megtelt|tele)",
    r"(?:brevl[åa]dan|postkassen|postkassa|postilaatikko) (?:er |[äa]r |on )?"
    r"(?:full|fuld|t[äa]ynn[äa])",
    r"posta kutusu (?:dolu|doldu)",
    r"c[ăa]su[țt]a (?:po[șs]tal[ăa] )?(?:este )?plin[ăa]",
    r"h[ộo]p th[ưu] (?:đ[ãa] )?đ[ầa]y",
    r"kotak (?:surat|masuk) penuh",
    r"γεμάτ",
)
_GREYLIST = _rx(r"gr[ae]y-?list", r"gr[ae]y list", r"try again in \d+ (?:seconds|minutes)")
_TOO_LARGE = _rx(
    r"message (?:is )?too (?:large|big|long)",
    r"(?:message|mail) size (?:exceed|limit|too)",
    r"max(?:imum)? message size",
    r"exceeded (?:the )?(?:max(?:imum)? )?message size",
    r"message file too big",
    r"taille limite du message",
    r"exceed\w* (?:the )?(?:maximum|max\.?|allowed|fixed) (?:\w+ )?(?:message )?size",
    r"size (?:exceeds|limit exceeded)",
    r"(?<!box )size limit",
    r"message length (?:\([^)\n]{0,40}\) )?exceeds",  # Courier: "Message length (N bytes) exceeds"
    # a line over RFC 5322 2.1.1's 998 characters: about the message, not the address
    r"line (?:length )?limit exceeded",
    r"line too long",
    r"too big for",
    r"nachricht (?:ist )?zu gro(?:ß|ss)",
    r"message trop (?:gros|volumineux)",
    r"mensaje (?:es )?demasiado grande",
    r"messaggio troppo grande",
    r"mensagem muito grande",
    r"слишком (?:большое|большой|велик)",
    r"размер (?:письма|сообщения) превыш",
    r"邮件过大",
)
# A DNS lookup that failed for now ("Host not found, try again": TRY_AGAIN) or a mail system that
# gave up after retrying: temporary causes even when the message finally came back.
_TRANSIENT = _rx(
    # Postfix's own faults behind its refusal words ("Client host rejected: Temporary lookup
    # failure", "... Server configuration error"): the recipient's server, not us
    r"temporary lookup failure",
    r"server configuration (?:error|problem)",
    r"host not found, try again",
    r"temporary failure in name resolution",
    r"servfail",
    r"(?:failed|after) \d+ (?:delivery )?attempts",
    r"maximum (?:number of )?(?:delivery )?attempts",
    r"(?:server|host|service|system) (?:is )?(?:temporarily )?(?:unavailable or busy|busy|down)",
    r"malformed (?:or unexpected )?name server reply",  # a DNS fault, not a missing domain
    r"hosts? (?:have|has) been failing",  # Exim gave up on unreachable hosts
    r"have been failing for a long time",
    r"could not be delivered for more than",
    r"retry time not reached for any host",
    r"could(?: not|n't) deliver for (?:the last )?\d+ (?:seconds|minutes|hours|days)",  # dma
    # the recipient's host refused its own files (errno 13: Postfix local, Dovecot LDA): soft, not
    # the weak "denied" of a policy (a review of set AA's fix)
    r"(?:cannot|can't|can not|unable to|could not|failed to) (?:open|create|append|access|write|"
    r"update|lock)\b[^;]{0,80}: permission denied",
    r"\bopen\([^)]{1,200}\) failed: permission denied",
    # Exim's pipe to a program that exited with a sysexits.h code, other than EX_NOUSER's 67:
    # "(could mean service or program unavailable)", "(could mean unable to exec or command does
    # not exist)" are about the program on the recipient's host, not the address
    r"transport returned \d+ \(could mean (?!user nonexistent)",
    # Gmail: the recipient's mailbox takes mail slower than it arrives (ReceivingRate)
    r"receiving mail at a rate",
    r"temp_failure",  # Gmail's own marker for a failure it calls temporary
    r"could not initiate (?:the )?smtp conversation",
    r"connection (?:was )?(?:dropped|reset|closed) by (?:the )?remote",
    r"(?:did not|didn't) accept our requests to connect",  # Gmail: no connection, not the address
    r"delivery temporarily suspended",  # Postfix gave up on a host it could not reach
    r"superamento de[il] tempi? massim",  # PEC: not delivered within the time allowed
    r"connect to [^\n:]{1,200}: connection (?:refused|timed out)",
)
# Office 365's directory-based edge blocking answers "550 5.4.1 Recipient address rejected:
# Access denied" for an address that does not exist.
_O365_UNKNOWN = _rx(
    r"recipient address rejected: access denied", r"recipientnotfound", r"recipnotfound"
)
_BLOCKED = _rx(
    # Postfix's refusals of the sending host, whatever the reply code: a check of our client
    # (its name, its address, its reverse DNS, RFC 7372 X.7.25) or of its HELO name
    r"client host rejected",
    r"cannot find your (?:reverse )?hostname",
    r"helo command rejected",
    r"need fully-qualified hostname",
    # other servers' refusals of our HELO name ("550 Please use your real hostname when saying
    # HELO", set AY)
    r"when saying (?:helo|ehlo)\b",
    r"(?:invalid|bad|bogus|illegal|forged) (?:helo|ehlo)\b",
    r"\b(?:helo|ehlo) (?:name |host ?name )?(?:rejected|refused|invalid|not (?:valid|allowed))",
    # a server that answers and refuses us in words of a refused connection (Sendmail's
    # "554 Connection refused", qmail's "550 Connection refused from <ip>"): not a network fault
    r"\b5\d\d[ -](?:#?5\.\d{1,3}\.\d{1,3} )?connection refused",
    r"spam",
    r"junk",
    r"unsolicited",
    r"bulk (?:mail|e-?mail)",
    r"blacklist",
    r"black list",
    r"blocklist",
    r"block list",
    r"denylist",
    r"spamhaus",
    r"spamcop",
    r"sorbs",
    r"barracuda",
    r"\brbl\b",
    r"dnsbl",
    r"blocked using",
    r"(?<!not )listed (?:at|on|in|by) ",
    r"reputation",
    r"dmarc",
    r"\bspf\b",
    r"openspf\.(?:org|net)/why",  # the SPF project's page an SPF refusal points to (set AY)
    # refused for the way we sent, not for the recipient (set AZ): past the domain's MX (a host
    # that only takes mail from its filter), or from an address we may not send as (Exchange)
    r"please deliver mail to the address specified in the mx records?",
    # our envelope sender's domain, not the recipient's ("450 No valid MX for your FROM address",
    # set BA)
    r"for your (?:from|sender|mail from|envelope) (?:address|domain)\b(?! ?book)",
    r"(?:can'?t|cannot|can not|not allowed to) send (?:a message |messages )?on behalf of\b",
    # Exchange's German for it: "Sie besitzen nicht die Berechtigung, die Nachricht im Auftrag des
    # angegebenen Benutzers zu senden" (set BF)
    r"nicht die berechtigung, die nachricht im auftrag",
    r"delivery to this address is restricted",  # Exchange: who may send to it (set BC)
    # 1&1's check of our sender's domain: "550 Requested action not taken: mailbox unavailable
    # invalid DNS MX or A/AAAA resource record" (set BD)
    r"invalid dns mx or a/aaaa resource record",
    r"dkim",
    r"authentication (?:failed|required|failure)",
    # "551 This mail server requires authentication before sending mail from a locally hosted
    # domain" (set AV): our sender's domain is theirs, and we did not log in; only so, for these
    # words beside an unknown user must not outweigh it (a review)
    r"requires? (?:smtp )?authentication (?:before sending|to send)",
    r"unauthenticated",
    r"not authenticated",
    r"sender (?:ip |e-?mail )?(?:address |domain )?(?:rejected|denied|blocked)",
    r"sender verif",
    r"not an? (?:valid|known|registered|authori[sz]ed|permitted) sender",
    # the sender named before the words a recipient's refusal uses
    r"(?:sender|absender)(?: address| domain| ip)? (?:is |was )?(?:not|nicht)\b",
    r"sender e-?mail (?:is|was) not\b",
    r"invalid ip for sending",
    # Amazon SES: our From identity is not verified with it
    r"(?:e-?mail )?address is not verified\. the following identities failed",
    r"your (?:ip|host|server|sender|domain)\b[^.;]{0,40}\bnot (?:an? )?"
    r"(?:valid|registered|found|known)",
    r"virus(?:es)? (?:found|detected)",
    r"contains? a virus",
    r"infected",
    r"(?:rilevato|contiene|presenza di) (?:un )?virus",
    r"malware",
    r"phishing",
    r"content (?:reject(?:ed)?|filter|policy)",
    r"(?:refused|reject(?:ed)?|blocked) (?:for|due to|because of) (?:policy|content|security)",
    r"unable to relay",
    r"(?:mailing|relaying|sending) to remote domains? (?:is )?not (?:supported|allowed|permitted)",
    r"relay(?:ing)? (?:access )?(?:denied|not permitted|prohibited|disallowed)",  # Zoho's (set AV)
    r"protocol violation",
    r"not accept(?:ing)? (?:e-?mail|mail|messages) from",
    r"not accept(?:ing)? (?:e-?mail|mail|messages) with (?:attachments|embedded)",
    r"unwanted (?:messages|mail|e-?mails)",
    r"messages without (?:a )?[\w-]+:? (?:fields?|headers?) are not accepted",
    r"white-?list",
    # TLS demanded by one side and not offered by the other: a setting of ours or theirs, not the
    # address, and retrying changes nothing until the setting does
    r"tls (?:session )?is required",
    r"(?:did not|didn't|does not) offer (?:start)?tls",
    r"must issue a starttls",
    # and authentication demanded of our client (OpenSMTPD's "Must issue an AUTH command first",
    # set AF; RFC 4954's 530): ours to fix, not the address's
    r"must (?:issue|use|send) (?:an? )?auth(?:entication)? command",
    # Google Groups: "may not exist, or you may not have permission to post": either way the group
    # refused our post, and a group that lets only members post is the usual case
    r"(?:do|may) not have permission to post",
    r"does not accept (?:e-?mail|mail) from",
    r"спам",
    r"pourriel",
    r"垃圾邮件",
    r"迷惑メール",
    r"스팸",
)
# More words about the sender, its host or its message (many from Sisimai's reason lists): strong
# enough to decide without a specific code, but not to overrule an address code as _SENDER_SIDE
# does, since each may sit beside an address refusal ("Invalid sender or recipient", "TLS required
# for relaying only", a review of cc694ee).
_SENDER_TEXT = _rx(
    # limits on our connections or our pace
    r"too many (?:\w+ ){1,2}(?:connections|sessions)",
    r"concurrent (?:server )?connections",
    r"connection limit",
    r"(?:e-?mails|messages|mails) per (?:hour|minute|day|session|connection)",
    r"try again slower",
    r"too many errors from",
    r"excessive (?:volume|mail|messages)",
    r"permanently deferred",  # Yahoo's TSS04 and TSS09: all mail from our IP
    r"connections? (?:will )?not (?:be )?accepted from",
    r"(?:sending|your|sender|client) ip(?: address)?(?: \(?\[?[\d.:a-f]+\]?\)?)? "
    r"(?:is |was |has been )?(?:listed|blocked|blacklisted|banned)"
    r"(?! as an? (?:allowed|permitted|trusted))",
    # providers' own codes, each about the sender (zone-mta's bounce rules list them): Outlook.com's
    # SC-, OU-, DY- and RP- codes, AOL's (RTR:, RLY:, DYN:, CON:B1, HVU:, MFF:), Yahoo's
    # right after the reply code, not in a host name, an address or a URL (a review)
    r"\b[45]\d\d[ -](?:[45]\.\d\.\d{1,3} )?(?:sc|ou|dy|rp)-00\d\b",
    r"\b(?:rtr|rly|dyn|hvu|mff):",
    r"\bcon:b\d",
    r"\bvs1-(?:ip|mf)\b",
    r"\[(?:ts0[1-3]|tss(?:0[4-9]|1[01])|bl2[1-3])\]",  # the ones Yahoo writes, not any ticket
    r"invalid sender\b(?! or recipient)",
    r"[ée]metteur invalide",
    r"valid sender domain",
    r"not owned by user",
    # our host's reverse DNS (RFC 7372's X.7.25 and X.7.27): a check of the sender's host
    r"\bptr (?:record|resource)",
    r"reverse (?:dns|lookup)",
    r"\brdns\b",
    r"forward dns entry",
    r"dynamic ip",
    r"mismatches client ip",
    r"(?:mail|messages?|connections?) from your ip",
    r"open proxy",
    r"listed as abusive",
    r"mass mailer",
    r"bulk.?advertis",
    r"\bbatv\b",  # the sender's signed bounce addresses: refusals of bounces, not of our mail
    r"(?:invalid|bad) credentials",
    r"credentials invalid",
    r"authentification requise",
    r"tls required",
    r"requires? (?:tls|encryption)",
    r"not configured to relay",
    r"\bopen relay",
    r"insecure mail relay",
    # qmail's relay refusal, a block by the reading the README states (relaying refused)
    r"\brcpthosts?\b",
    # the message's form (RFC 5322), its attachments, or a list that takes posts from members only
    r"not rfc ?\d{3,4} compliant",
    r"rfcmessagenoncompliant",
    r"improper(?:ly)?[- ](?:use|formatted)",
    r"unnecessary base64",
    r"duplicate header",
    r"(?:illegal|prohibited|forbidden|unsafe|dangerous|banned) (?:file )?attachment",
    r"potentially executable",
    r"containing (?:images|attachments)",
    r"members-only",
    r"\bclosed (?:mailing )?list",
    # PHPMailer-BMH's samples (set AA): relaying, authentication and the message's form
    r"\bauth failed",
    r"unauthori[sz]ed relay",
    r"not a gateway",
    r"mime/reject",
    r"invalid (?:mime )?structure",
    r"mismatched with (?:the )?(?:message )?header",
    r"does not accept (?:e-?mail|mail|messages) in [\w\s()-]{0,40}"
    r"(?:character sets?|languages?|scripts?)",
    r"not subscribed to (?:this|the) (?:group|list)",
    r"organi[sz]ational settings",
    r"captcha",
)
# Our own domain refused as missing (RFC 3463 X.1.8, bad sender's system address), even when the
# reply names the recipient too: Sendmail's 553 "Domain of sender address x does not exist".
_SENDER_GONE = _rx(
    r"domain of sender address",
    r"sender domain [\w-]+(?:\.[\w-]+)+ (?:does not exist|not found)",  # a domain named
    r"sender (?:address )?domain (?:does not exist|not found|is unknown|must exist|is empty)",
    r"unroutable sender address",
    r"unknown domain in (?:the )?(?:sender|mail from)",
    # Haraka's mail_from.is_resolvable (set AB): the domain of our MAIL FROM has no mail host
    r"no mx (?:records? )?for (?:your|the) (?:envelope )?(?:from|sender|mail from)"
    r"(?!(?:'s)? recipient)\b",
    r"(?<!by )\b(?:your|the) (?:envelope )?(?:from|sender|mail from)(?:'s)?(?: address)?"
    r"(?: domain)? (?:does not|doesn't|did not) resolve",
)
_USER_UNKNOWN = _rx(
    r"user ?unknown",
    r"user <[^<>\n]{1,100}> (?:is )?unknown",  # "550 User <abuse> unknown" (set AU)
    r"not in my validrcptto list",  # qmail's validrcptto patch: no such recipient (set AU)
    r"could mean user nonexistent",  # Exim: a pipe's program exited with EX_NOUSER (67)
    r"unknown (?:e-?mail )?(?:user|recipient|address|mailbox|local|account)",
    r"no ?such ?(?:user|recipient|mailbox|address|account|person)",  # also Sprynet's err.nosuchuser
    r"(?:user|recipient|address|mailbox|account|addressee)(?: name)? (?:is )?"
    r"(?:not found|not known|unknown|does ?n[o']t exist|not exist|invalid|not recogni[sz]ed)",
    r"does ?n[o']t exist",
    r"doesn't exist",
    r"not exist",
    r"invalid (?:recipient|mailbox|address|user|e-?mail)",
    r"addressee unknown",
    r"addresses? (?:was|were) unknown",
    r"(?:user|recipient) \S{1,80} (?:was )?not found",
    r"resolver\.adr\.recip",  # Exchange: RESOLVER.ADR.RecipNotFound
    r"no one at this address",
    r"no longer accepts (?:e-?mail|mail)",
    r"nessun utente",  # qmail, Italian
    r"archived (?:recipient|mailbox|account)",
    r"destinataire archiv",
    r"user suspended",
    r"receiving (?:is )?disabled",
    r"(?:host|domain) does not accept mail(?!\s*\w)",  # RFC 7504's 521 and 556
    r"no mailbox here",
    r"not an? (?:known|valid|active|registered) (?:e-?mail |gateway |local )?"
    r"(?:user|recipient|mailbox|address|account)",
    r"was(?:n'?t| not) found at",  # Office 365: "jdoe wasn't found at example.org"
    r"(?:disabled|deactivated|inactive|closed|suspended|expired) (?:mailbox|account|address|user)",
    r"no (?:such )?(?:account|user|mailbox) (?:by that name|found)",
    r"not listed in",
    r"invalid final delivery",
    r"doesn'?t have an? [\w.-]+ account",
    r"no longer (?:active|valid|available|in use|exists?)",
    r"(?<!your )(?<!sender )(?<!sending )(?:account|mailbox|address)"
    r"(?: that you tried to reach)? (?:has been |is |was )?"
    r"(?:currently )?(?:disabled|deactivated|discontinued|"
    r"inactive|closed|deleted|removed|terminated|suspended|expired)",
    r"has moved",
    r"recipient account is blocked(?! from)",  # La Poste: the recipient's own account
    r"compte du destinataire est bloqu",
    r"(?:no|not have a) final (?:e-?mail )?delivery point",
    r"not our customer",
    r"bad destination (?:mailbox|system)",
    r"mail[- ]?box (?:not found|unavailable|not available)",
    r"no mail[- ]?box (?:available|found|here)",
    r"address (?:couldn't|could not|can't|cannot) be found",
    # not "the recipient's mail server", "the user's certificate", "the mailbox server"
    r"(?:unable to|couldn't|could not|can't|cannot) find (?:the )?(?:user|recipient|mailbox)\b"
    r"(?!'s|\s+(?:mail\s*)?(?:server|domain|host|database|certificate|key|public|store))",
    r"malformed (?:recipient )?address",
    r"unqualified (?:recipient )?address",  # a local part with no domain (Exim)
    r"non-?existent (?:user|recipient|mailbox|address|account)",
    r"not unique\. several matches",
    r"bad[_ ]recipient",
    r"badrcptto",
    r"(?:did|does) not (?:exactly )?match\s+(?:an?|any)\s+(?:[\w.-]{1,20}\s+)?"
    r"(?:e-?mail\s+)?address",
    r"utilisateur inconnu",
    r"destinataire inconnu",
    r"adresse (?:e-?mail |électronique )?(?:inconnue|invalide|inexistante)",
    r"n'existe pas",
    r"compte (?:désactivé|inexistant|supprimé)",
    r"introuvable",
    r"unbekannt",
    r"existiert nicht",
    r"ung[üu]ltige (?:e-?mail-?)?(?:empf[äa]nger)?adresse",
    r"kein postfach",
    r"nicht im domino-verzeichnis",  # Domino: "Benutzer x nicht im Domino-Verzeichnis aufgeführt"
    r"ディレクトリには見つかりません",  # Domino, Japanese: "not found in the Domino directory"
    r"postfach (?:existiert nicht|nicht vorhanden|deaktiviert)",
    r"usuario (?:desconocido|inexistente|no existe)",
    r"destinatario (?:desconocido|inexistente|no existe)",
    r"no existe",
    r"buz[óo]n (?:no existe|inexistente|desactivado)",
    r"casilla (?:\w+ )?(?:ha expirado|expirada|desactivada|inexistente|no existe)",
    r"direcci[óo]n (?:de correo )?(?:no v[áa]lida|inv[áa]lida|inexistente)",
    r"(?:usu[áa]rio|utilizador) (?:desconhecido|inexistente)",
    r"n[ãa]o existe",
    r"destinat[áa]rio desconhecido",
    r"caixa postal inexistente",
    r"endere[çc]o inv[áa]lido",
    r"conta desativada",
    r"utente (?:sconosciuto|inesistente)",
    r"indirizzo inesistente",
    r"indirizzo non valido",
    r"non esiste",
    r"casella inesistente",
    r"destinatario sconosciuto",
    r"onbekende (?:gebruiker|ontvanger)",
    r"bestaat niet",
    r"nie istnieje",
    r"nieznany (?:u[żz]ytkownik|adresat|odbiorca)",
    r"konto (?:zosta[łl]o )?(?:zablokowane|wy[łl][ąa]czone|usuni[ęe]te)",
    r"пользовател\w* не найден",
    r"не существует",
    r"несуществующ",
    r"нет такого (?:пользователя|адреса|ящика)",
    r"(?:адрес|ящик|получател|адресат)\w* не найден",
    r"неизвестн\w* (?:пользовател|адресат|получател|адрес)",
    r"(?:ящик|аккаунт|учетная запись|учётная запись)\w* (?:\w+ )?"
    r"(?:заблокирован|отключен|удал[её]н)",
    r"користувача не знайдено",
    r"не існує",
    r"невідом\w* (?:користувач|адресат|одержувач)",
    r"скриньк\w* не знайдено",
    r"用户不存在",
    r"收件人不存在",
    r"地址不存在",
    r"帐户不存在",
    r"账户不存在",
    r"帳號不存在",
    r"无此用户",
    r"用户名不存在",
    r"邮箱不存在",
    r"使用者不存在",
    r"收件人地址无效",
    r"查无此人",
    r"存在しない",
    r"存在しません",
    r"宛先不明",
    r"ユーザー?が見つかりません",
    r"該当するユーザ",
    r"존재하지 않는",
    r"사용자를 찾을 수 없",
    r"kullan[ıi]c[ıi] bulunamad[ıi]",
    r"nie ma takiego (?:u[żz]ytkownika|adresu|konta|odbiorcy|adresata)",
    r"neexistuje",
    r"nezn[áa]m[ýy] (?:u[žz]ivatel|adres[áa]t|p[řr][íi]jemce)",
    r"ismeretlen (?:felhaszn[áa]l[óo]|c[íi]mzett)",
    r"nem l[ée]tezik",
    r"finns inte",
    r"find(?:e|)s ikke",
    r"finnes ikke",
    r"ok[äa]nd (?:mottagare|anv[äa]ndare)",
    r"ukendt (?:modtager|bruger)",
    r"ukjent (?:mottaker|bruker)",
    r"tuntematon (?:vastaanottaja|k[äa]ytt[äa]j[äa])",
    r"ei ole olemassa",
    r"utilizator (?:necunoscut|inexistent)",
    r"nu exist[ăa]",
    r"δεν υπάρχει",
    r"άγνωστ\w* (?:χρήστη|παραλήπτη)",
    r"không tồn tại",
    r"pengguna tidak (?:dikenal|ditemukan)",
    r"غير موجود",
)
# A domain that publishes a null MX accepts no mail at all, whatever class the report gives it
# (RFC 7505 section 4.2: clients must not retry; the code is 5.1.10).
_NULL_MX = _rx(r"null mx", r"(?:mx|srv) record indicated no smtp service")  # the latter: Exim
# A domain that cannot take mail at all, whatever class the report gives: a null MX, or an
# authoritative NXDOMAIN answer (the name does not exist).
# "\b": a spam filter's rule name (SpamAssassin's DKIM_ADSP_NXDOMAIN, set AT) is no DNS answer
_DOMAIN_GONE = _rx(_NULL_MX.pattern, r"\bnxdomain")
# Gmail's account of its DNS lookups: "DNS type 'mx' lookup of x responded with code NOERROR",
# "... had no relevant answers". Every lookup answered, none with an MX or an address record: the
# name exists but takes no mail. A SERVFAIL or REFUSED among them is a DNS fault, not that.
_DNS_RCODE = re.compile(r"lookup of [\w.-]+ responded with code (\w+)")
_DNS_EMPTY = re.compile(r"type '?(mx|a|aaaa)'? lookup of [\w.-]+ had no relevant answers")


# Exim's words for a message it stopped retrying: a final failure, whatever the last reply's class.
_GAVE_UP = _rx(r"retry timeout exceeded", r"retry time not reached for any host after a long")


def _no_mail_host(text: str) -> bool:
    empty = set(_DNS_EMPTY.findall(text))
    rcodes = set(_DNS_RCODE.findall(text))
    return "mx" in empty and bool(empty & {"a", "aaaa"}) and rcodes <= {"noerror"}


def _gone(text: str) -> bool:
    """Whether the (lowercased) text says the domain takes no mail at all: a null MX, an
    authoritative NXDOMAIN, or no MX and no address record."""
    return _DOMAIN_GONE.search(text) is not None or _no_mail_host(text)


_HOST_UNKNOWN = _rx(
    r"host (?:is )?unknown",
    r"unknown host",
    r"host not found",
    r"domain (?:name )?not found",
    r"no such domain",
    r"domain (?:does ?n[o']t|not) exist",
    r"domain [\w.-]+ (?:couldn't|could not|can't|cannot) be found",
    r"\bnxdomain",
    r"name service error",
    r"host or domain name not found",
    r"name or service not known",
    r"unrouteable address",  # Exim: no route to the address's domain
    r"(?:couldn't|could not|can't|cannot) find any host",
    r"no mx (?:record|host)",
    r"no valid mx hosts? found",  # 1&1 (set BF); not "No valid MX for your FROM address"
    r"unrouteable mail domain",
    r"unroutable",
    r"domaine (?:inexistant|inconnu)",
    r"domain existiert nicht",
    r"dominio (?:inexistente|no existe|sconosciuto)",
    r"домен\w* не (?:найден|существует)",
    r"域名不存在",
)
_BLOCK_WEAK = _rx(
    # Office 365: "The group desk only accepts messages from people in its organization or on
    # its allowed senders list, and your email address isn't on the list" (set AW)
    r"only accepts messages from people in its organi[sz]ation",
    # IronPort's message filter bounced it: "5.x.0 - Message bounced by administrator" (set AV)
    r"bounced by (?:the )?administrator",
    # a filter kept the message (Barracuda's "550 permanent failure for one or more recipients
    # (addr:quarantined)", set AU): its content, not the address; only in that form, not a
    # mailbox or an account "quarantined" (a review)
    r"@[\w.-]+:quarantined\)",
    # words that may sit beside the recipient's own reason ("Invalid recipient (invalid header)")
    r"local users? only",
    r"invalid (?:mime )?header",
    r"mime error",
    # our IP refused, in words that may come before the recipient's own reason (a review)
    r"(?:mail|messages?|connections?) from (?:ip )?\[?\d{1,3}(?:\.\d{1,3}){3}\]?:? "
    r"(?:was |is |has been )?(?:rejected|refused|blocked|not (?:allowed|accepted))",
    # qmail's (and qpsmtpd's, set AP) list of refused senders, named in their refusal: weak, so
    # that an unknown user said beside it, or an address holding the word, decides (a review)
    r"(?<![\w.@-])badmailfrom(?![\w@-])",
    r"envelope sender (?:address )?(?:is|was) (?:in (?:my|our|the) [\w -]{0,20}list"
    r"|blocked|rejected|refused|denied|blacklisted)\b",
    # a client that speaks before the server's greeting (RFC 5321 3.1: the session opens with
    # it): spamware's shortcut, refused for how we send (qpsmtpd's earlytalker, set AP)
    r"(?:transmitting|talking|sending|spoke|speaking) before (?:the |our |my )?(?:smtp )?"
    r"(?:greeting|banner)\b",
    r"policy",
    r"policies",
    r"blocked",
    r"banned",
    # a refused connection is a network failure (_SOFT_WEAK); a word inside a host name
    # ("mx.refused.example", set AD) is no reason. Still read: the word in a URL's path or query,
    # and "refused." run into the next word with no space
    r"(?<!connection )(?<![\w.-])refused(?![\w-]|\.\w)",
    r"access denied",
    r"denied",
    r"not (?:authori[sz]ed|permitted|allowed)",
    r"prohibited",
    # Exim's reply to any ACL "deny" that gives no words of its own: after the message's data it
    # refused the content; at RCPT it may be a list of valid recipients, so that is left to the
    # code, and to parse.py, which sees whether the whole report names the stage (set T)
    r"data\b[^a-z]{0,20}administrative prohibition",
    r"rejected by",
    r"\(filter fail\)",  # Exim: the recipient's own filter failed it, for words of its own
    r"politique",
    r"richtlinie",
    r"pol[íi]tica",
    r"политик",
    r"blockiert",
    r"abgelehnt",
    r"bloqu[ée]",
    r"bloqueado",
    r"bloccat",
    r"zablokowan",
    r"заблокирован",
    r"отклонен",
    r"拒绝",
    r"拒否",
)
_HARD_WEAK = _rx(
    r"unknown domain",
    r"domain must exist",
    r"unavailable",
    # not an SMTP command or its argument refused (RFC 5321 4.2.2's 500/501, RFC 3463's X.5.x):
    # the exchange between the two servers failed, not the address; the code decides
    r"invalid(?! (?:smtp )?(?:command|argument|parameter|syntax))",
    r"undeliverable address",
    r"mailbox (?:is )?frozen",
    r"недоступ",
)
_SOFT_WEAK = _rx(
    r"tim(?:ed|e) ?out",
    r"connection (?:refused|reset|lost|closed|dropped)",
    r"lost connection (?:with|to)",  # Postfix's words (set AT)
    r"no route to host",
    r"network (?:is )?unreachable",
    r"not responding",
    r"not reachable",
    _CANNOT_CONNECT,
    r"unable to connect",
    r"connect(?:ion)? failed",  # nullmailer's words when no connection was made
    # Tencent: '(9)connect to the "192.0.2.1(192.0.2.1) of news.example" server failed', and its
    # Chinese for it, "连接收件方邮件系统失败" (set BG)
    r'connect to the "[^"\n]{1,120}" server failed',  # quoted: not "... the MSA ... server failed"
    r"连接收件方邮件系统失败",
    r"tried all mxs",  # Haraka: no MX host of the domain took a connection
    r"no answer",
    r"dns (?:error|failure|lookup|problem)",
    r"temporary failure in name resolution",
    r"servfail",
    r"expired",
    r"in the queue too long",  # qmail gave up: time, unless the text names a lasting cause
    r"loop",
    r"too many hops",
    r"service (?:temporarily )?(?:unavailable|not available)",
    r"try (?:again )?later",
    r"temporar",
    r"busy",
    r"overloaded",
    r"resources",
    r"deferred",
    r"retry",
    r"command died",
    r"deliver\w* [^.;]{0,40}after (?:multiple|several|many|repeated) (?:retries|attempts)",
    # one.com's gateway (set AT); not "too many delivery attempts from your server" (a review)
    r"(?:multiple|several|repeated) delivery attempts (?:have )?failed",
    r"not been collected after",
    r"(?:did not|didn't) respond",
    r"(?<!rcpt )(?<!mail )(?<!data )(?<!to )command failed",
    r"mailer error",
    r"procmail",
    r"config(?:uration)? error",
    r"can't create user output file",
    r"interrupted system call",
    r"error while being processed",
    r"host (?:is )?unreachable",
    r"internal (?:server )?error",
    r"system error",
    r"local error",
    r"lock failure",
    r"error (?:while )?writing to",
    r"error writing message",
    # the recipient's host could not store it: its files, not the address (set AA)
    r"(?:can ?not|unable to|could not|couldn't) (?:open|create|append|access|write)\b[^.;]{0,40}"
    r"\b(?:file|mailbox|message|folder|maildir)",
    r"connection (?:with|to) \S{1,100} (?:is|was) broken",
    # the domain's MX leads back to the sending host: a routing loop (RFC 3463 X.4.6)
    r"mx records? points? to (?:the )?local host",
    # a delivery on the recipient's own host to a program or a file that failed (Exim's "pipe to
    # |cmd", "local delivery failed"): their system's fault, which may pass; the address stands
    r"local delivery failed",
    r"pipe to \|",
    r"child process of [\w-]+ transport returned",
    r"temporairement",
    r"vor[üu]bergehend",
    r"temporalmente",
    r"temporaneamente",
    r"временно",
    r"тайм-?аут",
    r"暂时",
    r"一時的",
)
# A limit on what the recipient's mailbox takes, not on us, in the words of a sender's limit:
# "451 4.5.1 The recipient <addr> has exceeded their message rate limit" (Yandex, set AV); tried
# before the sender's limits, which its "rate limit" would match
_RECIPIENT_RATE = _rx(
    # the recipient as the subject, not "Recipient address rejected: Sender has exceeded the
    # rate limit" (a review)
    r"recipient(?: <[^<>\n]{1,100}>)? (?:has )?exceeded (?:their|its) (?:message |receiving )?"
    r"rate limit"
)
# (pattern, kind, RFC 3463 subject.detail inferred from it), strong ones first.
_STRONG: tuple[tuple[re.Pattern[str], BounceKind, str], ...] = (
    (_RECIPIENT_RATE, SOFT, "2.0"),
    (_SENDER_LIMITS, BLOCK, "7.1"),
    (_MAILBOX_FULL, SOFT, "2.2"),
    (_GREYLIST, SOFT, "2.0"),
    (_TOO_LARGE, SOFT, "3.4"),
    (_TRANSIENT, SOFT, ""),
    (_O365_UNKNOWN, HARD, "1.1"),
    (_SENDER_GONE, BLOCK, "1.8"),
    (_BLOCKED, BLOCK, "7.1"),
    (_SENDER_TEXT, BLOCK, "7.1"),
    (_NULL_MX, HARD, "1.10"),
    (_HOST_UNKNOWN, HARD, "1.2"),
    (_USER_UNKNOWN, HARD, "1.1"),
    # "550 <releases@press.example>, Sender unknown" (set BI): our sender, RFC 3463's X.1.8; last,
    # so that a recipient's own words beside it decide ("User unknown (sender unknown to us)", a
    # review)
    (_rx(r"\bsender unknown\b"), BLOCK, "1.8"),
)
# The message refused as a whole, no word of why ("550 5.2.0 Mail rejete. Mail rejected.", Orange
# after the data, set BF): the last of the weak words, so that any other reason beside it decides
# ("Message rejected: recipient unavailable", "... mail loop detected", a review)
_MESSAGE_REJECTED = _rx(r"(?:mail|message) rejected(?! by)")
_WEAK_REASONS: tuple[tuple[re.Pattern[str], BounceKind, str], ...] = (
    (_BLOCK_WEAK, BLOCK, "7.1"),
    (_HARD_WEAK, HARD, ""),
    (_SOFT_WEAK, SOFT, ""),
)
_WEAK = (*_WEAK_REASONS, (_MESSAGE_REJECTED, BLOCK, "7.1"))
# A refusal in reply to MAIL FROM or to the connection itself came before any recipient was named
# (RFC 5321 section 3.3): it is about the sender or its host, whatever words it uses.
_SENDER_STAGE = _rx(
    r"after mail from",
    r">>> mail from: ?<[^>]*>[^<>]{0,80}<<< ?5\d\d",  # a transcript: the reply to MAIL FROM
    r"in reply to mail from",
    r"after initial connection",
    r"in reply to (?:the )?initial greeting",
    r"after (?:ehlo|helo)\b",  # Exim; our host's greeting, before any recipient
    r"in reply to (?:ehlo|helo) command",  # Postfix
)
# RFC 5321 section 4.5.3.1.10: a server out of room for more RCPT commands in one transaction
# answers 452 and the client sends the rest later; a limit on one message, not on the sender
# (Postfix's smtpd_recipient_limit, set W), with RFC 3463's X.5.3 "too many recipients". Any word
# of a period, a scope or a rate makes it a limit on the sender (a review of set W's fix).
_RECIPIENT_LIMIT = _rx(r"too many recipients")
# A pointer to the provider's help pages ("For more information regarding Google's sending
# limits, visit https://..."): the title of a page, not a reason given for this refusal.
_REFERENCE = re.compile(r"for more information\b[^.]*?(?:https?://\S+|$)")
_RATE_WORDS = _rx(
    r"\b(?:from|hours?|hourly|minutes?|days?|daily|today|week|per|within|period|sender|ip"
    r"|account|user|rate|quota)\b",
    r"\d\s*/\s*\d*\s*[hmd]\b",
    r"\d+\s*[hmd]\b",
)
# The strong texts that say a refusal is about the sender or its content, not the address.
_SENDER_SIDE = ((_SENDER_LIMITS, BLOCK, "7.1"), (_BLOCKED, BLOCK, "7.1"))
# Words saying no host of the domain could be reached: the sender never spoke to one, so it can
# know nothing of the address, whatever code it wrote (Haraka: "5.1.2 ... Tried all MXs").
_UNREACHED = _rx(
    r"tried all mxs",
    r"connect(?:ion)? (?:failed|refused|timed out)",
    _CANNOT_CONNECT,
    r"unable to connect",
    r"no route to host",
    r"network (?:is )?unreachable",
)
_ANY_STRONG = _rx(*(p.pattern for p, _k, _d in _STRONG))
_ANY_REASON = _rx(*(p.pattern for p, _k, _d in _STRONG + _WEAK))
# Finer subject.detail for some soft and hard texts, tried after the table above matched.
_DETAIL: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        _rx(
            r"dns (?:error|failure|lookup)",
            r"name resolution",
            r"servfail",
            r"not found, try again",
            r"malformed (?:or unexpected )?name server reply",
        ),
        "4.3",
    ),
    (_rx(r"name service error", r"host or domain name not found", r"no route to host"), "4.4"),
    (
        _rx(
            r"disabled",
            r"deactivated",
            r"discontinued",
            r"inactive",
            r"(?<!temporarily )suspended",
            r"frozen",
            r"ha expirado",
            r"desactivad",
            r"(?:account|mailbox) (?:is |has )?expired",
            r"отключен",
            r"заблокирован",
            r"désactivé",
            r"deaktiviert",
        ),
        "2.1",
    ),
    (_rx(r"has moved", r"no longer (?:active|valid|in use)"), "1.6"),
    (
        _rx(
            r"malformed (?:recipient )?address",
            r"badly formed address",
            r"unqualified (?:recipient )?address",
        ),
        "1.3",
    ),
    (_rx(r"not unique", r"several matches found", r"ambiguous"), "1.4"),
    (_rx(r"loop", r"too many hops", r"points? to (?:the )?local host"), "4.6"),
    (
        _rx(
            r"tim(?:ed|e) ?out",
            r"expired",
            r"not reachable",
            r"queue too long",
            r"could(?: not|n't) deliver for",
            r"retry time not reached",
        ),
        "4.7",
    ),
    (
        _rx(
            r"connection refused",
            r"connect(?:ion)? failed",
            r"tried all mxs",
            r"not responding",
            r"no answer",
            _CANNOT_CONNECT,
            r"unable to connect",
        ),
        "4.1",
    ),
)


def _per_message_limit(status: str | None, text: str) -> bool:
    """Only RFC 5321's per-transaction recipient limit: X.5.3 and its words, and no word of a
    rate or of anything else about the sender."""
    code = _ENHANCED.search(status or "") or _ENHANCED.search(text)
    own = _REFERENCE.sub("", text)
    return (
        code is not None
        and code[0][1:] == ".5.3"
        and bool(_RECIPIENT_LIMIT.search(own))
        and not _RATE_WORDS.search(own)
        and _text_kind(_RECIPIENT_LIMIT.sub("", own), _SENDER_SIDE) is None
    )


def _unreached_only(text: str) -> bool:
    """No words of an address or host that is gone beside the unreached host's: a report may
    name one MX that timed out and then another that refused the user (a review of set T)."""
    strong = _text_kind(text, _STRONG)
    return strong is None or strong[0] is not HARD


def _text_kind(
    text: str, rules: tuple[tuple[re.Pattern[str], BounceKind, str], ...]
) -> tuple[BounceKind, str] | None:
    for pattern, kind, detail in rules:
        if pattern.search(text):
            return kind, detail
    return None


def _words_kind(text: str) -> tuple[BounceKind, str] | None:
    """The kind and detail the (lowercased) words give, strong ones before weak. RFC 5321's stock
    text for any 550, "Requested action not taken: mailbox unavailable", gives way to strong
    words beside it (1&1's "550-... mailbox unavailable 550-Reject due to policy restrictions",
    sets AT and AU), not to weak ones, which a host name, an id or a URL may hold ("mx-loop3",
    ".../policy.html"; a review)."""
    rest = _STOCK_550.sub(" ", text)
    if rest != text and (found := _text_kind(rest, _STRONG)):
        return found
    return _text_kind(text, _STRONG) or _text_kind(text, _WEAK)


def _bare_rejection(text: str) -> bool:
    """Whether "Message rejected" is all the (lowercased) words say."""
    return _text_kind(text, _STRONG) is None and _text_kind(text, _WEAK_REASONS) is None


def _stock_text_only(text: str) -> bool:
    """Whether the words beside a permanent security or policy status (X.7.x, RFC 3463 3.8) are
    stock texts that say nothing of the address: RFC 5321's "Requested action not taken: mailbox
    unavailable" for any 550, with no strong words beside it; or "Service unavailable" with no
    other words at all ("550: 5.7.1 Service unavailable", set AW; a review kept temporary replies
    and other words beside it deciding)."""
    if _STOCK_550.search(text) and not _ANY_STRONG.search(_STOCK_550.sub("", text)):
        return True
    return _words_kind(_SERVICE_UNAVAILABLE.sub(" ", text)) is None


def _code_kind(status: str | None) -> tuple[BounceKind | None, bool]:
    """The kind a status code names, and whether the code is specific (detail other than 0)."""
    found = _ENHANCED.search(status or "")
    if found is None:
        return None, False
    _cls, subject, detail = found.groups()
    specific = _BY_CODE.get(f"{subject}.{detail}")
    if specific is not None and f"{subject}.{detail}" not in _MISUSED:
        return specific, True
    return _BY_SUBJECT.get(subject), False


# RFC 7504: 521 "host does not accept mail", 556 "domain does not accept mail": like a null MX, a
# destination that takes no mail at all.
_NO_MAIL_CODES = frozenset({521, 556})
# X.3.2 "system not accepting network messages" (RFC 3463) is what 521 says; Postfix's postscreen
# also drops a client it distrusts with 521 and 5.7.0 or 5.5.1, which is about us.
_NOT_ACCEPTING = re.compile(r"\b[45]\.3\.2\b")


# RFC 5321 section 4.2.3's text for 550, which servers send for any refusal.
_STOCK_550 = re.compile(r"requested action not taken:? mailbox unavailable")
_SERVICE_UNAVAILABLE = re.compile(r"service (?:temporarily )?(?:unavailable|not available)")


# RFC 4954's replies about our client's authentication: required (530), mechanism too weak (534),
# credentials invalid (535), encryption required for the mechanism (538).
_AUTH_CODES = frozenset({530, 534, 535, 538})


def _smtp_kind(code: int | None) -> BounceKind | None:
    if code is None:
        return None
    if code in _AUTH_CODES:
        return BLOCK
    if 400 <= code < 500 or code == 552:  # 552: storage exceeded, RFC 5321 section 4.5.3.1.10
        return SOFT
    if code == 554:
        return BLOCK
    return HARD if 500 <= code < 600 else None


# A next hop's permanent reply quoted inside a temporary refusal: Postfix's address verification
# answers 450 by default (unverified_recipient_reject_code) though the recipient's own server
# said "550 5.1.1 ... User unknown" (set AG).
_INNER_PERMANENT = re.compile(r"\bsaid:\s*(?=5\d\d\b)")


def _inner_gone(text: str) -> bool:
    """Whether a quoted permanent reply of the next hop says the address is gone, read with its
    own codes: "554 5.7.1 Rejected" quoted there is a refusal of us, not a gone address."""
    inner = _INNER_PERMANENT.search(text)
    if inner is None:
        return False
    quoted = text[inner.end() :]
    status = find_status(quoted)
    permanent = status if status is not None and status[0] == "5" else None
    return classify(permanent, quoted, find_smtp_code(quoted)) is HARD


def _temporary(status: str | None, smtp_code: int | None) -> bool:
    found = _ENHANCED.search(status or "")
    if found is not None:
        return found[1] == "4"
    return smtp_code is not None and 400 <= smtp_code < 500


# The next hop's name and address before its reply ("host spf-03-01.mr.example[192.0.2.1] said:",
# Exim's "host mx.example [192.0.2.1]:", a local LMTP socket's "[private/dovecot-lmtp]"): a name
# is no reason, and one holding "spf", "spam" or "junk" made an unknown user a block (set AT)
_NEXT_HOP = re.compile(r"\b(host|connect to|with) [\w-]+(?:\.[\w-]+)+\.? ?\[[\w.:/-]{1,200}\]")


def _reply_words(diagnostic: str) -> str:
    """The diagnostic as the kind and the status are read from: lowercased, cut, and without the
    next hop's name."""
    return _NEXT_HOP.sub(r"\1", diagnostic[:2000].lower())


def classify(status: str | None, diagnostic: str, smtp_code: int | None = None) -> BounceKind:
    """hard (the address is gone), soft (try later) or block (refused for the sender or the
    content): a specific RFC 3463 code (an address code beside words about the sender is a
    block), then strong text, weak text, the code's subject, the SMTP reply code, and hard by
    default. A temporary (4xx, 4.x.x) failure is never hard, unless it quotes the next hop's
    permanent reply that the address is gone; a permanent one in reply to MAIL FROM or to the
    connection is block."""
    text = _reply_words(diagnostic)
    by_code, specific = _code_kind(status)
    if by_code is HARD and specific and _text_kind(text, _SENDER_SIDE) is not None:
        # GoDaddy writes 5.1.1 for its hourly recipient limit, Sendmail rewrites a blocklist's 553
        # as "5.1.1 User unknown": words about the sender or its content beat an address code,
        # and a block keeps a contact that a wrong "hard" would drop for good
        kind = BLOCK
    elif by_code is HARD and specific and _UNREACHED.search(text) and _unreached_only(text):
        kind = SOFT
    elif by_code is not None and specific:
        kind = by_code
    elif by_code is BLOCK and not _temporary(status, smtp_code) and _stock_text_only(text):
        kind = BLOCK
    elif (found := _words_kind(text)) is not None:
        kind = found[0]
        if kind is BLOCK and by_code is not BLOCK and _temporary(status, smtp_code):
            # "451 Message rejected": refused for now, and no more said (a review); a policy
            # status (4.7.x) still says why
            kind = SOFT if _bare_rejection(text) else kind
    elif smtp_code in _NO_MAIL_CODES and (by_code is None or _NOT_ACCEPTING.search(status or "")):
        kind = HARD  # no words say why, and no status says otherwise: the reply code does
    else:
        kind = by_code or _smtp_kind(smtp_code) or HARD
    if _gone(text):
        return HARD
    if _temporary(status, smtp_code):
        if kind is BLOCK and _per_message_limit(status, text):
            return SOFT
        return SOFT if kind == HARD and not _inner_gone(text) else kind
    # A server may refuse the size a client declares at MAIL FROM (RFC 1870): about the message,
    # not the sender.
    if _SENDER_STAGE.search(text) and not _TOO_LARGE.search(text):
        return BLOCK
    return kind


def explains(text: str) -> bool:
    """Whether the text names a reason that classify() knows (not only a code or a default)."""
    return bool(text) and _ANY_REASON.search(text.lower()) is not None


_WORD = re.compile(r"\S+")


def reason_at(text: str) -> int:
    """Where the first reason classify() knows starts in the text (a strong one if there is
    one), or -1. A reason read as classify() reads it, its words one space apart: reports wrap
    their lines where they fall ("Connection timed\n    out", set AX)."""
    # "İ" is the one character whose lowercase is longer (two characters), which would move
    # every offset after it (a review)
    words = list(_WORD.finditer(text.replace("\u0130", "i").lower()))
    joined = " ".join(word.group(0) for word in words)
    found = _ANY_STRONG.search(joined) or _ANY_REASON.search(joined)
    if found is None:
        return -1
    at = 0  # back from the joined text to the text: the word the reason starts in
    for word in words:
        if at + len(word.group(0)) > found.start():
            return word.start() + found.start() - at
        at += len(word.group(0)) + 1
    return -1


def domain_gone(text: str) -> bool:
    """Whether the text says the recipient's domain takes no mail at all (null MX, NXDOMAIN)."""
    return _gone(text.lower())


def find_status(text: str) -> str | None:
    """The first RFC 3463 enhanced status code written in the text."""
    found = _ENHANCED.search(text)
    return found.group(0) if found else None


def find_smtp_code(text: str) -> int | None:
    """The first SMTP reply code (RFC 5321) written in the text."""
    found = _SMTP_CODE.search(text)
    return int(found[1]) if found else None


def infer_status(diagnostic: str, smtp_code: int | None) -> str | None:
    """An enhanced status code for a failure reported without a specific one: a code written in
    the text, else one inferred from its words (user unknown 5.1.1, mailbox full 4.2.2 or 5.2.2
    by the reply's class, host unknown 5.1.2 or 5.4.4, spam and policy 5.7.1, too large 5.3.4),
    else the generic code written in the text, else None."""
    text = _reply_words(diagnostic)
    written = find_status(text)
    if written is not None and not written.endswith(".0.0") and written[1:3] != ".0":
        return written  # x.0.XXX is "other or undefined" (RFC 3463 3.1), as generic as x.0.0
    if smtp_code is None:
        smtp_code = find_smtp_code(text)
    cls = "4" if (smtp_code is not None and 400 <= smtp_code < 500) else "5"
    if written is not None:
        cls = written[0]
    if _no_mail_host(text):
        return "5.1.2"  # the domain exists but names no mail host: a bad destination system
    if _DOMAIN_GONE.search(text) or _GAVE_UP.search(text):
        cls = "5"  # no retry will help: the domain takes no mail, or the retry time ran out
    match = _words_kind(text)
    detail = _refine(text, match[1]) if match else ""
    if detail:
        return f"{cls}.{detail}"
    return written


# Which finer details may replace the one a pattern gave ("" is a weak text with none).
_REFINABLE = {"": None, "1.1": ("2.1", "1.6", "1.3", "1.4"), "1.2": ("4.4",)}


def _refine(text: str, detail: str) -> str:
    if detail not in _REFINABLE:
        return detail
    allowed = _REFINABLE[detail]
    for pattern, finer in _DETAIL:
        if (allowed is None or finer in allowed) and pattern.search(text):
            return finer
    return detail
