#!/bin/sh
# Set Q, step 3: submit one message per scenario through the installed MTA's sendmail command.
#   (SENDMAIL=CMD: submit with CMD instead of /usr/sbin/sendmail, as sendmail_smtp.py does)
#   submit.sh TAG            the replayed refusals and an unknown local user
#   submit.sh TAG down       one message while the smarthost is down
#   submit.sh TAG r          set R: the refusals recorded from other receivers
#   submit.sh TAG s          set S: Dovecot's LMTP and OpenSMTPD as receivers
#   submit.sh TAG t [NAME..] set T: every recorded refusal, or those named
#   submit.sh TAG ad         set AD: recipient domains that fail in DNS or refuse connections
set -eu
tag=$1
sender=press@mta.press.test
send() {  # send RECIPIENT [PADDING-LINES]
    {
        printf 'From: Press Office <%s>\nTo: <%s>\nSubject: Embargoed release %s\n' "$sender" "$1" "$tag"
        printf 'Date: %s\nMessage-ID: <%s.%s@mta.press.test>\nMIME-Version: 1.0\n' "$(date -R)" "$tag" "$(echo "$1" | tr '@' '.')"
        printf 'Content-Type: text/plain; charset=utf-8\n\nEmbargoed until 10:00 UTC.\n\nA release for the desk.\n'
        i=0; while [ "$i" -lt "${2:-0}" ]; do echo "Background paragraph $i of the release, padded to make it long."; i=$((i+1)); done
    } | ${SENDMAIL:-/usr/sbin/sendmail} -f "$sender" -- "$1"
}
if [ "${2:-}" = r ]; then  # set R: the other receivers' refusals
    for scenario in exim-unknown-user exim-relay-denied exim-content-rejected \
            sendmail-unknown-user; do
        send "q-$scenario-1@news.test"
    done
    send "q-exim-too-large-1@news.test" 200
    send "q-sendmail-too-large-1@news.test" 200
    exit 0
fi
if [ "${2:-}" = s ]; then  # set S: Dovecot's LMTP and OpenSMTPD as receivers
    for scenario in dovecot-unknown-user dovecot-mailbox-full opensmtpd-unknown-user \
            opensmtpd-relay-denied; do
        send "q-$scenario-1@news.test"
    done
    send "q-opensmtpd-too-large-1@news.test" 200
    exit 0
fi
if [ "${2:-}" = t ]; then  # set T: every refusal recorded (replies.py), or the ones named
    shift 2
    names=${*:-$(cd "$(dirname "$0")" && python3 -c 'import replies; print(" ".join(replies.load()))')}
    for scenario in $names; do
        case $scenario in
            *too-large) send "q-$scenario-1@news.test" 200 ;;
            *) send "q-$scenario-1@news.test" ;;
        esac
    done
    exit 0
fi
if [ "${2:-}" = ad ]; then  # set AD: recipient domains that fail in DNS or refuse connections
    for target in nxdomain@nxdomain null-mx@nullmx servfail@servfail dns-timeout@timeout \
            refused@refused; do
        send "q-${target%@*}-1@${target#*@}.test"
    done
    exit 0
fi
if [ "${2:-}" = down ]; then
    send "q-down-1@news.test"
    exit 0
fi
for scenario in unknown-user relay-denied client-rejected sender-rejected helo-rejected \
        content-rejected no-reverse-dns; do
    send "q-$scenario-1@news.test"
done
send "q-too-large-1@news.test" 200
send "nobody-here@mta.press.test" || true  # an MTA may refuse it at submission: no report then
