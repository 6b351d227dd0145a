#!/bin/sh
# Set Q (tests/data/bounces/README.md): the reports Debian's MTAs write, as they were made.
# ONLY ON A THROWAWAY MACHINE, as root: it installs each MTA in turn (replacing the system's MTA,
# Postfix included), edits its configuration in /etc, adds a user "press" and a hosts entry.
# Everything speaks to loopback only; the smarthost is replay.py on 127.0.0.1:2626.
# Each step below waits for the MTA to give up on the refusals that are not final (4xx, down).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../../.." && pwd)
py=${PYTHON:-python3}
cd "$repo"
id press >/dev/null 2>&1 || useradd -m press
echo mta.press.test > /etc/mailname
grep -q mta.press.test /etc/hosts || echo "127.0.1.1 mta.press.test $(hostname)" >> /etc/hosts  # sendmail waits a minute on a short name
PYTHONPATH=. "$py" "$here/record.py" > "$here/replies.json"   # needs Postfix, before it goes
apt() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null; }
replay() { PYTHONPATH=. "$py" "$here/replay.py" & echo $! > /tmp/replay.pid; sleep 2; }
unreplay() { kill "$(cat /tmp/replay.pid)"; sleep 1; }
run() {  # run TAG VERSION MAILBOX [nodown]
    : > /var/mail/press; chown press:mail /var/mail/press
    replay; "$here/submit.sh" "$1"; sleep 120; unreplay
    [ "${4:-}" = nodown ] || { "$here/submit.sh" "$1" down; sleep 120; }
    "$py" "$here/collect.py" "$1" "$2" "$3"
}

# Exim 4.96: smarthost, local mail to /var/mail, retry rule F,1m,20s
apt exim4-daemon-light
exim_sender() {  # Exim as a smarthost sender (here, and sets AO, AP, AQ)
    cat > /etc/exim4/update-exim4.conf.conf <<'CONF'
dc_eximconfig_configtype='smarthost'
dc_other_hostnames='mta.press.test'
dc_local_interfaces='127.0.0.1'
dc_readhost=''
dc_relay_domains=''
dc_minimaldns='true'
dc_relay_nets=''
dc_smarthost='127.0.0.1::2626'
CFILEMACRO='false'
dc_use_split_config='false'
dc_hide_mailname=''
dc_mailname_in_oh='true'
dc_localdelivery='mail_spool'
CONF
    echo "MAIN_HARDCODE_PRIMARY_HOSTNAME = mta.press.test" > /etc/exim4/exim4.conf.localmacros
}
exim_sender
t=/etc/exim4/exim4.conf.template
sed -i 's/^\*  *\*  *F,2h,15m; G,16h,1h,1.5; F,4d,6h/*   *   F,1m,20s/' "$t"
sed -i '/^smarthost:/,/no_more/ s/^  no_more$/  self = send\n  no_more/' "$t"  # the smarthost is this host
sed -i '/^remote_smtp_smarthost:/,/driver = smtp/ s/^  driver = smtp$/  driver = smtp\n  allow_localhost/' "$t"
update-exim4.conf; exim4 -bd -q20s
run exim "Exim 4.96 (Debian 4.96-15+deb12u11)" /var/mail/press
pkill exim4 || true

# OpenSMTPD 6.8: relay host smtp://127.0.0.1:2626, queue ttl 1m
apt opensmtpd; pkill smtpd || true
cat > /etc/smtpd.conf <<'CONF'
table aliases file:/etc/aliases
queue ttl 1m
action "local" mbox alias <aliases>
action "relay" relay host smtp://127.0.0.1:2626
match from local for domain "mta.press.test" action "local"
match for local action "local"
match from local for any action "relay"
CONF
smtpd -f /etc/smtpd.conf
run opensmtpd "OpenSMTPD 6.8.0p2 (Debian 6.8.0p2-4+b4)" /var/mail/press
pkill smtpd || true

# Sendmail 8.17: SMART_HOST [127.0.0.1] port 2626, Timeout.queuereturn 1m, no DNS
apt sendmail-bin sendmail-cf m4 make procmail sensible-mda
cd /etc/mail
sed -i '/^FEATURE(`no_default_msa/i\
define(`SMART_HOST'"'"', `[127.0.0.1]'"'"')dnl\
define(`RELAY_MAILER_ARGS'"'"', `TCP $h 2626'"'"')dnl\
define(`ESMTP_MAILER_ARGS'"'"', `TCP $h 2626'"'"')dnl\
define(`confDOMAIN_NAME'"'"', `mta.press.test'"'"')dnl\
define(`confTO_QUEUERETURN'"'"', `1m'"'"')dnl\
define(`confTO_QUEUEWARN'"'"', `1h'"'"')dnl\
define(`confSERVICE_SWITCH_FILE'"'"', `/etc/mail/service.switch-nodns'"'"')dnl\
FEATURE(`nocanonify'"'"')dnl\
FEATURE(`mailertable'"'"')dnl' sendmail.mc
printf '.\trelay:[127.0.0.1]\n' > mailertable  # SMART_HOST alone was bypassed: news.test went to DNS
makemap hash mailertable < mailertable
sed -i '/^FEATURE(`msp/i\
define(`confDOMAIN_NAME'"'"', `mta.press.test'"'"')dnl' submit.mc
echo mta.press.test > local-host-names
m4 sendmail.mc > sendmail.cf; m4 submit.mc > submit.cf; make -s -C /etc/mail
cd "$repo"; pkill sendmail || true; /usr/sbin/sendmail -bd -q20s
run sendmail "Sendmail 8.17.1.9 (Debian 8.17.1.9-2+deb12u2)" /var/mail/press
pkill sendmail || true

# dma 0.13: SMARTHOST 127.0.0.1 PORT 2626; it retries for days, so only the immediate failures
apt dma
printf 'SMARTHOST 127.0.0.1\nPORT 2626\n' >> /etc/dma/dma.conf
run dma "dma 0.13 (Debian 0.13-1+b1)" /var/mail/press nodown
rm -f /var/spool/dma/*

# Courier 1.0.16: esmtproutes ": [127.0.0.1],2626", queuetime 1m, Maildir delivery
echo "courier-base courier-base/webadmin-configmode boolean false" | debconf-set-selections
apt courier-mta
cd /etc/courier
echo mta.press.test > me; printf 'localhost\nmta.press.test\n' > locals; echo press.test > defaultdomain
echo ": [127.0.0.1],2626" > esmtproutes; echo 1m > queuetime
echo 20s > retryalpha; echo 3 > retrybeta; echo 1m > retrygamma
cd "$repo"; authdaemond start; courier start
su press -s /bin/sh -c "mkdir -p ~/Maildir/new ~/Maildir/cur ~/Maildir/tmp"
run courier "Courier 1.0.16 (Debian 1.0.16-3+b6)" /home/press/Maildir
courier stop; authdaemond stop

# Set R: record Exim's and Sendmail's stock refusals as receivers of news.test, then replay them
# to Exim and dma as senders (replies-r.jsonl; submit.sh TAG r; collect.py ... unseen-r)
useradd -m desk 2>/dev/null || true
apt exim4-daemon-light
cp /etc/exim4/update-exim4.conf.conf /tmp/exim-sender.conf
sed -i "s/^dc_eximconfig_configtype=.*/dc_eximconfig_configtype='internet'/; s/^dc_other_hostnames=.*/dc_other_hostnames='news.test'/; s/^dc_smarthost=.*/dc_smarthost=''/" /etc/exim4/update-exim4.conf.conf
printf 'MAIN_HARDCODE_PRIMARY_HOSTNAME = mx.news.test\nMESSAGE_SIZE_LIMIT = 4K\n' > /etc/exim4/exim4.conf.localmacros
printf 'CHECK_DATA_LOCAL_ACL_FILE = /etc/exim4/acl_data_local\nMAIN_RELAY_NETS = 192.0.2.255\n' >> /etc/exim4/exim4.conf.localmacros
printf 'deny condition = ${if match{$message_body}{Embargoed}}\n' > /etc/exim4/acl_data_local
update-exim4.conf; exim4 -bd -oX 2525; sleep 1
PYTHONPATH=. "$py" "$here/record_r.py" exim 2525 unknown-user relay-denied content-rejected too-large > "$here/replies-r.jsonl"
pkill exim4 || true
apt sendmail-bin sendmail-cf m4 make procmail sensible-mda
cd /etc/mail; cp access /tmp/access.orig; cp sendmail.mc /tmp/sendmail.mc.sender
sed -i '/^FEATURE(`no_default_msa/i\
define(`confMAX_MESSAGE_SIZE'"'"', `4096'"'"')dnl' sendmail.mc
printf 'mta.press.test\nnews.test\n' > local-host-names; m4 sendmail.mc > sendmail.cf
cd "$repo"; /usr/sbin/sendmail -bd; sleep 2
PYTHONPATH=. "$py" "$here/record_r.py" sendmail 25 unknown-user too-large >> "$here/replies-r.jsonl"
pkill sendmail || true
cp /tmp/access.orig /etc/mail/access; cp /tmp/sendmail.mc.sender /etc/mail/sendmail.mc
apt exim4-daemon-light; cp /tmp/exim-sender.conf /etc/exim4/update-exim4.conf.conf
echo "MAIN_HARDCODE_PRIMARY_HOSTNAME = mta.press.test" > /etc/exim4/exim4.conf.localmacros
update-exim4.conf; exim4 -bd -q20s
: > /var/mail/press; replay; "$here/submit.sh" exim r; sleep 20
"$py" "$here/collect.py" exim "Exim 4.96 (Debian 4.96-15+deb12u11)" /var/mail/press unseen-r
pkill exim4 || true; apt dma || true  # its postinst may fail on a machine that had Courier
: > /var/mail/press; "$here/submit.sh" dma r; sleep 10; unreplay
"$py" "$here/collect.py" dma "dma 0.13 (Debian 0.13-1+b1)" /var/mail/press unseen-r

# Set S: Dovecot's LMTP server (a private instance: quota of one message, filled once) and
# OpenSMTPD as receivers, replayed to Exim and dma
apt dovecot-lmtpd; mkdir -p /tmp/dv/run /tmp/dv/state /tmp/dv/mail; chown nobody:nogroup /tmp/dv/mail
cat > /tmp/dv/dovecot.conf <<'CONF'
protocols = lmtp
listen = 127.0.0.1
base_dir = /tmp/dv/run
state_dir = /tmp/dv/state
log_path = /tmp/dv/log
ssl = no
first_valid_uid = 0
mail_location = maildir:/tmp/dv/mail/%n
mail_plugins = quota
lmtp_rcpt_check_quota = yes
passdb {
  driver = passwd-file
  args = /tmp/dv/users
}
userdb {
  driver = passwd-file
  args = /tmp/dv/users
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = 2424
  }
}
plugin {
  quota = count:User quota
  quota_rule = *:messages=1
  quota_vsizes = yes
}
CONF
printf 'desk@news.test:{PLAIN}x:65534:65534::/tmp/dv/mail/desk\nfull@news.test:{PLAIN}x:65534:65534::/tmp/dv/mail/full\n' > /tmp/dv/users
dovecot -c /tmp/dv/dovecot.conf; sleep 2
"$py" -c "import smtplib; l=smtplib.LMTP('127.0.0.1',2424); l.docmd('LHLO','x'); l.sendmail('press@mta.press.test','full@news.test',b'Subject: fill\r\n\r\nfill\r\n')"
PYTHONPATH=. "$py" "$here/record_r.py" dovecot 2424 unknown-user mailbox-full >> "$here/replies-r.jsonl"
doveadm -c /tmp/dv/dovecot.conf stop
apt opensmtpd; pkill smtpd || true; cp /etc/smtpd.conf /tmp/smtpd.conf.sender
printf 'smtp max-message-size 4K\nlisten on 127.0.0.1 port 2525\naction "local" mbox\nmatch from any for domain "news.test" action "local"\n' > /etc/smtpd.conf
smtpd -f /etc/smtpd.conf; sleep 2
PYTHONPATH=. "$py" "$here/record_r.py" opensmtpd 2525 unknown-user relay-denied too-large >> "$here/replies-r.jsonl"
pkill smtpd || true; cp /tmp/smtpd.conf.sender /etc/smtpd.conf
apt exim4-daemon-light; cp /tmp/exim-sender.conf /etc/exim4/update-exim4.conf.conf
echo "MAIN_HARDCODE_PRIMARY_HOSTNAME = mta.press.test" > /etc/exim4/exim4.conf.localmacros
update-exim4.conf; exim4 -bd -q20s
: > /var/mail/press; replay; "$here/submit.sh" exim s; sleep 20
"$py" "$here/collect.py" exim "Exim 4.96 (Debian 4.96-15+deb12u11)" /var/mail/press unseen-s
pkill exim4 || true; apt dma || true
: > /var/mail/press; "$here/submit.sh" dma s; sleep 10; unreplay
"$py" "$here/collect.py" dma "dma 0.13 (Debian 0.13-1+b1)" /var/mail/press unseen-s

# Set T: new senders (nullmailer 2.2, Haraka 3.3.4 from npm), whose reports come back through
# the replayer (--keep), and new receivers (Courier 1.0.16, Haraka, chasquid 1.11) recorded and
# replayed to Exim, dma, nullmailer and Haraka. Run in this order on 2026-11-30 (sixth session).
keep() { rm -f "$1"; PYTHONPATH=. "$py" "$here/replay.py" --keep "$1" & echo $! > /tmp/replay.pid; sleep 2; }
null_install() {
    echo "nullmailer shared/mailname string mta.press.test" | debconf-set-selections
    echo "nullmailer nullmailer/relayhost string 127.0.0.1 smtp --port=2626" | debconf-set-selections
    apt nullmailer; : > /etc/nullmailer/adminaddr; echo mta.press.test > /etc/nullmailer/defaultdomain
    echo 90 > /etc/nullmailer/queuelifetime; echo 15 > /etc/nullmailer/pausetime; echo 10 > /etc/nullmailer/sendtimeout
    su mail -s /bin/sh -c /usr/sbin/nullmailer-send >/dev/null 2>&1 &
}
nullv="nullmailer 2.2 (Debian 1:2.2-4)"; harakav="Haraka 3.3.4 (npm)"
null_install; keep /tmp/t-null.mbox; "$here/submit.sh" nullmailer t; sleep 120; unreplay
"$here/submit.sh" nullmailer down; sleep 120; keep /tmp/t-null.mbox; sleep 40; unreplay
"$py" "$here/collect.py" nullmailer "$nullv" /tmp/t-null.mbox unseen-t; pkill -f nullmailer-send || true
# Haraka: an instance relaying for 127.0.0.1, every MX the replayer, two quick retries
mkdir -p /tmp/hk; (cd /tmp/hk && npm install --no-audit --no-fund Haraka@3.3.4 >/dev/null)
hk=/tmp/hk/node_modules/.bin/haraka; $hk -i /tmp/hk/inst
printf 'relay\nsmarthost\n' > /tmp/hk/inst/config/plugins; echo mta.press.test > /tmp/hk/inst/config/me
printf '[relay]\nacl=true\n' > /tmp/hk/inst/config/relay.ini; echo 127.0.0.1/32 > /tmp/hk/inst/config/relay_acl_allow
printf 'listen=127.0.0.1:2527\nnodes=0\n' > /tmp/hk/inst/config/smtp.ini
printf 'temp_fail_intervals=20s,20s\nenable_tls=false\n' > /tmp/hk/inst/config/outbound.ini
echo "exports.hook_get_mx = (next) => next(OK, { priority: 0, exchange: '127.0.0.1', port: 2626 })" > /tmp/hk/inst/plugins/smarthost.js
$hk -c /tmp/hk/inst >/tmp/hk/haraka.log 2>&1 &
hksend="$py $here/sendmail_smtp.py 2527"
# four_senders SPLIT WAIT NAME...: the named refusals to Haraka, nullmailer, Exim and dma in
# turn, each given WAIT seconds to give up on the temporary ones (dma retries those for days)
four_senders() {
    split=$1 wait=$2; shift 2; p=${split#unseen-}
    $hk -c /tmp/hk/inst >>/tmp/hk/haraka.log 2>&1 & sleep 5
    keep "/tmp/$p-hk.mbox"; SENDMAIL=$hksend "$here/submit.sh" haraka t "$@"; sleep "$wait"; unreplay
    "$py" "$here/collect.py" haraka "$harakav" "/tmp/$p-hk.mbox" "$split"; pkill -f "haraka -c /tmp/hk/inst" || true
    null_install; keep "/tmp/$p-null.mbox"; "$here/submit.sh" nullmailer t "$@"; sleep "$wait"; unreplay
    "$py" "$here/collect.py" nullmailer "$nullv" "/tmp/$p-null.mbox" "$split"; pkill -f nullmailer-send || true
    apt exim4-daemon-light; cp /tmp/exim-sender.conf /etc/exim4/update-exim4.conf.conf
    echo "MAIN_HARDCODE_PRIMARY_HOSTNAME = mta.press.test" > /etc/exim4/exim4.conf.localmacros
    update-exim4.conf; exim4 -bd -q20s
    : > /var/mail/press; chown press:mail /var/mail/press; replay; "$here/submit.sh" exim t "$@"; sleep "$wait"
    "$py" "$here/collect.py" exim "Exim 4.96 (Debian 4.96-15+deb12u11)" /var/mail/press "$split"
    pkill exim4 || true; apt dma || true
    grep -q '^SMARTHOST' /etc/dma/dma.conf || printf 'SMARTHOST 127.0.0.1\nPORT 2626\n' >> /etc/dma/dma.conf
    : > /var/mail/press; chown press:mail /var/mail/press; "$here/submit.sh" dma t "$@"; sleep 20; unreplay
    "$py" "$here/collect.py" dma "dma 0.13 (Debian 0.13-1+b1)" /var/mail/press "$split"; rm -f /var/spool/dma/*
}
keep /tmp/t-hk.mbox; SENDMAIL=$hksend "$here/submit.sh" haraka t; sleep 75; unreplay
SENDMAIL=$hksend "$here/submit.sh" haraka down; sleep 45; keep /tmp/t-hk.mbox; sleep 60; unreplay
"$py" "$here/collect.py" haraka "$harakav" /tmp/t-hk.mbox unseen-t
# New receivers. Courier: news.test local, loopback not a relay client, 4 KB limit; its refusal
# of the sender's unresolvable domain (DNS check on) is recorded first, then the check is off.
# The replayer gives a refusal made at MAIL at RCPT instead: the scenario is the recipient's.
pkill -f "haraka -c /tmp/hk/inst" || true
echo "courier-base courier-base/webadmin-configmode boolean false" | debconf-set-selections; apt courier-mta
cd /etc/courier; echo mx.news.test > me; printf 'localhost\nnews.test\n' > locals
echo news.test > esmtpacceptmailfor.dir/news; makeacceptmailfor
sed -i 's/\tallow,RELAYCLIENT/\tallow/' smtpaccess/default; makesmtpaccess; echo 4096 > sizelimit
sed -i 's/^PORT=smtp/PORT=2525/; s/^ADDRESS=.*/ADDRESS=127.0.0.1/' esmtpd  # ADDRESS matches nothing (set AC): all addresses
cd "$repo"; authdaemond start; courier start; esmtpd start; sleep 2
PYTHONPATH=. "$py" "$here/record_r.py" courier 2525 sender-rejected >> "$here/replies-r.jsonl"
sed -i 's/^BOFHCHECKDNS=.*/BOFHCHECKDNS=0/' /etc/courier/esmtpd; esmtpd stop; esmtpd start; sleep 2
PYTHONPATH=. "$py" "$here/record_r.py" courier 2525 unknown-user relay-denied too-large >> "$here/replies-r.jsonl"
courier stop; esmtpd stop; authdaemond stop
# Haraka as the receiver of news.test (any user there: no unknown-user refusal of its own)
$hk -i /tmp/hk/rcv; printf 'rcpt_to.in_host_list\nheaders\n' > /tmp/hk/rcv/config/plugins
echo news.test > /tmp/hk/rcv/config/host_list; echo mx.news.test > /tmp/hk/rcv/config/me
printf 'listen=127.0.0.1:2528\nnodes=0\n' > /tmp/hk/rcv/config/smtp.ini; printf '[max]\nbytes=4096\n' >> /tmp/hk/rcv/config/connection.ini
$hk -c /tmp/hk/rcv >/tmp/hk/rcv.log 2>&1 & sleep 4
PYTHONPATH=. "$py" "$here/record_r.py" haraka 2528 relay-denied too-large >> "$here/replies-r.jsonl"
pkill -f "haraka -c /tmp/hk/rcv" || true
# chasquid 1.11 (its smallest size limit is 1 MB: no too-large); a self-signed certificate
apt chasquid
printf 'hostname: "mx.news.test"\nsmtp_address: "127.0.0.1:2529"\nsubmission_address: "127.0.0.1:2530"\nsubmission_over_tls_address: "127.0.0.1:2531"\nmonitoring_address: ""\nmail_log_path: "/tmp/chasquid-mail.log"\n' > /etc/chasquid/chasquid.conf
mkdir -p /etc/chasquid/domains/news.test /etc/chasquid/certs/mx.news.test
openssl req -x509 -newkey rsa:2048 -nodes -keyout /etc/chasquid/certs/mx.news.test/privkey.pem \
    -out /etc/chasquid/certs/mx.news.test/fullchain.pem -days 30 -subj /CN=mx.news.test 2>/dev/null
chasquid-util --configdir=/etc/chasquid user-add desk@news.test --password=x
chasquid -config_dir=/etc/chasquid >/tmp/chasquid.out 2>&1 & sleep 3
PYTHONPATH=. "$py" "$here/record_r.py" chasquid 2529 unknown-user relay-denied >> "$here/replies-r.jsonl"
pkill -x chasquid || true
# the eight new refusals to each sender
new="courier-sender-rejected courier-unknown-user courier-relay-denied courier-too-large haraka-relay-denied haraka-too-large chasquid-unknown-user chasquid-relay-denied"
four_senders unseen-t 30 $new

# Set U: filters in front of mailboxes, recorded through a private Postfix (record.py u) and from
# Cyrus's LMTP server, then replayed to seven senders. Run in this order on 2026-11-30.
apt postfix postgrey spamass-milter spamd rspamd; postfix stop || true
postgrey --inet=127.0.0.1:10023 --delay=300 -d --pidfile=/tmp/postgrey.pid --user=postgrey --dbdir=/var/lib/postgrey
spamd -d --listen=127.0.0.1:783 -u debian-spamd --pidfile /tmp/spamd.pid
spamass-milter -p inet:7831@127.0.0.1 -r 5 -f -P /tmp/spamass.pid
rspamd -u _rspamd -g _rspamd; sleep 10   # its milter (proxy worker) on localhost:11332
PYTHONPATH=. "$py" "$here/record.py" u >> "$here/replies-r.jsonl"
kill "$(cat /tmp/postgrey.pid)" "$(cat /tmp/spamd.pid)" "$(cat /tmp/spamass.pid)"; pkill rspamd || true
# Cyrus IMAP 3.6.1: LMTP on 127.0.0.1:2424 (preauthorised), IMAP on loopback for cyradm only;
# user.full has a 1 KB quota, filled once
echo "cyrus-common cyrus-common/removespools boolean false" | debconf-set-selections
apt cyrus-imapd cyrus-admin sasl2-bin rsyslog; rsyslogd || true
sed -i 's|^\t#lmtp\t\tcmd="lmtpd" listen="localhost:lmtp" prefork=0 maxchild=20|\tlmtp\t\tcmd="lmtpd -a" listen="127.0.0.1:2424" prefork=0 maxchild=20|' /etc/cyrus.conf
sed -i -E 's/^(\s+)(pop3|pop3s|nntp|nntps|http|https|sieve)(\s)/\1#\2\3/' /etc/cyrus.conf
sed -i 's|cmd="imapd -U 30" listen="imap"|cmd="imapd -U 30" listen="127.0.0.1:143"|' /etc/cyrus.conf
printf 'admins: cyrus\nservername: mx.news.test\n' >> /etc/imapd.conf
echo x | saslpasswd2 -p -c -u mx.news.test cyrus; chown cyrus:mail /etc/sasldb2
mkdir -p /run/cyrus/socket /run/cyrus/proc /run/cyrus/lock; chown -R cyrus:mail /run/cyrus
/usr/sbin/cyrmaster -d -p /tmp/cyr.pid; sleep 4
printf 'cm user.desk\ncm user.full\nsq user.full STORAGE 1\n' | cyradm --user cyrus --password x --auth PLAIN 127.0.0.1
"$py" -c "import smtplib; l=smtplib.LMTP('127.0.0.1',2424); l.docmd('LHLO','x'); l.sendmail('press@mta.press.test','full@news.test',b'Subject: fill\r\n\r\n'+b'x'*2800+b'\r\n')"
PYTHONPATH=. "$py" "$here/record_r.py" cyrus 2424 unknown-user mailbox-full >> "$here/replies-r.jsonl"
kill "$(cat /tmp/cyr.pid)"
u="postgrey-greylisted spamassassin-spam-rejected rspamd-spam-rejected cyrus-unknown-user cyrus-mailbox-full"
four_senders unseen-u 240 $u
replay  # four_senders stopped it; OpenSMTPD, Sendmail and Courier relay to it too
apt opensmtpd; pkill smtpd || true; cp /tmp/smtpd.conf.sender /etc/smtpd.conf; smtpd -f /etc/smtpd.conf
: > /var/mail/press; "$here/submit.sh" opensmtpd t $u; sleep 150
"$py" "$here/collect.py" opensmtpd "OpenSMTPD 6.8.0p2 (Debian 6.8.0p2-4+b4)" /var/mail/press unseen-u; pkill smtpd || true
apt sendmail-bin sendmail-cf m4 make procmail sensible-mda; cp /tmp/sendmail.mc.sender /etc/mail/sendmail.mc
(cd /etc/mail && m4 sendmail.mc > sendmail.cf && make -s -C /etc/mail); /usr/sbin/sendmail -bd -q20s
: > /var/mail/press; "$here/submit.sh" sendmail t $u; sleep 150
"$py" "$here/collect.py" sendmail "Sendmail 8.17.1.9 (Debian 8.17.1.9-2+deb12u2)" /var/mail/press unseen-u; pkill sendmail || true
apt courier-mta  # the sender settings of set Q's Courier step, again: the receiver step changed them
cd /etc/courier; echo mta.press.test > me; printf 'localhost\nmta.press.test\n' > locals
echo ": [127.0.0.1],2626" > esmtproutes; rm -f sizelimit esmtpacceptmailfor.dir/news; makeacceptmailfor
cd "$repo"; authdaemond start; courier start; rm -f /home/press/Maildir/new/*
"$here/submit.sh" courier t $u; sleep 200; unreplay
"$py" "$here/collect.py" courier "Courier 1.0.16 (Debian 1.0.16-3+b6)" /home/press/Maildir unseen-u
courier stop; authdaemond stop

# Set V: a journalist's own mailbox answering. Dovecot's LMTP with Sieve (a private instance;
# answers sent through submission_host, the replayer), vacation 3.3.3 and Courier's mailbot
# through nullmailer, an Exim filter's vacation. Pigeonhole 0.5.19 knows no "ereject": none.
apt dovecot-lmtpd dovecot-sieve; mkdir -p /tmp/dvv/run /tmp/dvv/state /tmp/dvv/mail
for u in vac rej; do mkdir -p /tmp/dvv/sieve/$u; done
sed -e 's|/tmp/dv/|/tmp/dvv/|g' -e '/^mail_plugins = quota/d' -e '/^lmtp_rcpt_check_quota/d' -e '/^plugin {/,/^}/d' /tmp/dv/dovecot.conf > /tmp/dvv/dovecot.conf
printf 'postmaster_address = postmaster@news.test\nhostname = mx.news.test\nsubmission_host = 127.0.0.1:2626\nprotocol lmtp {\n  mail_plugins = sieve\n}\nplugin {\n  sieve = file:/tmp/dvv/sieve/%%n;active=/tmp/dvv/sieve/%%n/active.sieve\n}\n' >> /tmp/dvv/dovecot.conf
for u in vac rej; do echo "$u@news.test:{PLAIN}x:65534:65534::/tmp/dvv/mail/$u"; done > /tmp/dvv/users
printf 'require "vacation";\nvacation :days 1 :subject "Out of office" "I am away until Monday 7 December. For anything urgent, write to the news desk.";\n' > /tmp/dvv/sieve/vac/active.sieve
printf 'require "reject";\nreject "I do not take press releases at this address; please use the news desk.";\n' > /tmp/dvv/sieve/rej/active.sieve
chown -R nobody:nogroup /tmp/dvv/mail /tmp/dvv/sieve; dovecot -c /tmp/dvv/dovecot.conf; sleep 2
release() {  # the release as submit.sh writes it, to $1
    printf 'From: Press Office <press@mta.press.test>\nTo: <%s>\nSubject: Embargoed release sieve\nDate: %s\nMessage-ID: <v.%s@mta.press.test>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nEmbargoed until 10:00 UTC.\n\nA release for the desk.\n' "$1" "$(date -R)" "$(echo "$1" | tr '@' '.')"
}
lmtp() { release "$1" | "$py" -c "import smtplib,sys; l=smtplib.LMTP('127.0.0.1',2424); l.docmd('LHLO','mta.press.test'); l.sendmail('press@mta.press.test','$1',sys.stdin.buffer.read())"; }
sievev="Dovecot 2.3.19.1 Pigeonhole 0.5.19 (Debian 1:2.3.19.1+dfsg1-2.1+deb12u7)"
keep /tmp/v-dv-vac.mbox; lmtp vac@news.test; sleep 3; unreplay
"$py" "$here/collect.py" answer sieve-vacation "$sievev" /tmp/v-dv-vac.mbox autoreply
keep /tmp/v-dv-rej.mbox; lmtp rej@news.test; sleep 3; unreplay
"$py" "$here/collect.py" answer sieve-reject "$sievev" /tmp/v-dv-rej.mbox rej@news.test
doveadm -c /tmp/dvv/dovecot.conf stop
null_install; apt vacation maildrop
printf 'Subject: away from my desk\n\nI am away until Monday 7 December and will read your message when I am back.\nFor anything urgent, please write to the news desk.\n' > /home/desk/.vacation.msg
chown desk /home/desk/.vacation.msg; su desk -s /bin/sh -c "vacation -i"
keep /tmp/v-vac.mbox
{ echo "From press@mta.press.test $(date -u '+%a %b %e %H:%M:%S %Y')"; release desk@mta.press.test; } | su desk -s /bin/sh -c "vacation desk"
sleep 8; unreplay
"$py" "$here/collect.py" answer vacation "vacation 3.3.3 (Debian 3.3.3) through nullmailer 2.2" /tmp/v-vac.mbox autoreply
printf 'I am out of the office until Monday 7 December.\nYour message has been received and will be read when I return.\n' > /tmp/mailbot.txt
keep /tmp/v-mailbot.mbox
release desk@mta.press.test | mailbot -t /tmp/mailbot.txt -A "From: desk@mta.press.test" -s "Out of office" /usr/sbin/sendmail -t -f ""
sleep 8; unreplay; pkill -f nullmailer-send || true
"$py" "$here/collect.py" answer mailbot "mailbot of Courier maildrop 2.9.3 (Debian 2.9.3-2.1) through nullmailer 2.2" /tmp/v-mailbot.mbox autoreply
apt exim4-daemon-light; update-exim4.conf; exim4 -bd -q20s
printf '# Exim filter\nif personal then\n  vacation\nendif\n' > /home/desk/.forward
printf 'Subject: Out of office\n\nI am away until Monday 7 December. For anything urgent, please write to the news desk.\n' > /home/desk/.vacation.msg
chown desk /home/desk/.forward /home/desk/.vacation.msg
: > /var/mail/press; release desk@mta.press.test | /usr/sbin/sendmail -f press@mta.press.test -- desk@mta.press.test; sleep 8
"$py" "$here/collect.py" answer exim-vacation "Exim 4.96 (Debian 4.96-15+deb12u11), a user's filter" /var/mail/press autoreply
pkill exim4 || true; rm -f /home/desk/.forward

# Set W: Postfix's other stock refusals (record.py w: a private Postfix, an anvil service added
# for the rate limit), replayed to Haraka, nullmailer, Exim and dma. Run in this order on 2026-11-30.
apt postfix; postfix stop || true
PYTHONPATH=. "$py" "$here/record.py" w >> "$here/replies-r.jsonl"
w="postfix-sender-unqualified postfix-content-rejected postfix-rate-limited postfix-too-many-recipients postfix-domain-unresolved"
four_senders unseen-w 240 $w

# Set AB: refusals that ask DNS. dns.py answers on 127.0.0.1:53 while they are recorded
# (resolv.conf points at it, then back): Postfix (record.py ab, with Debian's policyd-spf),
# Haraka's plugins (each alone; XCLIENT names a client in 198.18.0.0/15, since they exempt
# loopback) and Exim's sender verification; then replayed to Haraka, nullmailer, Exim and dma.
# Run in this order on 2026-12-01 (eighth session).
# dns_on/dns_off: resolv.conf at dns.py and back (and back on any exit); packages are
# installed only while it is off, as the mirrors' names are NXDOMAIN to dns.py
dns_off() { cp /tmp/resolv.conf.orig /etc/resolv.conf; trap - EXIT; }
dns_on() {  # on any exit: resolv.conf back, and dns.py stopped
    trap 'dns_off; kill "$(cat /tmp/dns.pid)" 2>/dev/null || true' EXIT
    echo "nameserver 127.0.0.1" > /etc/resolv.conf
}
apt postfix postfix-policyd-spf-python; postfix stop || true
cp /etc/resolv.conf /tmp/resolv.conf.orig; "$py" "$here/dns.py" --mode spf & echo $! > /tmp/dns.pid; sleep 1
dns_on; PYTHONPATH=. "$py" "$here/record.py" ab >> "$here/replies-r.jsonl"
$hk -i /tmp/hk/ab; c=/tmp/hk/ab/config; echo news.test > $c/host_list; echo mx.news.test > $c/me
printf 'listen=127.0.0.1:2529\nnodes=0\n' > $c/smtp.ini
printf '[main]\nzones=bl.test\nperiodic_checks=0\nsearch=all\n[bl.test]\n' > $c/dns-list.ini
printf '[reject]\nno_rdns=true\nno_fcrdns=true\n' > $c/fcrdns.ini
printf '[deny]\nmfrom_fail=true\nhelo_fail=true\n' > $c/spf.ini
for s in client-unknown:fcrdns:gone spf-fail:spf:spf sender-domain-unknown:mail_from.is_resolvable:gone \
        rbl-listed:dns-list:spf; do
    name=${s%%:*}; rest=${s#*:}; echo "${rest#*:}" > /tmp/ab-dns.mode
    printf 'xclient\n%s\nrcpt_to.in_host_list\n' "${rest%%:*}" > $c/plugins
    $hk -c /tmp/hk/ab >/tmp/hk/ab.log 2>&1 & sleep 6
    PYTHONPATH=. "$py" "$here/record_r.py" haraka 2529 "$name" >> "$here/replies-r.jsonl"
    pkill -f "haraka -c /tmp/hk/ab" || true; sleep 2
done
dns_off; apt exim4-daemon-light; cp /etc/exim4/update-exim4.conf.conf /tmp/exim-sender.conf
sed -i "s/^dc_eximconfig_configtype=.*/dc_eximconfig_configtype='internet'/; s/^dc_other_hostnames=.*/dc_other_hostnames='news.test'/; s/^dc_smarthost=.*/dc_smarthost=''/" /etc/exim4/update-exim4.conf.conf
printf 'MAIN_HARDCODE_PRIMARY_HOSTNAME = mx.news.test\nMAIN_RELAY_NETS = 192.0.2.255\nCHECK_RCPT_VERIFY_SENDER = true\n' > /etc/exim4/exim4.conf.localmacros
dns_on; echo gone > /tmp/ab-dns.mode; update-exim4.conf; exim4 -bd -oX 2530; sleep 1
PYTHONPATH=. "$py" "$here/record_r.py" exim 2530 sender-verify-failed >> "$here/replies-r.jsonl"
pkill exim4 || true; dns_off
ab="postfix-rbl-listed postfix-rhsbl-sender postfix-sender-domain-unknown postfix-helo-unknown"
ab="$ab postfix-client-unknown postfix-spf-fail haraka-client-unknown haraka-spf-fail"
ab="$ab haraka-sender-domain-unknown haraka-rbl-listed exim-sender-verify-failed"
four_senders unseen-ab 240 $ab

# Set AC: more refusals that ask DNS (dns.py also publishes a DMARC p=reject record): Postfix
# (record.py ac: postscreen, reject_rhsbl_helo, OpenDMARC as a milter for a client named by
# XCLIENT), Sendmail's dnsbl feature and sender-domain check (its access file's loopback RELAY
# line removed; the hosts entry names mx.news.test instead, so that mta.press.test asks DNS),
# Courier's BLACKLISTS (it gave none); replayed to Haraka, nullmailer, Exim and dma. Run in this
# order on 2026-12-01 (eighth session).
apt postfix postfix-policyd-spf-python opendmarc; postfix stop || true; pkill opendmarc || true
mkdir -p /tmp/odm; echo 192.0.2.255 > /tmp/odm/ignore
printf 'Socket inet:8893@127.0.0.1\nAuthservID mx.accept.test\nIgnoreHosts /tmp/odm/ignore\nRejectFailures true\nSPFSelfValidate true\nSPFIgnoreResults true\nPidFile /tmp/odm/opendmarc.pid\nSyslog false\nUserID root\n' > /tmp/odm/opendmarc.conf
dns_on; echo spf > /tmp/ab-dns.mode; opendmarc -c /tmp/odm/opendmarc.conf; sleep 1
PYTHONPATH=. "$py" "$here/record.py" ac >> "$here/replies-r.jsonl"
pkill opendmarc || true; dns_off
apt sendmail-bin sendmail-cf m4 make procmail sensible-mda; pkill sendmail || true
cd /etc/mail; cp access /tmp/access.orig; cp sendmail.mc /tmp/sendmail.mc.orig; cp /etc/hosts /tmp/hosts.orig
sed -i '/^MAILER_DEFINITIONS/i\
FEATURE(`dnsbl'"'"', `bl.test'"'"')dnl' sendmail.mc
sed -i '/^Connect:127\s/d' access; echo news.test >> local-host-names; m4 sendmail.mc > sendmail.cf; make -s -C /etc/mail
sed -i 's/^127.0.1.1 mta.press.test /127.0.1.1 mx.news.test /' /etc/hosts
cd "$repo"; dns_on; echo spf > /tmp/ab-dns.mode; /usr/sbin/sendmail -bd; sleep 3
PYTHONPATH=. "$py" "$here/record_r.py" sendmail 25 rbl-listed >> "$here/replies-r.jsonl"
echo gone > /tmp/ab-dns.mode
PYTHONPATH=. "$py" "$here/record_r.py" sendmail 25 sender-domain-unknown >> "$here/replies-r.jsonl"
pkill sendmail || true; dns_off; cp /tmp/access.orig /etc/mail/access; cp /tmp/sendmail.mc.orig /etc/mail/sendmail.mc
apt courier-mta; cd /etc/courier; echo mx.news.test > me; printf 'localhost\nnews.test\n' > locals
echo news.test > esmtpacceptmailfor.dir/news; makeacceptmailfor; sed -i '/^127.0.0.1\t/d' smtpaccess/default; makesmtpaccess
sed -i "s/^PORT=.*/PORT=127.0.0.1.2525/; s/^BOFHCHECKDNS=.*/BOFHCHECKDNS=0/; s/^BLACKLISTS=\"\"/BLACKLISTS='-block=bl.test'/" esmtpd
cd "$repo"; dns_on; echo spf > /tmp/ab-dns.mode; authdaemond start; courier start; esmtpd start; sleep 3
PYTHONPATH=. "$py" "$here/record_r.py" courier 2525 rbl-listed >> "$here/replies-r.jsonl"  # accepted: nothing
courier stop; esmtpd stop; authdaemond stop; cp /tmp/hosts.orig /etc/hosts; dns_off
ac="postfix-rhsbl-helo postfix-dmarc-rejected postfix-postscreen-listed sendmail-rbl-listed sendmail-sender-domain-unknown"
four_senders unseen-ac 120 $ac

# Set AD: the senders' own reports on recipient domains that fail in DNS (dns.py: nxdomain.test,
# nullmx.test, servfail.test, timeout.test) or whose MX refuses connections (refused.test: MX
# 127.0.0.2, where nothing listens). Each sender delivers directly while resolv.conf points at
# dns.py; reports come to /var/mail/press, or through the replayer for Haraka. Run in this order on
# 2026-12-01 (eighth session).
for pkg in dma exim4-daemon-light postfix; do  # fetched now: the mirrors are NXDOMAIN to dns.py
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --download-only --no-install-recommends $pkg >/dev/null
done
dns_on; echo gone > /tmp/ab-dns.mode
# Haraka: an instance with no smarthost (MX lookups of its own), but our own domain's mail, the
# reports, to the replayer; local_mx_ok, else it will not connect to a loopback MX
$hk -i /tmp/hk/adout; c=/tmp/hk/adout/config
printf 'relay\nown_domain\n' > $c/plugins; echo mta.press.test > $c/me
printf '[relay]\nacl=true\n' > $c/relay.ini; echo 127.0.0.1/32 > $c/relay_acl_allow
printf 'listen=127.0.0.1:2531\nnodes=0\n' > $c/smtp.ini
printf 'temp_fail_intervals=20s,20s\nenable_tls=false\nlocal_mx_ok=true\n' > $c/outbound.ini
cat > /tmp/hk/adout/plugins/own_domain.js <<'JS'
exports.hook_get_mx = (next, hmail, domain) => {
    if (domain === 'mta.press.test') return next(OK, { priority: 0, exchange: '127.0.0.1', port: 2626 })
    next()
}
JS
$hk -c /tmp/hk/adout >/tmp/hk/adout.log 2>&1 & sleep 5
keep /tmp/ad-hk.mbox; SENDMAIL="$py $here/sendmail_smtp.py 2531" "$here/submit.sh" haraka ad; sleep 150; unreplay
"$py" "$here/collect.py" haraka "$harakav" /tmp/ad-hk.mbox unseen-ad; pkill -f "haraka -c /tmp/hk/adout" || true
# dma with no smarthost; it retries all but the permanent failures for days
apt dma || true; sed -i '/^SMARTHOST /d; /^PORT /d' /etc/dma/dma.conf
: > /var/mail/press; chown press:mail /var/mail/press; "$here/submit.sh" dma ad; sleep 30
"$py" "$here/collect.py" dma "dma 0.13 (Debian 0.13-1+b1)" /var/mail/press unseen-ad
pkill -x dma || true; rm -f /var/spool/dma/*  # the four it would retry for days
# Exim: Debian's "internet" configuration, retry rule F,1m,20s (set Q's edit of the template);
# its dnslookup router ignores MX hosts in 127.0.0.0/8, which is taken out for refused.test
apt exim4-daemon-light; cp /tmp/exim-sender.conf /etc/exim4/update-exim4.conf.conf
sed -i "s/^dc_eximconfig_configtype=.*/dc_eximconfig_configtype='internet'/; s/^dc_smarthost=.*/dc_smarthost=''/" /etc/exim4/update-exim4.conf.conf
echo "MAIN_HARDCODE_PRIMARY_HOSTNAME = mta.press.test" > /etc/exim4/exim4.conf.localmacros
echo "ROUTER_DNSLOOKUP_IGNORE_TARGET_HOSTS = <; 0.0.0.0 ; 255.255.255.255 ; ::/128" >> /etc/exim4/exim4.conf.localmacros
update-exim4.conf; exim4 -bd -q20s
: > /var/mail/press; chown press:mail /var/mail/press; "$here/submit.sh" exim ad; sleep 200
"$py" "$here/collect.py" exim "Exim 4.96 (Debian 4.96-15+deb12u11)" /var/mail/press unseen-ad; pkill exim4 || true
# Postfix: a sender with a two-minute queue lifetime; nothing chrooted, so that its SMTP client
# reads the same resolv.conf
apt postfix; postfix stop || true; cp /etc/postfix/main.cf /tmp/main.cf.orig 2>/dev/null || true
printf '%s\n' 'compatibility_level = 3.6' 'myhostname = mta.press.test' 'myorigin = mta.press.test' \
    'mydestination = mta.press.test, localhost' 'inet_interfaces = loopback-only' 'inet_protocols = ipv4' \
    'relayhost =' 'mynetworks = 127.0.0.0/8' 'alias_maps =' 'alias_database =' \
    'maximal_queue_lifetime = 2m' 'bounce_queue_lifetime = 2m' 'queue_run_delay = 15s' \
    'minimal_backoff_time = 15s' 'maximal_backoff_time = 30s' 'smtp_connect_timeout = 10s' \
    'delay_warning_time = 0' 'smtp_tls_security_level = none' > /etc/postfix/main.cf
postconf -F '*/*/chroot = n'; postfix start
: > /var/mail/press; chown press:mail /var/mail/press; "$here/submit.sh" postfix ad; sleep 200
"$py" "$here/collect.py" postfix "Postfix 3.7.11 (Debian 3.7.11-0+deb12u1)" /var/mail/press unseen-ad
postfix stop; dns_off; kill "$(cat /tmp/dns.pid)"

# Set AE: set AD's recipient domains with Sendmail, OpenSMTPD and Courier delivering directly,
# each with a queue lifetime of about a minute; reports to /var/mail/press or ~press/Maildir. Run
# in this order on 2026-12-01 (eighth session).
"$py" "$here/dns.py" --mode gone & echo $! > /tmp/dns.pid; sleep 1
apt sendmail-bin sendmail-cf m4 make procmail sensible-mda; pkill sendmail || true
cd /etc/mail; cp /tmp/sendmail.mc.orig sendmail.mc
sed -i '/^FEATURE(`no_default_msa/i\
define(`confDOMAIN_NAME'"'"', `mta.press.test'"'"')dnl\
define(`confTO_QUEUERETURN'"'"', `1m'"'"')dnl\
define(`confTO_QUEUEWARN'"'"', `1h'"'"')dnl' sendmail.mc
echo mta.press.test > local-host-names; m4 sendmail.mc > sendmail.cf; make -s -C /etc/mail
cd "$repo"; dns_on; echo gone > /tmp/ab-dns.mode; /usr/sbin/sendmail -bd -q20s
: > /var/mail/press; chown press:mail /var/mail/press; "$here/submit.sh" sendmail ad; sleep 360
"$py" "$here/collect.py" sendmail "Sendmail 8.17.1.9 (Debian 8.17.1.9-2+deb12u2)" /var/mail/press unseen-ae
pkill sendmail || true; rm -f /var/spool/mqueue-client/* /var/spool/mqueue/*; dns_off
apt opensmtpd; pkill smtpd || true
printf '%s\n' 'table aliases file:/etc/aliases' 'queue ttl 1m' 'action "local" mbox alias <aliases>' \
    'action "relay" relay' 'match from local for domain "mta.press.test" action "local"' \
    'match for local action "local"' 'match from local for any action "relay"' > /etc/smtpd.conf
dns_on; smtpd -f /etc/smtpd.conf; sleep 3
: > /var/mail/press; chown press:mail /var/mail/press; "$here/submit.sh" opensmtpd ad; sleep 180
"$py" "$here/collect.py" opensmtpd "OpenSMTPD 6.8.0p2 (Debian 6.8.0p2-4+b4)" /var/mail/press unseen-ae
pkill smtpd || true; dns_off; cp /tmp/smtpd.conf.sender /etc/smtpd.conf
apt courier-mta; cd /etc/courier
echo mta.press.test > me; printf 'localhost\nmta.press.test\n' > locals; echo press.test > defaultdomain
rm -f esmtproutes esmtpacceptmailfor.dir/news; makeacceptmailfor; echo 1m > queuetime
echo 20s > retryalpha; echo 3 > retrybeta; echo 1m > retrygamma
sed -i "s/^BLACKLISTS=.*/BLACKLISTS=\"\"/" esmtpd
cd "$repo"; su press -s /bin/sh -c "mkdir -p ~/Maildir/new ~/Maildir/cur ~/Maildir/tmp"; rm -f /home/press/Maildir/new/*
dns_on; authdaemond start; courier start
"$here/submit.sh" courier ad; sleep 240
"$py" "$here/collect.py" courier "Courier 1.0.16 (Debian 1.0.16-3+b6)" /home/press/Maildir unseen-ae
courier stop; authdaemond stop; rm -rf /var/lib/courier/msgs/* /var/lib/courier/msgq/*  # queued
dns_off; kill "$(cat /tmp/dns.pid)"

# Set AF: refusals of a client that did not encrypt or authenticate: a private Postfix with
# smtpd_tls_security_level = encrypt (record.py af makes the certificate), OpenSMTPD listeners
# with tls-require and with auth; replayed to Haraka, nullmailer, Exim and dma. Run in this order
# on 2026-12-01 (eighth session).
apt postfix; postfix stop || true
PYTHONPATH=. "$py" "$here/record.py" af >> "$here/replies-r.jsonl"
apt opensmtpd; pkill smtpd || true  # /tmp/smtpd.conf.sender holds set Q's sender settings
printf '%s\n' 'pki mx.news.test cert "/tmp/af-tls/cert.pem"' 'pki mx.news.test key "/tmp/af-tls/key.pem"' \
    'listen on 127.0.0.1 port 2532 tls-require pki mx.news.test hostname mx.news.test' \
    'listen on 127.0.0.1 port 2533 tls pki mx.news.test auth hostname mx.news.test' \
    'action "local" mbox' 'match from any for domain "news.test" action "local"' > /etc/smtpd.conf
smtpd -f /etc/smtpd.conf; sleep 3
PYTHONPATH=. "$py" "$here/record_r.py" opensmtpd 2532 tls-required >> "$here/replies-r.jsonl"
PYTHONPATH=. "$py" "$here/record_r.py" opensmtpd 2533 auth-required >> "$here/replies-r.jsonl"
pkill smtpd || true; cp /tmp/smtpd.conf.sender /etc/smtpd.conf
four_senders unseen-af 90 postfix-tls-required opensmtpd-tls-required opensmtpd-auth-required

# Set AG: more stock refusals, recorded in turn: Postfix (record.py ag; sqlgrey 1.8.0 as its
# policy service, since milter-greylist, as registered, is not in bookworm; sqlgrey logs only to
# syslog, so a /dev/log is made if there is none), Debian's Exim configuration with its DNSBL and
# SPF macros on (the DNSBL checks only add a header, and libspf2 passes loopback: neither refused)
# and its local-part check, Sendmail's greet_pause and block_bad_helo (loopback's exemptions taken
# out of its access file; block_bad_helo still exempts 127.0.0.1, named localhost, as a relay
# client, so that probe comes from 127.0.0.5); replayed to Haraka, nullmailer, Exim and dma; then
# chasquid 1.11 as a sender of every permanent refusal recorded. Run in this order on 2026-12-01
# (ninth session).
apt postfix sqlgrey libdbd-sqlite3-perl; postfix stop || true
[ -S /dev/log ] || { "$py" -c 'import os, socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind("/dev/log"); os.chmod("/dev/log", 0o666)
while True: s.recv(65536)' & echo $! > /tmp/devlog.pid; }
mkdir -p /tmp/sg; chown sqlgrey /tmp/sg
cat > /tmp/sqlgrey.conf <<'CONF'
loglevel = 2
log_override = whitelist:1,grey:3,spam:2
reconnect_delay = 5
max_connect_age = 24
awl_age = 60
group_domain_level = 10
db_type = SQLite
db_name = /tmp/sg/sqlgrey.db
inet = 127.0.0.1:2501
pidfile = /tmp/sg/sqlgrey.pid
confdir = /etc/sqlgrey
user = sqlgrey
group = sqlgrey
CONF
sqlgrey -d -f /tmp/sqlgrey.conf; sleep 3
PYTHONPATH=. "$py" "$here/record.py" ag pipelining helo-invalid unknown-user-footer greylisted \
    >> "$here/replies-r.jsonl"
kill "$(cat /tmp/sg/sqlgrey.pid)"; [ -f /tmp/devlog.pid ] && kill "$(cat /tmp/devlog.pid)" && rm -f /dev/log
apt exim4-daemon-heavy  # libspf2 for Debian's CHECK_RCPT_SPF
"$py" "$here/dns.py" --mode spf & echo $! > /tmp/dns.pid; sleep 1
sed -i "s/^dc_eximconfig_configtype=.*/dc_eximconfig_configtype='internet'/; s/^dc_other_hostnames=.*/dc_other_hostnames='news.test'/; s/^dc_smarthost=.*/dc_smarthost=''/" /etc/exim4/update-exim4.conf.conf
printf '%s\n' 'MAIN_HARDCODE_PRIMARY_HOSTNAME = mx.news.test' 'MAIN_RELAY_NETS = 192.0.2.255' \
    'CHECK_RCPT_IP_DNSBLS = bl.test' 'CHECK_RCPT_DOMAIN_DNSBLS = dbl.test/$sender_address_domain' \
    'CHECK_RCPT_SPF = true' > /etc/exim4/exim4.conf.localmacros
echo 'desk: :blackhole:' >> /etc/aliases  # so that the probes' recipient exists
dns_on; echo spf > /tmp/ab-dns.mode; update-exim4.conf; exim4 -bd -oX 2530; sleep 1
PYTHONPATH=. "$py" "$here/record_r.py" exim 2530 rbl-listed rhsbl-sender spf-fail local-part-restricted \
    >> "$here/replies-r.jsonl"  # only local-part-restricted was refused
pkill exim4 || true; dns_off; sed -i '/^desk: :blackhole:$/d' /etc/aliases
apt sendmail-bin sendmail-cf m4 make procmail sensible-mda; pkill sendmail || true
cd /etc/mail; cp access /tmp/access.orig; cp sendmail.mc /tmp/sendmail.mc.orig; cp /etc/hosts /tmp/hosts.orig
sed -i '/^MAILER_DEFINITIONS/i\
FEATURE(`block_bad_helo'"'"')dnl' sendmail.mc  # Debian's has greet_pause already
sed -i '/^[A-Za-z]*:127\s/d' access; grep -q '^news.test$' local-host-names || echo news.test >> local-host-names
m4 sendmail.mc > sendmail.cf; make -s -C /etc/mail
sed -i 's/^127.0.1.1 mta.press.test /127.0.1.1 mx.news.test /' /etc/hosts
cd "$repo"; dns_on; echo spf > /tmp/ab-dns.mode; /usr/sbin/sendmail -bd; sleep 3
PYTHONPATH=. "$py" "$here/record_r.py" sendmail 25 early-talker helo-bogus >> "$here/replies-r.jsonl"
pkill sendmail || true; dns_off; kill "$(cat /tmp/dns.pid)"
cp /tmp/access.orig /etc/mail/access; cp /tmp/sendmail.mc.orig /etc/mail/sendmail.mc; cp /tmp/hosts.orig /etc/hosts
m4 /etc/mail/sendmail.mc > /etc/mail/sendmail.cf; make -s -C /etc/mail
ag="postfix-pipelining postfix-helo-invalid postfix-unknown-user-footer sqlgrey-greylisted"
ag="$ag exim-local-part-restricted sendmail-early-talker sendmail-helo-bogus"
four_senders unseen-ag 150 $ag
# reject_unverified_recipient, recorded last: Postfix's probe goes to the replayer (set Q's
# unknown user), and its stock 450 is given to the four senders in turn
apt postfix; postfix stop || true
replay; PYTHONPATH=. "$py" "$here/record.py" ag unverified-recipient >> "$here/replies-r.jsonl"; unreplay
four_senders unseen-ag 150 postfix-unverified-recipient
# chasquid 1.11 as a sender: its submission port takes mail from its user over TLS only
# (sendmail_smtp.py --login); it has no smarthost, so it finds the replayer as news.test's
# address (dns.py: no MX for news.test; /etc/hosts: 127.0.0.1) on its testing port; its reports
# to press@mta.press.test go through a three-line script that appends them to an mbox
apt chasquid; pkill -x chasquid || true
c=/etc/chasquid; mkdir -p $c/domains/mta.press.test $c/certs/mta.press.test
printf '%s\n' 'hostname: "mta.press.test"' 'smtp_address: "127.0.0.1:2529"' 'submission_address: "127.0.0.1:2530"' \
    'submission_over_tls_address: "127.0.0.1:2531"' 'monitoring_address: ""' 'mail_log_path: "/tmp/chasquid-mail.log"' \
    'mail_delivery_agent_bin: "/tmp/ag-mda.sh"' 'mail_delivery_agent_args: "%to%"' > $c/chasquid.conf
printf '%s\n' '#!/bin/sh' "{ printf 'From MAILER-DAEMON %s\\n' \"\$(date -u '+%a %b %e %T %Y')\"; sed 's/^From />From /'; echo; } >> /tmp/ag-chasquid.mbox" > /tmp/ag-mda.sh
chmod 755 /tmp/ag-mda.sh; : > /tmp/ag-chasquid.mbox; chmod 666 /tmp/ag-chasquid.mbox
openssl req -x509 -newkey rsa:2048 -nodes -keyout $c/certs/mta.press.test/privkey.pem \
    -out $c/certs/mta.press.test/fullchain.pem -days 1 -subj /CN=mta.press.test 2>/dev/null
chasquid-util --configdir=$c user-add press@mta.press.test --password=x
echo "127.0.0.1 news.test" >> /etc/hosts
"$py" "$here/dns.py" --mode spf & echo $! > /tmp/dns.pid; sleep 1; dns_on
chasquid -config_dir=$c -testing__outgoing_smtp_port=2626 >/tmp/chasquid.out 2>&1 & sleep 3
replay
names=$(cd "$here" && "$py" -c 'import replies; print(" ".join(k for k, v in replies.load().items() if v["code"] >= 500))')
SENDMAIL="$py $here/sendmail_smtp.py 2530 --login press@mta.press.test:x" "$here/submit.sh" chasquid t $names
sleep 60; unreplay; pkill -x chasquid || true; dns_off; kill "$(cat /tmp/dns.pid)"; sed -i '/^127.0.0.1 news.test$/d' /etc/hosts
"$py" "$here/collect.py" chasquid "chasquid 1.11 (Debian 1.11-2+b2)" /tmp/ag-chasquid.mbox unseen-ag

# Set AH: a desk address that is a mailing list. mlmmj 1.3.0 and Mailman 3.3.8 host one list per
# scenario (q-<scenario>-1@news.test), each sent our release from press@mta.press.test, not a
# member; their notices go to the replayer by SMTP and are kept; the moderators' own requests are
# dropped before filing (only mail to the sender is a report to it). Run in this order on
# 2026-12-01 (ninth session).
post() {  # post LIST PADDING-LINES PROGRAM: the release, as a list would receive it, on stdout
    printf 'From: Press Office <press@mta.press.test>\nTo: <q-%s-1@news.test>\nSubject: Embargoed release %s\n' "$1" "$3"
    printf 'Date: %s\nMessage-ID: <%s.q-%s-1.news.test@mta.press.test>\nMIME-Version: 1.0\n' "$(date -R)" "$3" "$1"
    printf 'Content-Type: text/plain; charset=utf-8\n\nEmbargoed until 10:00 UTC.\n\nA release for the desk.\n'
    i=0; while [ "$i" -lt "$2" ]; do echo "Background paragraph $i of the release, padded to make it long."; i=$((i+1)); done
}
mbox_keep() {  # mbox_keep MBOX HEADER-REGEX: keep, byte for byte, the messages whose header matches
    "$py" -c 'import re, sys
raw = open(sys.argv[1], "rb").read()
starts = [m.start() for m in re.finditer(rb"^From \S+ .*\n", raw, re.M)] + [len(raw)]
chunks = [raw[a:b] for a, b in zip(starts, starts[1:])]
keep = [c for c in chunks if re.search(sys.argv[2].encode(), c.split(b"\n\n", 1)[0], re.M)]
open(sys.argv[1], "wb").write(b"".join(keep))' "$1" "$2"
}
to_sender() { mbox_keep "$1" '^To: <?press@mta\.press\.test>?\s*$'; }  # the reports to the sender
apt mlmmj; spool=/tmp/mlmmj; rm -rf $spool; mkdir -p $spool
for list in nonmember list-rule list-too-large moderated; do
    printf 'news.test\npostmaster@news.test\nen\n' | mlmmj-make-ml -L "q-$list-1" -s $spool >/dev/null
    echo 127.0.0.1 > $spool/q-$list-1/control/relayhost; echo 2626 > $spool/q-$list-1/control/smtpport
done
touch $spool/q-nonmember-1/control/subonlypost
printf '%s\n' 'deny ^Subject: Embargoed' 'allow' > $spool/q-list-rule-1/control/access
echo 2048 > $spool/q-list-too-large-1/control/maxmailsize
m=$spool/q-moderated-1/control; touch $m/subonlypost $m/modnonsubposts $m/notifymod; echo postmaster@news.test > $m/moderators
keep /tmp/ah-mlmmj.mbox
for list in nonmember list-rule list-too-large moderated; do
    pad=0; [ $list = list-too-large ] && pad=60
    { printf 'Return-Path: <press@mta.press.test>\nDelivered-To: q-%s-1@news.test\n' "$list"; post $list $pad mlmmj; } \
        | /usr/bin/mlmmj-receive -F -L "$spool/q-$list-1"
done
sleep 10; unreplay; to_sender /tmp/ah-mlmmj.mbox
"$py" "$here/collect.py" mlmmj "mlmmj 1.3.0 (Debian 1.3.0-4)" /tmp/ah-mlmmj.mbox unseen-ah
# Mailman 3: Debian's configuration, but no MTA of its own for incoming mail (posts are injected),
# outgoing mail to the replayer; a non-member's post rejected, accepted to meet a Subject rule, or
# held (its default); its size limit (list-size) gave nothing: a non-member accepted skips it
apt mailman3; cp /etc/mailman3/mailman.cfg /tmp/mailman.cfg.orig
sed -i 's/^site_owner: .*/site_owner: postmaster@news.test/; s/^smtp_host: localhost/smtp_host: 127.0.0.1/; s/^smtp_port: 25/smtp_port: 2626/; s/^incoming: mailman.mta.postfix.LMTP/incoming: mailman.mta.null.NullMTA/' /etc/mailman3/mailman.cfg
mkdir -p /run/mailman3; chown list:list /run/mailman3; su list -s /bin/sh -c "mailman start" >/dev/null 2>&1; sleep 8
as_list() { su list -s /bin/sh -c "$1"; }
for list in nonmember list-rule list-size moderated; do as_list "mailman create q-$list-1@news.test"; done
printf '%s\n' 'from mailman.interfaces.action import Action' 'm.default_nonmember_action = Action.reject' 'commit()' \
    | as_list "mailman shell -l q-nonmember-1@news.test"
printf '%s\n' 'from mailman.interfaces.action import Action' 'from mailman.interfaces.mailinglist import IHeaderMatchList' \
    'm.default_nonmember_action = Action.accept' "IHeaderMatchList(m).append('subject', 'Embargoed', 'reject')" 'commit()' \
    | as_list "mailman shell -l q-list-rule-1@news.test"
printf '%s\n' 'from mailman.interfaces.action import Action' 'm.default_nonmember_action = Action.accept' \
    'm.max_message_size = 1' 'commit()' | as_list "mailman shell -l q-list-size-1@news.test"
keep /tmp/ah-mailman.mbox
for list in nonmember list-rule list-size moderated; do
    pad=0; [ $list = list-size ] && pad=60
    post $list $pad mailman > /tmp/ah-post-$list.eml; chmod 644 /tmp/ah-post-$list.eml
    as_list "mailman inject -f /tmp/ah-post-$list.eml q-$list-1@news.test"
done
sleep 40; unreplay; to_sender /tmp/ah-mailman.mbox
"$py" "$here/collect.py" mailman "Mailman 3.3.8 (Debian 3.3.8-2~deb12u2)" /tmp/ah-mailman.mbox unseen-ah
as_list "mailman stop"; cp /tmp/mailman.cfg.orig /etc/mailman3/mailman.cfg

# Set AI: a server that accepts our message, then fails to deliver it to the mailbox, and reports.
# Debian's Postfix as the server of news.test (its own main.cf; reports for mta.press.test to the
# replayer, everything else nowhere), delivering through maildrop to a Maildir with a 100-byte
# quota, through Dovecot's LDA (a private auth service for its user database) to a mailbox with a
# 100-byte quota or to a user it does not know, and by local(8) to a mailbox past
# mailbox_size_limit; Exim's mail_spool with a 2 KB quota; amavisd-new as Postfix's content
# filter bouncing an attachment named as a double extension. Run on 2026-12-01 (ninth session).
apt postfix maildrop dovecot-core; postfix stop || true
for u in q-local-full-1 q-appendfile-full-1 vmail; do id $u >/dev/null 2>&1 || useradd -m $u; done
rm -rf /tmp/ai; mkdir -p /tmp/ai/run; chown vmail /tmp/ai
su vmail -s /bin/sh -c 'maildirmake /tmp/ai/md && maildirmake -q 100S /tmp/ai/md'
printf 'to "/tmp/ai/md"\n' > /tmp/ai/mailfilter; chown vmail /tmp/ai/mailfilter; chmod 600 /tmp/ai/mailfilter
printf 'q-lda-full-1:x:%s:%s::/tmp/ai/dv/q-lda-full-1::\n' "$(id -u vmail)" "$(id -g vmail)" > /tmp/ai/users
cat > /tmp/ai/dovecot.conf <<'CONF'
mail_location = maildir:/tmp/ai/dv/%u
userdb {
  driver = passwd-file
  args = /tmp/ai/users
}
mail_plugins = quota
plugin {
  quota = maildir:User quota
  quota_rule = *:storage=100B
  quota_full_tempfail = no
}
log_path = /tmp/ai/dovecot.log
base_dir = /tmp/ai/run
protocols =
ssl = no
passdb {
  driver = passwd-file
  args = /tmp/ai/users
}
service auth {
  unix_listener auth-userdb {
    mode = 0666
  }
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
CONF
chown vmail /tmp/ai/dovecot.conf; dovecot -c /tmp/ai/dovecot.conf
head -c 30000 /dev/zero | tr '\0' 'x' | fold -w 70 > /var/mail/q-local-full-1; chown q-local-full-1:mail /var/mail/q-local-full-1
cat > /etc/postfix/main.cf <<'CONF'
compatibility_level = 3.6
myhostname = mx.news.test
mydomain = news.test
myorigin = news.test
mydestination = news.test, localhost
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost =
default_transport = error:nothing leaves this machine
transport_maps = inline:{mta.press.test=smtp:[127.0.0.1]:2626, q-maildrop-full-1@news.test=maildrop:, q-lda-full-1@news.test=dovecot:, q-lda-unknown-1@news.test=dovecot:}
local_recipient_maps =
alias_maps =
alias_database =
mailbox_size_limit = 20480
message_size_limit = 10240
maximal_queue_lifetime = 1m
bounce_queue_lifetime = 1m
queue_run_delay = 20s
minimal_backoff_time = 10s
maximal_backoff_time = 20s
smtputf8_enable = no
maillog_file = /var/log/postfix-ai.log
CONF
cp /usr/share/postfix/master.cf.dist /etc/postfix/master.cf
# master.cf.dist defines a maildrop service too; Postfix's master takes the last one, this one,
# and says so in its log (as it was run)
cat >> /etc/postfix/master.cf <<'CONF'
maildrop  unix  -       n       n       -       -       pipe flags=DRhu user=vmail argv=/usr/bin/maildrop -w 90 /tmp/ai/mailfilter
dovecot   unix  -       n       n       -       -       pipe flags=DRhu user=vmail argv=/usr/lib/dovecot/dovecot-lda -c /tmp/ai/dovecot.conf -f ${sender} -d ${user}
CONF
to25="$py $here/sendmail_smtp.py 25"; pfv="Postfix 3.7.11 (Debian 3.7.11-0+deb12u1)"
postfix start; sleep 2
keep /tmp/ai-postfix.mbox; SENDMAIL=$to25 "$here/submit.sh" postfix t maildrop-full local-full; sleep 150; unreplay
keep /tmp/ai-lda.mbox; SENDMAIL=$to25 "$here/submit.sh" postfix t lda-full; sleep 30; unreplay  # Dovecot reports it
keep /tmp/ai-lda2.mbox; SENDMAIL=$to25 "$here/submit.sh" postfix t lda-unknown; sleep 30; unreplay; postfix stop
"$py" "$here/collect.py" postfix "$pfv with maildrop 2.9.3" /tmp/ai-postfix.mbox unseen-ai # local-full's label names local(8), by hand
"$py" "$here/collect.py" dovecot "Dovecot 2.3.19.1 LDA (Debian) behind Postfix 3.7.11" /tmp/ai-lda.mbox unseen-ai
"$py" "$here/collect.py" postfix "$pfv with Dovecot 2.3.19.1 LDA" /tmp/ai-lda2.mbox unseen-ai
apt exim4-daemon-light; pkill exim4 || true
head -c 5000 /dev/zero | tr '\0' 'x' | fold -w 70 > /var/mail/q-appendfile-full-1
chown q-appendfile-full-1:mail /var/mail/q-appendfile-full-1; chmod 660 /var/mail/q-appendfile-full-1
cp /tmp/exim-sender.conf /etc/exim4/update-exim4.conf.conf
sed -i "s/^dc_other_hostnames=.*/dc_other_hostnames='news.test'/" /etc/exim4/update-exim4.conf.conf
echo "MAIN_HARDCODE_PRIMARY_HOSTNAME = mx.news.test" > /etc/exim4/exim4.conf.localmacros
t=/etc/exim4/exim4.conf.template; cp $t /tmp/exim4.conf.template.orig
sed -i '/^mail_spool:/,/^  mode_fail_narrower = false/ s/^  mode_fail_narrower = false$/  mode_fail_narrower = false\n  quota = 2K/' $t
update-exim4.conf; exim4 -bd -q20s
keep /tmp/ai-exim.mbox; "$here/submit.sh" exim t appendfile-full; sleep 130; unreplay
pkill exim4 || true; cp /tmp/exim4.conf.template.orig $t; cp /tmp/exim-sender.conf /etc/exim4/update-exim4.conf.conf
"$py" "$here/collect.py" exim "Exim 4.96 (Debian 4.96-15+deb12u11)" /tmp/ai-exim.mbox unseen-ai
# installing Exim removed Postfix but kept its configuration (not purged): set AI's main.cf and
# master.cf come back with it; content_filter and default_transport stay set after this step
apt amavisd-new postfix
cat > /etc/amavis/conf.d/50-user <<'CONF'
use strict;
$myhostname = 'mx.news.test';
$final_banned_destiny = D_BOUNCE;
$notify_method = 'smtp:[127.0.0.1]:10025';
$forward_method = 'smtp:[127.0.0.1]:10025';
@bypass_virus_checks_maps = (1);
@bypass_spam_checks_maps = (1);
1;
CONF
cat >> /etc/postfix/master.cf <<'CONF'
smtp-amavis unix -      -       n       -       2       smtp -o smtp_data_done_timeout=1200 -o smtp_send_xforward_command=yes -o disable_dns_lookups=yes
127.0.0.1:10025 inet n  -       n       -       -       smtpd -o content_filter= -o local_recipient_maps= -o smtpd_recipient_restrictions=permit_mynetworks,reject -o mynetworks=127.0.0.0/8 -o receive_override_options=no_unknown_recipient_checks,no_header_body_checks
CONF
postconf -e content_filter=smtp-amavis:[127.0.0.1]:10024; /usr/sbin/amavisd; sleep 5; postfix start; sleep 2
keep /tmp/ai-amavis.mbox; "$py" - <<'PY'
import smtplib
from email.message import EmailMessage
from email.utils import formatdate

msg = EmailMessage()
msg["From"] = "Press Office <press@mta.press.test>"
msg["To"] = "<q-banned-attachment-1@news.test>"
msg["Subject"] = "Embargoed release postfix"
msg["Date"] = formatdate(localtime=True)
msg["Message-ID"] = "<postfix.q-banned-attachment-1.news.test@mta.press.test>"
msg.set_content("Embargoed until 10:00 UTC.\n\nA release for the desk.\n")
msg.add_attachment(b"MZ" + b"\0" * 256, maintype="application", subtype="octet-stream",
                   filename="press-kit.pdf.exe")
with smtplib.SMTP("127.0.0.1", 25, local_hostname="mta.press.test", timeout=30) as smtp:
    smtp.send_message(msg, from_addr="press@mta.press.test", to_addrs=["q-banned-attachment-1@news.test"])
PY
sleep 30; unreplay; postfix stop; pkill amavisd || true; to_sender /tmp/ai-amavis.mbox
"$py" "$here/collect.py" amavis "amavisd-new 2.13.0 (Debian) behind Postfix 3.7.11" /tmp/ai-amavis.mbox unseen-ai
doveadm -c /tmp/ai/dovecot.conf stop || true

# Set AJ: an address that forwards to a mailbox that is gone. Postfix (a virtual alias), Exim (an
# alias, set Q's smarthost configuration with news.test local) and OpenSMTPD (an alias table)
# each forward q-forward-gone-1@news.test to q-unknown-user-2@elsewhere.test, which the replayer
# refuses as set Q's unknown user; each reports to the sender through the replayer. Run in this
# order on 2026-12-01 (ninth session).
# Postfix: a virtual alias to the other domain; everything not local to the replayer
apt postfix; postfix stop || true
cat > /etc/postfix/main.cf <<'CONF'
compatibility_level = 3.6
myhostname = mx.news.test
mydomain = news.test
myorigin = news.test
mydestination = localhost
virtual_alias_domains = news.test
virtual_alias_maps = inline:{q-forward-gone-1@news.test=q-unknown-user-2@elsewhere.test}
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:2626
alias_maps =
alias_database =
smtputf8_enable = no
maillog_file = /var/log/postfix-aj.log
CONF
cp /usr/share/postfix/master.cf.dist /etc/postfix/master.cf
postfix start; sleep 2
keep /tmp/aj-postfix.mbox; SENDMAIL="$py $here/sendmail_smtp.py 25" "$here/submit.sh" postfix t forward-gone; sleep 20; unreplay; postfix stop
rm -f /etc/postfix/main.cf; cp /usr/share/postfix/master.cf.dist /etc/postfix/master.cf
# Exim: set Q's smarthost configuration with news.test local, an alias in /etc/aliases
apt exim4-daemon-light; pkill exim4 || true
cp /tmp/exim-sender.conf /etc/exim4/update-exim4.conf.conf
sed -i "s/^dc_other_hostnames=.*/dc_other_hostnames='news.test'/" /etc/exim4/update-exim4.conf.conf
echo "MAIN_HARDCODE_PRIMARY_HOSTNAME = mx.news.test" > /etc/exim4/exim4.conf.localmacros
echo 'q-forward-gone-1: q-unknown-user-2@elsewhere.test' >> /etc/aliases
update-exim4.conf; exim4 -bd -q20s
keep /tmp/aj-exim.mbox; "$here/submit.sh" exim t forward-gone; sleep 30; unreplay; pkill exim4 || true
sed -i '/^q-forward-gone-1: /d' /etc/aliases; cp /tmp/exim-sender.conf /etc/exim4/update-exim4.conf.conf
# OpenSMTPD: an alias table, mail for other domains to the replayer
apt opensmtpd; pkill smtpd || true; cp /etc/smtpd.conf /tmp/smtpd.conf.aj
echo 'q-forward-gone-1: q-unknown-user-2@elsewhere.test' > /tmp/aj-aliases
cat > /etc/smtpd.conf <<'CONF'
table aliases file:/tmp/aj-aliases
queue ttl 1m
action "local" mbox alias <aliases>
action "relay" relay host smtp://127.0.0.1:2626
match from local for domain "news.test" action "local"
match from local for any action "relay"
CONF
smtpd -f /etc/smtpd.conf; sleep 2
keep /tmp/aj-opensmtpd.mbox; "$here/submit.sh" opensmtpd t forward-gone; sleep 40; unreplay; pkill smtpd || true
cp /tmp/smtpd.conf.aj /etc/smtpd.conf
"$py" "$here/collect.py" postfix "Postfix 3.7.11 (Debian 3.7.11-0+deb12u1)" /tmp/aj-postfix.mbox unseen-aj
"$py" "$here/collect.py" exim "Exim 4.96 (Debian 4.96-15+deb12u11)" /tmp/aj-exim.mbox unseen-aj
"$py" "$here/collect.py" opensmtpd "OpenSMTPD 6.8.0p2 (Debian 6.8.0p2-4+b4)" /tmp/aj-opensmtpd.mbox unseen-aj

# Set AK: a list moderator's rejection of a held post. mlmmj 1.3.0 (with notifymod) tells the poster
# the post waits, and nothing when its moderator rejects it (a mail to list+reject-<cookie>): none
# filed. Mailman 3 (set AH's configuration): a post held by default, rejected by its moderator
# with a reason; a list answering every post with its auto-response (autorespond_postings) sent
# nothing, having no response text. Run in this order on 2026-12-01 (ninth session).
spool=/tmp/mlmmj-ak; rm -rf $spool; mkdir -p $spool; list=mod-rejected
printf 'news.test\npostmaster@news.test\nen\n' | mlmmj-make-ml -L "q-$list-1" -s $spool >/dev/null
m=$spool/q-$list-1/control; echo 127.0.0.1 > $m/relayhost; echo 2626 > $m/smtpport
touch $m/subonlypost $m/modnonsubposts $m/notifymod; echo postmaster@news.test > $m/moderators
keep /tmp/ak-mlmmj.mbox
{ printf 'Return-Path: <press@mta.press.test>\nDelivered-To: q-%s-1@news.test\n' "$list"; post $list 0 mlmmj; } \
    | /usr/bin/mlmmj-receive -F -L "$spool/q-$list-1"
sleep 3; cookie=$(ls $spool/q-$list-1/moderation | head -1)
printf 'Return-Path: <postmaster@news.test>\nDelivered-To: q-%s-1+reject-%s@news.test\nFrom: postmaster@news.test\nTo: q-%s-1+reject-%s@news.test\nSubject: reject\n\n' \
    "$list" "$cookie" "$list" "$cookie" | /usr/bin/mlmmj-receive -F -L "$spool/q-$list-1"
sleep 8; unreplay  # the operation log says "rejected"; only the moderators' request and the wait notice came
sed -i 's/^site_owner: .*/site_owner: postmaster@news.test/; s/^smtp_host: localhost/smtp_host: 127.0.0.1/; s/^smtp_port: 25/smtp_port: 2626/; s/^incoming: mailman.mta.postfix.LMTP/incoming: mailman.mta.null.NullMTA/' /etc/mailman3/mailman.cfg
mkdir -p /run/mailman3; chown list:list /run/mailman3
su list -s /bin/sh -c "mailman start" >/dev/null 2>&1 </dev/null; sleep 8
for list in mod-rejected autoresponse; do as_list "mailman create q-$list-1@news.test"; done
printf '%s\n' 'from mailman.interfaces.action import Action' 'from mailman.interfaces.autorespond import ResponseAction' \
    'm.default_nonmember_action = Action.accept' 'm.autorespond_postings = ResponseAction.respond_and_continue' 'commit()' \
    | as_list "mailman shell -l q-autoresponse-1@news.test"
keep /tmp/ak-mailman.mbox
for list in mod-rejected autoresponse; do
    post $list 0 mailman > /tmp/ak-post-$list.eml; chmod 644 /tmp/ak-post-$list.eml
    as_list "mailman inject -f /tmp/ak-post-$list.eml q-$list-1@news.test"
done
sleep 20
printf '%s\n' 'from mailman.app.moderator import handle_message' 'from mailman.interfaces.action import Action' \
    'from mailman.interfaces.requests import IListRequests' \
    "done = [handle_message(m, r.id, Action.reject, 'Releases go to the news desk address, not this list.') for r in list(IListRequests(m).held_requests)]" \
    'commit()' | as_list "mailman shell -l q-mod-rejected-1@news.test"
sleep 30; unreplay; as_list "mailman stop"; cp /tmp/mailman.cfg.orig /etc/mailman3/mailman.cfg
to_sender /tmp/ak-mailman.mbox  # the rejection; the wait notice, as set AH's, is not filed again
mbox_keep /tmp/ak-mailman.mbox '^Subject: Request to mailing list .* rejected'
"$py" "$here/collect.py" mailman "Mailman 3.3.8 (Debian 3.3.8-2~deb12u2)" /tmp/ak-mailman.mbox unseen-ak

# Set AL: a desk address that is a Sympa list. Debian's Sympa 6.2.70 (SQLite) hosts one list per
# scenario; its mail goes out through a sendmail(8) stand-in that passes it by SMTP to the replayer,
# which keeps it; posts are queued as the MTA's alias would (queue, as user sympa); the moderator's
# REJECT is a mail command to sympa@. Then fetchmail 6.4.37 as a sender: our release in a Dovecot
# IMAP mailbox, fetched and forwarded to the replayer, which refuses it with each permanent refusal;
# fetchmail's reports go to localhost:25, a second replayer that keeps them. Run in this order on
# 2026-12-01 (tenth session).
sympa_install() {  # sympa_install [PACKAGE...]: Sympa (SQLite), its sendmail stand-in, and more
    echo "sympa sympa/dbconfig-install boolean true" | debconf-set-selections
    echo "sympa sympa/database-type select sqlite3" | debconf-set-selections
    echo "sympa sympa/listmaster string postmaster@news.test" | debconf-set-selections
    echo "sympa sympa/hostname string news.test" | debconf-set-selections
    apt sympa rsyslog "$@"; rsyslogd 2>/dev/null || true; mkdir -p /run/sympa; chown sympa:sympa /run/sympa
    cat > /tmp/al-sendmail <<'PY'
#!/usr/bin/python3
"""A sendmail(8) stand-in for Sympa: pass the message by SMTP to the loopback replayer."""
import smtplib, sys
args, sender, rcpts = sys.argv[1:], "", []
while args:
    a = args.pop(0)
    if a == "-f":
        sender = args.pop(0)
    elif a == "-N":
        args.pop(0)
    elif a == "--":
        rcpts, args = args, []
    elif not a.startswith("-"):
        rcpts.append(a)
data = sys.stdin.buffer.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")  # SMTP lines end CRLF
with smtplib.SMTP("127.0.0.1", 2626, local_hostname="news.test") as s:
    s.sendmail(sender, rcpts, data)
PY
    chmod 755 /tmp/al-sendmail; cp /etc/sympa/sympa/sympa.conf /tmp/sympa.conf.orig
    printf '%s\n' 'sendmail	/tmp/al-sendmail' 'sendmail_args	-oi' 'sendmail_aliases	none' >> /etc/sympa/sympa/sympa.conf
}
sympa_install
d=/var/lib/sympa/list_data
for list in nonmember list-closed list-too-large moderated mod-rejected; do
    printf '<?xml version="1.0" ?>\n<list><listname>q-%s-1</listname><type>discussion_list</type><subject>News desk</subject><description>The news desk</description><status>open</status><topic>other</topic><owner multiple="1"><email>postmaster@news.test</email></owner></list>\n' $list > /tmp/al-$list.xml
    su sympa -s /bin/sh -c "/usr/lib/sympa/bin/sympa.pl --create_list --robot news.test --input_file /tmp/al-$list.xml"
done
set_send() { sed -i "s/^send .*/send $2/" $d/q-$1-1/config; }
set_send nonmember private; set_send list-closed closed; set_send list-too-large public
set_send moderated editorkey; set_send mod-rejected editorkey; printf '\nmax_size 2048\n' >> $d/q-list-too-large-1/config
keep /tmp/al-sympa.mbox
su sympa -s /bin/sh -c /usr/lib/sympa/bin/sympa_msg.pl; su sympa -s /bin/sh -c /usr/lib/sympa/bin/bulk.pl
for list in nonmember list-closed list-too-large moderated mod-rejected; do
    pad=0; [ $list = list-too-large ] && pad=60
    { printf 'Return-Path: <press@mta.press.test>\n'; post $list $pad sympa; } | su sympa -s /bin/sh -c "/usr/lib/sympa/bin/queue q-$list-1@news.test"
done
sleep 30; key=$(ls /var/spool/sympa/moderation/ | sed -n 's/^q-mod-rejected-1@news.test_\([0-9a-f]*\)$/\1/p')
printf 'Return-Path: <postmaster@news.test>\nFrom: postmaster@news.test\nTo: sympa@news.test\nSubject: REJECT q-mod-rejected-1 %s\nDate: %s\nMessage-ID: <reject.%s@news.test>\n\nREJECT q-mod-rejected-1 %s\n' \
    "$key" "$(date -R)" "$key" "$key" | su sympa -s /bin/sh -c "/usr/lib/sympa/bin/queue sympa@news.test"
sleep 20; unreplay; pkill -f sympa_msg.pl; pkill -f bulk.pl; cp /tmp/sympa.conf.orig /etc/sympa/sympa/sympa.conf
to_sender /tmp/al-sympa.mbox  # the notices to the sender; the wait notice of the rejected post is not filed
mbox_keep /tmp/al-sympa.mbox '\A(?!From q-mod-rejected-1-owner@news\.test .*\n(?:.*\n)*Subject: Message distribution\s*$)'
"$py" "$here/collect.py" sympa "Sympa 6.2.70 (Debian 6.2.70~dfsg-2+deb12u2)" /tmp/al-sympa.mbox unseen-al
# fetchmail: its host name fetch.news.test (/etc/hosts, first line); a private Dovecot serves IMAP
apt fetchmail dovecot-imapd; sed -i '1i 127.0.1.1 fetch.news.test vm' /etc/hosts
mkdir -p /tmp/fm/run /tmp/fm/state /tmp/fm/mail; chown nobody:nogroup /tmp/fm/mail
printf '%s\n' 'protocols = imap' 'listen = 127.0.0.1' 'base_dir = /tmp/fm/run' 'state_dir = /tmp/fm/state' \
    'log_path = /tmp/fm/log' 'ssl = no' 'disable_plaintext_auth = no' 'first_valid_uid = 0' 'mail_location = maildir:/tmp/fm/mail/%n' \
    'passdb {' 'driver = passwd-file' 'args = /tmp/fm/users' '}' 'userdb {' 'driver = passwd-file' 'args = /tmp/fm/users' '}' \
    'service imap-login {' 'inet_listener imap {' 'address = 127.0.0.1' 'port = 1143' '}' 'inet_listener imaps {' 'port = 0' '}' '}' \
    'service pop3-login {' 'inet_listener pop3 {' 'port = 0' '}' '}' > /tmp/fm/dovecot.conf
printf 'desk:{PLAIN}x:65534:65534::/tmp/fm/mail/desk\n' > /tmp/fm/users; dovecot -c /tmp/fm/dovecot.conf; sleep 2
printf '%s\n' '#!/bin/sh' '# submit.sh'"'"'s sendmail: deliver to the desk mailbox as a provider would (deliver -f SENDER -- RCPT)' \
    '{ printf '"'"'Return-Path: <%s>\nDelivered-To: %s\n'"'"' "$2" "$4"; cat; } | /usr/lib/dovecot/dovecot-lda -c /tmp/fm/dovecot.conf -d desk -f "$2"' > /tmp/fm/deliver
chmod 755 /tmp/fm/deliver; replay
names=$(cd "$here" && "$py" -c 'import replies; print(" ".join(k for k, v in replies.load().items() if v["code"] >= 500))')
for mode in soft hard; do  # soft: fetchmail's defaults; hard: "set no softbounce"
    PYTHONPATH=. "$py" "$here/replay.py" --port 25 --keep /tmp/al-fetchmail-$mode.mbox & echo $! > /tmp/replay25.pid; sleep 2
    for name in $names; do
        rm -rf /tmp/fm/mail/desk; SENDMAIL=/tmp/fm/deliver "$here/submit.sh" fetchmail t "$name"
        { [ $mode = hard ] && echo 'set no softbounce'
          printf 'poll 127.0.0.1 service 1143 protocol IMAP\n    user "desk" password "x" is desk here\n    sslproto "" smtphost 127.0.0.1/2626 smtpname "q-%s-1@news.test"\n' "$name"; } > /tmp/fm/rc
        chmod 600 /tmp/fm/rc; FETCHMAILHOME=/tmp/fm fetchmail -f /tmp/fm/rc --nosyslog >> /tmp/fm/fetchmail-$mode.log 2>&1 || true
    done
    sleep 2; kill "$(cat /tmp/replay25.pid)"
done
unreplay; doveadm -c /tmp/fm/dovecot.conf stop; sed -i '/^127.0.1.1 fetch.news.test vm$/d' /etc/hosts
# the hard mode's 52 reports are the soft mode's, byte for byte but for dates and boundaries: not filed
"$py" "$here/collect.py" fetchmail "fetchmail 6.4.37 (Debian 6.4.37-1)" /tmp/al-fetchmail-soft.mbox unseen-al

# Set AM: filters in front of mailboxes. clamav-milter 1.4.6 (OnInfected Reject; clamd with a local
# signature for the EICAR test file, as this machine cannot fetch ClamAV's databases) and
# MIMEDefang 3.3's stock filter behind a private Postfix (record.py am); Exim 4.96 with greylistd
# 0.9 as greylistd-setup-exim4 sets it (record_r.py, from 127.0.0.5: greylistd's stock whitelist
# holds 127.0.0.1). Replayed to Haraka, nullmailer, Exim and dma, then fetchmail (set AL's way).
# Run in this order on 2026-12-01 (tenth session).
apt clamav-daemon clamav-milter mimedefang; mkdir -p /run/clamav /run/mimedefang /var/log/clamav
chown clamav:clamav /run/clamav /var/log/clamav; chown defang /run/mimedefang
eicar='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
echo "Eicar-Test-Signature:0:*:$(printf '%s' "$eicar" | od -An -tx1 | tr -d ' \n')" > /var/lib/clamav/local.ndb
clamd; sleep 5
sed -e 's|^MilterSocket .*|MilterSocket inet:7357@127.0.0.1|' -e 's|^OnInfected .*|OnInfected Reject|' \
    /etc/clamav/clamav-milter.conf > /tmp/am-clamav-milter.conf; clamav-milter -c /tmp/am-clamav-milter.conf
mimedefang-multiplexor -U defang -s /var/spool/MIMEDefang/mimedefang-multiplexor.sock -p /run/mimedefang/mx.pid
mimedefang -U defang -p inet:7358@127.0.0.1 -m /var/spool/MIMEDefang/mimedefang-multiplexor.sock -P /run/mimedefang/md.pid; sleep 2
apt postfix; postfix stop || true
PYTHONPATH=. "$py" "$here/record.py" am >> "$here/replies-r.jsonl"
pkill clamav-milter; pkill clamd; pkill -f mimedefang || true
apt exim4-daemon-light greylistd; cp /etc/exim4/exim4.conf.template /tmp/exim4.conf.template.am
sed -i "s/^dc_eximconfig_configtype=.*/dc_eximconfig_configtype='internet'/; s/^dc_other_hostnames=.*/dc_other_hostnames='news.test'/; s/^dc_smarthost=.*/dc_smarthost=''/" /etc/exim4/update-exim4.conf.conf
printf 'MAIN_HARDCODE_PRIMARY_HOSTNAME = mx.news.test\nMAIN_RELAY_NETS = 192.0.2.255\n' > /etc/exim4/exim4.conf.localmacros
greylistd-setup-exim4 add; update-exim4.conf; mkdir -p /run/greylistd; chown greylist:greylist /run/greylistd
su greylist -s /bin/sh -c greylistd & sleep 2; exim4 -bd -oX 2530; sleep 1
PYTHONPATH=. "$py" "$here/record_r.py" greylistd 2530 greylisted >> "$here/replies-r.jsonl"
pkill exim4; pkill -f greylistd; greylistd-setup-exim4 remove; cp /tmp/exim4.conf.template.am /etc/exim4/exim4.conf.template
am="clamav-virus-rejected mimedefang-type-rejected greylistd-greylisted"
four_senders unseen-am 150 $am
# fetchmail, its defaults (set AL's Dovecot, deliver script and rc), reports to localhost:25
apt fetchmail dovecot-imapd; sed -i '1i 127.0.1.1 fetch.news.test vm' /etc/hosts; dovecot -c /tmp/fm/dovecot.conf; sleep 2
replay; PYTHONPATH=. "$py" "$here/replay.py" --port 25 --keep /tmp/am-fetchmail.mbox & echo $! > /tmp/replay25.pid; sleep 2
for name in $am; do
    rm -rf /tmp/fm/mail/desk; SENDMAIL=/tmp/fm/deliver "$here/submit.sh" fetchmail t "$name"
    printf 'poll 127.0.0.1 service 1143 protocol IMAP\n    user "desk" password "x" is desk here\n    sslproto "" smtphost 127.0.0.1/2626 smtpname "q-%s-1@news.test"\n' "$name" > /tmp/fm/rc
    chmod 600 /tmp/fm/rc; FETCHMAILHOME=/tmp/fm fetchmail -f /tmp/fm/rc --nosyslog || true
done
sleep 2; kill "$(cat /tmp/replay25.pid)"; unreplay; doveadm -c /tmp/fm/dovecot.conf stop; sed -i '/^127.0.1.1 fetch.news.test vm$/d' /etc/hosts
"$py" "$here/collect.py" fetchmail "fetchmail 6.4.37 (Debian 6.4.37-1)" /tmp/am-fetchmail.mbox unseen-am
# Set AN: the list managers' answers in other languages. Sympa (set AL's lists, `lang` set per run;
# Arabic added to supported_lang, which does not list it by default), mlmmj (the registered
# languages its package ships: fr, zh-cn, de) and Mailman 3 (set AH's configuration, the list's
# preferred_language per run). Run in this order on 2026-12-01 (tenth session).
cp /tmp/sympa.conf.orig /etc/sympa/sympa/sympa.conf
printf '%s\n' 'sendmail	/tmp/al-sendmail' 'sendmail_args	-oi' 'sendmail_aliases	none' \
    'supported_lang	ca,cs,de,el,en-US,es,et,eu,fi,fr,gl,hu,it,ja,ko,nb,nl,oc,pl,pt-BR,ru,sv,tr,vi,zh-CN,zh-TW,ar' >> /etc/sympa/sympa/sympa.conf
sympa_langs() {  # sympa_langs PREFIX LANG...: Sympa's four notices in each language (set AL's lists)
    p=$1; shift
    for lang in "$@"; do
        tag=sympa-$(echo "$lang" | tr 'A-Z' 'a-z')
        for list in nonmember list-too-large moderated mod-rejected; do
            sed -i '/^lang /d' $d/q-$list-1/config; printf '\nlang %s\n' "$lang" >> $d/q-$list-1/config
        done
        rm -f /var/spool/sympa/moderation/*; keep /tmp/$p-$tag.mbox
        su sympa -s /bin/sh -c /usr/lib/sympa/bin/sympa_msg.pl; su sympa -s /bin/sh -c /usr/lib/sympa/bin/bulk.pl; sleep 2
        for list in nonmember list-too-large moderated mod-rejected; do
            pad=0; [ $list = list-too-large ] && pad=60
            { printf 'Return-Path: <press@mta.press.test>\n'; post $list $pad "$tag"; } | su sympa -s /bin/sh -c "/usr/lib/sympa/bin/queue q-$list-1@news.test"
        done
        sleep 30; key=$(ls /var/spool/sympa/moderation/ | sed -n 's/^q-mod-rejected-1@news.test_\([0-9a-f]*\)$/\1/p')
        printf 'Return-Path: <postmaster@news.test>\nFrom: postmaster@news.test\nTo: sympa@news.test\nSubject: REJECT q-mod-rejected-1 %s\nDate: %s\nMessage-ID: <reject.%s.%s@news.test>\n\nREJECT q-mod-rejected-1 %s\n' \
            "$key" "$(date -R)" "$tag" "$key" "$key" | su sympa -s /bin/sh -c "/usr/lib/sympa/bin/queue sympa@news.test"
        sleep 20; unreplay; pkill -f sympa_msg.pl; pkill -f bulk.pl; sleep 3
        to_sender /tmp/$p-$tag.mbox  # and the rejected post's wait notice (from sympa@) is not filed
        mbox_keep /tmp/$p-$tag.mbox '\A(?!From q-mod-rejected-1-owner@news\.test .*\n(?:.*\n)*From: .*<sympa@news\.test>)'
        "$py" "$here/collect.py" $tag "Sympa 6.2.70 (Debian $(dpkg-query -W -f '${Version}' sympa))" /tmp/$p-$tag.mbox "unseen-$p"
    done
}
sympa_langs an fr es ru ar zh-CN de
cp /tmp/sympa.conf.orig /etc/sympa/sympa/sympa.conf
mlmmj_langs() {  # mlmmj_langs PREFIX LANG...: mlmmj's three notices in each language
    p=$1; shift
    for lang in "$@"; do
        tag=mlmmj-$lang; spool=/tmp/mlmmj-$p-$lang; rm -rf $spool; mkdir -p $spool
        for list in nonmember list-too-large moderated; do
            printf 'news.test\npostmaster@news.test\n%s\n' "$lang" | mlmmj-make-ml -L "q-$list-1" -s $spool >/dev/null
            echo 127.0.0.1 > $spool/q-$list-1/control/relayhost; echo 2626 > $spool/q-$list-1/control/smtpport
        done
        touch $spool/q-nonmember-1/control/subonlypost; echo 2048 > $spool/q-list-too-large-1/control/maxmailsize
        m=$spool/q-moderated-1/control; touch $m/subonlypost $m/modnonsubposts $m/notifymod; echo postmaster@news.test > $m/moderators
        keep /tmp/$p-$tag.mbox
        for list in nonmember list-too-large moderated; do
            pad=0; [ $list = list-too-large ] && pad=60
            { printf 'Return-Path: <press@mta.press.test>\nDelivered-To: q-%s-1@news.test\n' "$list"; post $list $pad "$tag"; } \
                | /usr/bin/mlmmj-receive -F -L "$spool/q-$list-1"
        done
        sleep 10; unreplay; to_sender /tmp/$p-$tag.mbox
        "$py" "$here/collect.py" $tag "mlmmj 1.3.0 (Debian $(dpkg-query -W -f '${Version}' mlmmj))" /tmp/$p-$tag.mbox "unseen-$p"
    done
}
mlmmj_langs an fr zh-cn de
sed -i 's/^site_owner: .*/site_owner: postmaster@news.test/; s/^smtp_host: localhost/smtp_host: 127.0.0.1/; s/^smtp_port: 25/smtp_port: 2626/; s/^incoming: mailman.mta.postfix.LMTP/incoming: mailman.mta.null.NullMTA/' /etc/mailman3/mailman.cfg
mkdir -p /run/mailman3; chown list:list /run/mailman3; as_list "mailman start" >/dev/null 2>&1 </dev/null; sleep 8
for list in nonmember moderated mod-rejected; do as_list "mailman create q-$list-1@news.test" </dev/null; done
printf '%s\n' 'from mailman.interfaces.action import Action' 'm.default_nonmember_action = Action.reject' 'commit()' \
    | as_list "mailman shell -l q-nonmember-1@news.test"
mailman_langs() {  # mailman_langs PREFIX LANG...: Mailman 3's three notices in each language
    p=$1; shift
    for lang in "$@"; do
        tag=mailman-$(echo "$lang" | tr 'A-Z_' 'a-z-')
        for list in nonmember moderated mod-rejected; do
            printf '%s\n' "m.preferred_language = '$lang'" 'commit()' | as_list "mailman shell -l q-$list-1@news.test"
        done
        keep /tmp/$p-$tag.mbox
        for list in nonmember moderated mod-rejected; do
            post $list 0 "$tag" > /tmp/$p-post-$list.eml; chmod 644 /tmp/$p-post-$list.eml
            as_list "mailman inject -f /tmp/$p-post-$list.eml q-$list-1@news.test"
        done
        sleep 30; unreplay; keep /tmp/$p-$tag-rej.mbox
        printf '%s\n' 'from mailman.app.moderator import handle_message' 'from mailman.interfaces.action import Action' \
            'from mailman.interfaces.requests import IListRequests' \
            "done = [handle_message(m, r.id, Action.reject, 'Releases go to the news desk address, not this list.') for r in list(IListRequests(m).held_requests)]" \
            'commit()' | as_list "mailman shell -l q-mod-rejected-1@news.test"
        sleep 30; unreplay; to_sender /tmp/$p-$tag.mbox; to_sender /tmp/$p-$tag-rej.mbox
        mbox_keep /tmp/$p-$tag.mbox '\A(?![\s\S]*q-mod-rejected-1)'  # its wait notice, as set AK's, not filed
        cat /tmp/$p-$tag-rej.mbox >> /tmp/$p-$tag.mbox
        "$py" "$here/collect.py" $tag "Mailman 3.3.8 (Debian $(dpkg-query -W -f '${Version}' mailman3))" /tmp/$p-$tag.mbox "unseen-$p"
    done
}
mailman_langs an fr es ru ar zh_CN de
as_list "mailman stop"; cp /tmp/mailman.cfg.orig /etc/mailman3/mailman.cfg

# back to Postfix, which the project's tests use
apt postfix; postfix stop || true

# Set AO: amavisd-new 2.13.0 (Debian's) as the post-queue content filter of the system Postfix,
# which serves news.test and mta.press.test (press's mailbox, where amavis' reports arrive) on
# loopback and has no outbound transport. Virus and spam checks on; every destiny D_BOUNCE and
# the DSN cutoff above GTUBE's score (as registered); clamd with set AM's local EICAR signature.
# Run in this order on 2026-12-01 (eleventh session).
apt amavisd-new clamav-daemon libmail-spamassassin-perl postfix
adduser clamav amavis; mkdir -p /run/clamav /var/log/clamav; chown clamav:clamav /run/clamav /var/log/clamav
eicar='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
echo "Eicar-Test-Signature:0:*:$(printf '%s' "$eicar" | od -An -tx1 | tr -d ' \n')" > /var/lib/clamav/local.ndb
clamd; sleep 5
sed -i 's/^#@bypass_/@bypass_/; s/^#   \\%bypass_/   \\%bypass_/' /etc/amavis/conf.d/15-content_filter_mode
cat > /etc/amavis/conf.d/50-user <<'CONF'
use strict;
$myhostname = 'mx.news.test';
$mydomain = 'news.test';
@local_domains_acl = ( 'news.test' );
$final_virus_destiny      = D_BOUNCE;
$final_banned_destiny     = D_BOUNCE;
$final_spam_destiny       = D_BOUNCE;
$final_bad_header_destiny = D_BOUNCE;
$sa_dsn_cutoff_level = 9999;
1;
CONF
cat > /etc/postfix/main.cf <<'CONF'
compatibility_level = 3.6
myhostname = mx.news.test
mydomain = news.test
myorigin = mta.press.test
mydestination = news.test, mta.press.test, localhost
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost =
default_transport = error:no outbound delivery from this machine
local_recipient_maps =
luser_relay = desk
alias_maps = hash:/etc/aliases
content_filter = smtp-amavis:[127.0.0.1]:10024
CONF
cat >> /etc/postfix/master.cf <<'CONF'
smtp-amavis unix - - n - 2 smtp
  -o smtp_data_done_timeout=1200
  -o smtp_send_xforward_command=yes
  -o disable_dns_lookups=yes
127.0.0.1:10025 inet n - n - - smtpd
  -o content_filter=
  -o local_recipient_maps=
  -o smtpd_restriction_classes=
  -o smtpd_client_restrictions=permit_mynetworks,reject
  -o smtpd_recipient_restrictions=permit_mynetworks,reject
  -o mynetworks=127.0.0.0/8
  -o receive_override_options=no_header_body_checks,no_unknown_recipient_checks
CONF
id desk >/dev/null 2>&1 || useradd -m desk
newaliases; : > /var/mail/press; chown press:mail /var/mail/press
postfix start; amavisd; sleep 15
"$py" "$here/ao_send.py"; sleep 60
"$py" "$here/collect.py" amavis "amavisd-new 2.13.0 (Debian 1:2.13.0-3+deb12u1)" /var/mail/press unseen-ao
# Part two: amavis as a pre-queue filter (a policy bank on port 10026 rejecting instead of
# bouncing) behind a second smtpd on 127.0.0.1:2531; its refusals recorded, then replayed to Exim
# and dma as set AM's were.
cat >> /etc/amavis/conf.d/50-user <<'CONF'
$inet_socket_port = [10024, 10026];
$interface_policy{'10026'} = 'PREQUEUE';
$policy_bank{'PREQUEUE'} = { final_virus_destiny => D_REJECT, final_banned_destiny => D_REJECT,
  final_spam_destiny => D_REJECT, final_bad_header_destiny => D_REJECT };
1;
CONF
cat >> /etc/postfix/master.cf <<'CONF'
127.0.0.1:2531 inet n - n - - smtpd
  -o smtpd_proxy_filter=127.0.0.1:10026
  -o content_filter=
CONF
pkill -f amavisd; sleep 3; amavisd; postfix reload; sleep 15
PYTHONPATH=. "$py" "$here/record_r.py" amavis 2531 virus banned-exe banned-double spam bad-header >> "$here/replies-r.jsonl"
# Part three: the recorded refusals replayed to Exim (set Q's smarthost setup) and dma.
pkill -f amavisd || true; postfix stop; pkill clamd || true; sleep 2
apt exim4-daemon-light
exim_sender
t=/etc/exim4/exim4.conf.template
sed -i 's/^\*  *\*  *F,2h,15m; G,16h,1h,1.5; F,4d,6h/*   *   F,1m,20s/' "$t"
sed -i '/^smarthost:/,/no_more/ s/^  no_more$/  self = send\n  no_more/' "$t"
sed -i '/^remote_smtp_smarthost:/,/driver = smtp/ s/^  driver = smtp$/  driver = smtp\n  allow_localhost/' "$t"
update-exim4.conf; exim4 -bd -q20s
ao="amavis-virus amavis-banned-exe amavis-banned-double amavis-spam"
: > /var/mail/press; chown press:mail /var/mail/press; replay; "$here/submit.sh" exim t $ao; sleep 30
"$py" "$here/collect.py" exim "Exim 4.96 (Debian $(dpkg-query -W -f '${Version}' exim4-daemon-light))" /var/mail/press unseen-ao
pkill exim4 || true; apt dma || true
grep -q '^SMARTHOST' /etc/dma/dma.conf || printf 'SMARTHOST 127.0.0.1\nPORT 2626\n' >> /etc/dma/dma.conf
: > /var/mail/press; chown press:mail /var/mail/press; "$here/submit.sh" dma t $ao; sleep 20; unreplay
"$py" "$here/collect.py" dma "dma 0.13 (Debian $(dpkg-query -W -f '${Version}' dma))" /var/mail/press unseen-ao; rm -f /var/spool/dma/*

# Set AP: qpsmtpd 0.94 (Debian's) as the server of news.test on 127.0.0.1:2532, one scenario at a
# time: its plugins file holds rcpt_ok (news.test in rcpthosts), the scenario's plugin and a
# Maildir queue; no relay clients (127.0.0.1 is an ordinary client); dns.py answers while the
# refusals are recorded; spamd and clamd (set AM's local EICAR signature) for its spamassassin and
# clamdscan plugins. Replayed to Postfix (a sending relay), Exim and dma.
# Run in this order on 2026-12-01 (eleventh session).
apt qpsmtpd libnet-ip-perl libmail-spf-perl libnet-dns-perl libclamav-client-perl spamd clamav-daemon
q=/etc/qpsmtpd; export QPSMTPD_CONFIG=$q  # else it reads /var/qmail/control
: > $q/relayclients; echo news.test > $q/debian-rcpthosts; echo mx.news.test > $q/me
echo mta.press.test > $q/badhelo; echo @mta.press.test > $q/badmailfrom
echo bl.test > $q/dnsbl_zones; echo dbl.test > $q/rhsbl_zones
mkdir -p /var/lib/qpsmtpd/greylisting /tmp/qpmaildir; chown -R qpsmtpd /var/lib/qpsmtpd /tmp/qpmaildir
echo 0750 > $q/spool_perms; chmod 0750 /var/spool/qpsmtpd  # clamd (in group qpsmtpd) reads the spool
adduser clamav qpsmtpd; clamd; spamd -d -L -i 127.0.0.1 -p 783 --pidfile /tmp/spamd.pid; sleep 5
qp() {  # qp NAME MODE PLUGIN-LINE [databytes]: serve one scenario and record its refusal
    if [ -f /tmp/qp.pid ]; then kill "$(cat /tmp/qp.pid)" 2>/dev/null || true; fi; rm -f /tmp/qp.pid; sleep 2
    printf 'rcpt_ok\n%s\nqueue/maildir /tmp/qpmaildir\n' "$3" > $q/plugins
    if [ -n "${4:-}" ]; then echo "$4" > $q/databytes; else rm -f $q/databytes; fi
    echo "$2" > /tmp/ab-dns.mode
    (cd / && qpsmtpd-forkserver -l 127.0.0.1 -p 2532 -u qpsmtpd -d --pid-file /tmp/qp.pid); sleep 3
    PYTHONPATH=. "$py" "$here/record_r.py" qpsmtpd 2532 "$1" >> "$here/replies-r.jsonl"
}
cp /etc/resolv.conf /tmp/resolv.conf.orig; "$py" "$here/dns.py" --mode spf & echo $! > /tmp/dns.pid; sleep 1
dns_on
qp relay-denied spf ""
qp rbl-listed spf "dnsbl reject 1"
qp rhsbl-sender spf "rhsbl"
qp helo-rejected spf "helo policy lenient reject 1"
qp sender-rejected spf "badmailfrom reject 1"
qp too-large spf "" 4096
qp greylisted spf "greylisting reject 1 black_timeout 300"  # 0.94's plugin dies (is_p0f_match): none
qp spam spf "spamassassin reject 5"
qp virus spf "virus/clamdscan deny_viruses yes"
qp sender-domain-unknown gone "resolvable_fromhost reject 1"
qp spf-fail spf "sender_permitted_from reject 3"
qp early-talker spf "earlytalker reject 1 wait 2"
qp client-unknown spf "fcrdns reject 1"  # 0.94's fcrdns only scores (karma): none
kill "$(cat /tmp/qp.pid)"; rm -f /tmp/qp.pid; kill "$(cat /tmp/spamd.pid)"; pkill clamd || true
dns_off; kill "$(cat /tmp/dns.pid)"
# The recorded refusals replayed: Postfix 3.7.11 as a sending relay (smarthost the replayer,
# maximal_queue_lifetime 0: a temporary refusal is reported at once), then Exim (set AO's setup,
# 150 s for its retries to end) and dma (it retries temporary refusals for days).
three_senders() {  # three_senders SPLIT NAME...: the replayed refusals to Postfix, Exim and dma
    split=$1; shift
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -q postfix >/dev/null 2>&1 || true
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections; apt postfix
    cat > /etc/postfix/main.cf <<'CONF'
compatibility_level = 3.6
myhostname = mta.press.test
myorigin = mta.press.test
mydestination = mta.press.test, localhost
inet_interfaces = loopback-only
inet_protocols = ipv4
relayhost = [127.0.0.1]:2626
maximal_queue_lifetime = 0
bounce_queue_lifetime = 0
alias_maps = hash:/etc/aliases
CONF
    newaliases; postfix start; sleep 2
    : > /var/mail/press; chown press:mail /var/mail/press; replay; "$here/submit.sh" postfix t "$@"; sleep 30; unreplay
    "$py" "$here/collect.py" postfix "Postfix 3.7.11 (Debian $(dpkg-query -W -f '${Version}' postfix))" /var/mail/press "$split"
    postfix stop; apt exim4-daemon-light
    exim_sender  # set AO's; its template edits are kept
    grep -q 'F,1m,20s' /etc/exim4/exim4.conf.template  # set AO's retry rule is still there
    update-exim4.conf; exim4 -bd -q20s
    : > /var/mail/press; chown press:mail /var/mail/press; replay; "$here/submit.sh" exim t "$@"; sleep 150; unreplay
    "$py" "$here/collect.py" exim "Exim 4.96 (Debian $(dpkg-query -W -f '${Version}' exim4-daemon-light))" /var/mail/press "$split"
    pkill exim4 || true; apt dma || true
    grep -q '^SMARTHOST' /etc/dma/dma.conf || printf 'SMARTHOST 127.0.0.1\nPORT 2626\n' >> /etc/dma/dma.conf
    : > /var/mail/press; chown press:mail /var/mail/press; replay; "$here/submit.sh" dma t "$@"; sleep 30; unreplay
    "$py" "$here/collect.py" dma "dma 0.13 (Debian $(dpkg-query -W -f '${Version}' dma))" /var/mail/press "$split"; rm -f /var/spool/dma/*
}
ap="qpsmtpd-relay-denied qpsmtpd-rbl-listed qpsmtpd-rhsbl-sender qpsmtpd-helo-rejected qpsmtpd-sender-rejected
qpsmtpd-too-large qpsmtpd-spam qpsmtpd-virus qpsmtpd-sender-domain-unknown qpsmtpd-spf-fail qpsmtpd-early-talker"
three_senders unseen-ap $ap

# Set AQ: Postfix's policy services, asked by a private Postfix (record.py aq) with dns.py answering:
# policyd-weight 0.1.15.2 (its built-in defaults, logging to the console), gross 1.0.2 twice (dnsbl bl.test; the second
# with block_threshold 1), Dovecot 2.3.19's quota-status (desk@accept.test over a 1 KB maildir
# quota) and postfix-policyd-spf-perl 2.011. Replayed to Postfix, Exim and dma as set AP's.
# Run in this order on 2026-12-01 (eleventh session).
apt policyd-weight gross postfix-policyd-spf-perl dovecot-core postfix
for kind in grey block; do
    port=5525; [ $kind = block ] && port=5526
    printf 'host = 127.0.0.1\nport = %s\nprotocol = postfix\ncheck = dnsbl\ndnsbl = bl.test\nstatefile = /tmp/gross-%s.state\n' $port $kind > /tmp/gross-$kind.conf
    [ $kind = block ] && echo "block_threshold = 1" >> /tmp/gross-$kind.conf
    rm -f /tmp/gross-$kind.state; grossd -f /tmp/gross-$kind.conf -C; grossd -f /tmp/gross-$kind.conf -p /tmp/gross-$kind.pid
done
mkdir -p /tmp/dq/run /tmp/dq/mail/desk@accept.test/Maildir/cur /tmp/dq/mail/desk@accept.test/Maildir/new /tmp/dq/mail/desk@accept.test/Maildir/tmp
cat > /tmp/dq/dovecot.conf <<'CONF'
base_dir = /tmp/dq/run
log_path = /tmp/dq/dovecot.log
protocols =
mail_location = maildir:/tmp/dq/mail/%u/Maildir
passdb {
  driver = static
  args = nopassword=y
}
userdb {
  driver = static
  args = uid=press gid=press home=/tmp/dq/mail/%u
}
mail_plugins = quota
plugin {
  quota = maildir:User quota
  quota_rule = *:storage=1K
}
service quota-status {
  executable = quota-status -p postfix
  inet_listener {
    address = 127.0.0.1
    port = 12340
  }
  client_limit = 1
}
CONF
head -c 4000 /dev/zero | tr '\0' 'x' | sed 's/^/Subject: filler\n\n/' > "/tmp/dq/mail/desk@accept.test/Maildir/cur/1.filler:2,S"
chown -R press:press /tmp/dq/mail; dovecot -c /tmp/dq/dovecot.conf; sleep 2
doveadm -c /tmp/dq/dovecot.conf quota recalc -u desk@accept.test
cp /etc/resolv.conf /tmp/resolv.conf.orig; "$py" "$here/dns.py" --mode spf & echo $! > /tmp/dns.pid; sleep 1
echo "\$syslog_socktype = 'console';" > /tmp/polw.conf  # no syslog here; its defaults otherwise
dns_on; policyd-weight -f /tmp/polw.conf start; sleep 3
PYTHONPATH=. "$py" "$here/record.py" aq >> "$here/replies-r.jsonl"
policyd-weight -f /tmp/polw.conf -k stop || true; pkill grossd || true  # its pid files name a parent that exited
doveadm -c /tmp/dq/dovecot.conf stop; dns_off; kill "$(cat /tmp/dns.pid)"
# The recorded refusals replayed as set AP's: Postfix (a sending relay), Exim, dma.
aq="policydweight-forged-rejected gross-greylisted gross-rbl-listed quotastatus-mailbox-full spfperl-spf-fail"
three_senders unseen-aq $aq

# Set AR: set AN's notices in Italian, Portuguese, Czech, Japanese, Turkish and Polish. Sympa (set
# AL's setup and lists, `lang` per run), mlmmj (it, pt, cs: those of them its package ships) and
# Mailman 3 (set AH's setup, the lists of set AN, preferred_language per run); the helpers post,
# mbox_keep, to_sender and as_list are set AH's, sympa_install set AL's, and sympa_langs,
# mlmmj_langs and mailman_langs set AN's. Run in this order on 2026-12-01 (eleventh session).
sympa_install mlmmj mailman3
d=/var/lib/sympa/list_data
for list in nonmember list-too-large moderated mod-rejected; do
    [ -d $d/q-$list-1 ] && continue
    printf '<?xml version="1.0" ?>\n<list><listname>q-%s-1</listname><type>discussion_list</type><subject>News desk</subject><description>The news desk</description><status>open</status><topic>other</topic><owner multiple="1"><email>postmaster@news.test</email></owner></list>\n' $list > /tmp/al-$list.xml
    su sympa -s /bin/sh -c "/usr/lib/sympa/bin/sympa.pl --create_list --robot news.test --input_file /tmp/al-$list.xml"
done
set_send() { sed -i "s/^send .*/send $2/" $d/q-$1-1/config; }
set_send nonmember private; set_send list-too-large public; set_send moderated editorkey; set_send mod-rejected editorkey
grep -q '^max_size' $d/q-list-too-large-1/config || printf '\nmax_size 2048\n' >> $d/q-list-too-large-1/config
sympa_langs ar it pt-BR cs ja tr pl
cp /tmp/sympa.conf.orig /etc/sympa/sympa/sympa.conf
mlmmj_langs ar it pt cs
cp /etc/mailman3/mailman.cfg /tmp/mailman.cfg.orig
sed -i 's/^site_owner: .*/site_owner: postmaster@news.test/; s/^smtp_host: localhost/smtp_host: 127.0.0.1/; s/^smtp_port: 25/smtp_port: 2626/; s/^incoming: mailman.mta.postfix.LMTP/incoming: mailman.mta.null.NullMTA/' /etc/mailman3/mailman.cfg
mkdir -p /run/mailman3; chown list:list /run/mailman3; as_list "mailman start" >/dev/null 2>&1 </dev/null; sleep 8
for list in nonmember moderated mod-rejected; do as_list "mailman create q-$list-1@news.test" </dev/null || true; done
printf '%s\n' 'from mailman.interfaces.action import Action' 'm.default_nonmember_action = Action.reject' 'commit()' \
    | as_list "mailman shell -l q-nonmember-1@news.test"
mailman_langs ar it pt_BR cs ja tr pl
as_list "mailman stop"; cp /tmp/mailman.cfg.orig /etc/mailman3/mailman.cfg

# Set AS: what the list managers send a member or moderator (registered in README). Mailman 3,
# mlmmj and Sympa set up as in set AR; run in this order on 2026-12-01 (eleventh session). In the first
# Sympa pass REMIND waited for the listmaster's confirmation and the editors' request went to their
# group address, so neither was kept: the second pass confirms the one and keeps the other.
# Mailman 3 (set AR's setup): press@mta.press.test joins q-welcome-1 (its welcome), leaves
# q-goodbye-1 (its goodbye), is q-digest-1's MIME-digest member (a post from a non-member held,
# approved, then the digest sent), and q-modnotice-1's owner (the notice of a post held for it).
mkdir -p /run/mailman3; chown list:list /run/mailman3
sed -i 's/^site_owner: .*/site_owner: postmaster@news.test/; s/^smtp_host: localhost/smtp_host: 127.0.0.1/; s/^smtp_port: 25/smtp_port: 2626/; s/^incoming: mailman.mta.postfix.LMTP/incoming: mailman.mta.null.NullMTA/' /etc/mailman3/mailman.cfg
as_list "mailman start" >/dev/null 2>&1 </dev/null || true; sleep 8
for list in welcome goodbye digest modnotice; do as_list "mailman create q-$list-1@news.test" </dev/null >/dev/null 2>&1 || true; done
echo "press@mta.press.test" | as_list "mailman addmembers -W -d mime - q-digest-1@news.test"
printf '%s\n' 'from mailman.interfaces.member import MemberRole' 'from mailman.interfaces.usermanager import IUserManager' \
    'from zope.component import getUtility' "a = getUtility(IUserManager).get_address('press@mta.press.test') or getUtility(IUserManager).create_address('press@mta.press.test')" \
    'r = m.subscribe(a, MemberRole.owner)' 'commit()' | as_list "mailman shell -l q-modnotice-1@news.test"
for lang in en fr it cs; do
    tag=mailman-$lang
    for list in welcome goodbye digest modnotice; do
        printf '%s\n' "m.preferred_language = '$lang'" 'commit()' | as_list "mailman shell -l q-$list-1@news.test"
    done
    keep /tmp/as-$tag.mbox
    echo "Press Office <press@mta.press.test>" | as_list "mailman addmembers -w - q-welcome-1@news.test"
    echo "press@mta.press.test" | as_list "mailman addmembers -W - q-goodbye-1@news.test"
    as_list "mailman delmembers -l q-goodbye-1@news.test -m press@mta.press.test -g"
    for list in digest modnotice; do
        printf 'From: Desk <desk@news.test>\nTo: q-%s-1@news.test\nSubject: Desk note %s\nMessage-ID: <%s.%s@news.test>\nDate: %s\n\nA note for the list.\n' \
            $list $tag $list $tag "$(date -R)" > /tmp/as-post-$list.eml; chmod 644 /tmp/as-post-$list.eml
        as_list "mailman inject -f /tmp/as-post-$list.eml q-$list-1@news.test"
    done
    sleep 30
    printf '%s\n' 'from mailman.app.moderator import handle_message' 'from mailman.interfaces.action import Action' \
        'from mailman.interfaces.requests import IListRequests' \
        "done = [handle_message(m, r.id, Action.accept) for r in list(IListRequests(m).held_requests)]" \
        'commit()' | as_list "mailman shell -l q-digest-1@news.test"
    sleep 30; as_list "mailman digests -s -l q-digest-1@news.test"; sleep 30; unreplay
    echo "press@mta.press.test" | as_list "mailman delmembers -l q-welcome-1@news.test -f - -G" || true
    printf '%s\n' 'from mailman.app.moderator import handle_message' 'from mailman.interfaces.action import Action' \
        'from mailman.interfaces.requests import IListRequests' \
        "done = [handle_message(m, r.id, Action.discard) for r in list(IListRequests(m).held_requests)]" \
        'commit()' | as_list "mailman shell -l q-modnotice-1@news.test"
    cp /tmp/as-$tag.mbox /tmp/as-$tag.raw.mbox;     mbox_keep /tmp/as-$tag.mbox '^To: (?:.*<)?(?:press@mta\.press\.test|q-modnotice-1-owner@news\.test|q-digest-1@news\.test)>?\s*$'  # a digest goes To the list
    "$py" "$here/collect.py" $tag "Mailman 3.3.8 (Debian $(dpkg-query -W -f '${Version}' mailman3))" /tmp/as-$tag.mbox unseen-as
done
as_list "mailman stop"; cp /tmp/mailman.cfg.orig /etc/mailman3/mailman.cfg
# mlmmj 1.3.0: press@mta.press.test joins q-welcome-1 (its welcome), leaves q-goodbye-1 (its
# goodbye), is q-digest-1's digest subscriber (a non-subscriber's post held, approved by its cookie,
# then mlmmj-maintd sends the digest) and q-modnotice-1's moderator (its request to moderate).
for lang in en fr it cs; do
    tag=mlmmj-$lang; spool=/tmp/mlmmj-as-$lang; rm -rf $spool; mkdir -p $spool
    for list in welcome goodbye digest modnotice; do
        printf 'news.test\npostmaster@news.test\n%s\n' "$lang" | mlmmj-make-ml -L "q-$list-1" -s $spool >/dev/null
        echo 127.0.0.1 > $spool/q-$list-1/control/relayhost; echo 2626 > $spool/q-$list-1/control/smtpport
        touch $spool/q-$list-1/control/subonlypost $spool/q-$list-1/control/modnonsubposts
    done
    echo postmaster@news.test > $spool/q-digest-1/control/moderators; echo press@mta.press.test > $spool/q-modnotice-1/control/moderators
    echo 1 > $spool/q-digest-1/control/digestinterval
    keep /tmp/as-$tag.mbox
    /usr/bin/mlmmj-sub -L $spool/q-welcome-1 -a press@mta.press.test -c -f -q -U
    /usr/bin/mlmmj-sub -L $spool/q-goodbye-1 -a press@mta.press.test -f -q -s -U
    /usr/bin/mlmmj-unsub -L $spool/q-goodbye-1 -a press@mta.press.test -c -q -U
    /usr/bin/mlmmj-sub -L $spool/q-digest-1 -a press@mta.press.test -d -f -q -s -U
    for list in digest modnotice; do
        printf 'Delivered-To: q-%s-1@news.test\nReturn-Path: <desk@news.test>\nFrom: Desk <desk@news.test>\nTo: q-%s-1@news.test\nSubject: Desk note %s\nMessage-ID: <%s.%s@news.test>\nDate: %s\n\nA note for the list.\n' \
            $list $list $tag $list $tag "$(date -R)" | /usr/bin/mlmmj-receive -F -L $spool/q-$list-1
    done
    sleep 5; cookie=$(ls $spool/q-digest-1/moderation/ | grep -v -- '-' | head -1)
    printf 'Delivered-To: q-digest-1+moderate-%s@news.test\nReturn-Path: <postmaster@news.test>\nFrom: postmaster@news.test\nTo: q-digest-1+moderate-%s@news.test\nSubject: approve\n\nok\n' \
        "$cookie" "$cookie" | /usr/bin/mlmmj-receive -F -L $spool/q-digest-1
    sleep 5; /usr/bin/mlmmj-maintd -F -L $spool/q-digest-1; sleep 10; unreplay
    mbox_keep /tmp/as-$tag.mbox '^To: (?:.*<)?press@mta\.press\.test>?\s*$'
    "$py" "$here/collect.py" $tag "mlmmj 1.3.0 (Debian $(dpkg-query -W -f '${Version}' mlmmj))" /tmp/as-$tag.mbox unseen-as
done
# mlmmj's request to its moderators has no To of press's (mlmmj addresses its moderators
# otherwise): a second pass for it, keeping every message but the wait notice to the poster
for lang in en fr it cs; do
    tag=mlmmj-$lang; spool=/tmp/mlmmj-as-$lang; rm -rf $spool/q-modnotice-1/moderation/*
    keep /tmp/as-$tag-mod.mbox
    printf 'Delivered-To: q-modnotice-1@news.test\nReturn-Path: <desk@news.test>\nFrom: Desk <desk@news.test>\nTo: q-modnotice-1@news.test\nSubject: Desk note %s\nMessage-ID: <modnotice2.%s@news.test>\nDate: %s\n\nA note for the list.\n' \
        $tag $tag "$(date -R)" | /usr/bin/mlmmj-receive -F -L $spool/q-modnotice-1
    sleep 8; unreplay; cp /tmp/as-$tag-mod.mbox /tmp/as-$tag-mod.raw.mbox
    mbox_keep /tmp/as-$tag-mod.mbox '\A(?![\s\S]*^To: (?:.*<)?desk@news\.test)'
    "$py" "$here/collect.py" $tag "mlmmj 1.3.0 (Debian $(dpkg-query -W -f '${Version}' mlmmj))" /tmp/as-$tag-mod.mbox unseen-as
done
# Sympa 6.2.70 (set AR's setup): the listmaster's commands to sympa@ (as set AL's REJECT):
# ADD press to q-welcome-1 (its welcome), QUIET ADD then DEL from q-goodbye-1 (its removal
# notice), QUIET ADD then REMIND q-remind-1 (its reminder), and press as q-modnotice-1's editor
# (send editorkey) is asked to moderate a post from desk@news.test.
printf '%s\n' 'sendmail	/tmp/al-sendmail' 'sendmail_args	-oi' 'sendmail_aliases	none' >> /etc/sympa/sympa/sympa.conf
d=/var/lib/sympa/list_data
for list in welcome goodbye remind modnotice; do
    [ -d $d/q-$list-1 ] && continue
    printf '<?xml version="1.0" ?>\n<list><listname>q-%s-1</listname><type>discussion_list</type><subject>News desk</subject><description>The news desk</description><status>open</status><topic>other</topic><owner multiple="1"><email>postmaster@news.test</email></owner><editor multiple="1"><email>press@mta.press.test</email></editor></list>\n' $list > /tmp/as-$list.xml
    su sympa -s /bin/sh -c "/usr/lib/sympa/bin/sympa.pl --create_list --robot news.test --input_file /tmp/as-$list.xml"
done
sed -i "s/^send .*/send editorkey/" $d/q-modnotice-1/config
sympa_cmd() { n=$((n+1)); printf 'Return-Path: <postmaster@news.test>\nFrom: postmaster@news.test\nTo: sympa@news.test\nSubject: %s\nDate: %s\nMessage-ID: <cmd.%s.%s@news.test>\n\n%s\n' \
    "$1" "$(date -R)" "$tag" "$n" "$1" | su sympa -s /bin/sh -c "/usr/lib/sympa/bin/queue sympa@news.test"; sleep 8; }
n=0
for lang in en-US fr it cs; do
    tag=sympa-$(echo "$lang" | tr 'A-Z' 'a-z')
    for list in welcome goodbye remind modnotice; do
        sed -i '/^lang /d' $d/q-$list-1/config; printf '\nlang %s\n' "$lang" >> $d/q-$list-1/config
    done
    rm -f /var/spool/sympa/moderation/*; keep /tmp/as-$tag.mbox
    su sympa -s /bin/sh -c /usr/lib/sympa/bin/sympa_msg.pl; su sympa -s /bin/sh -c /usr/lib/sympa/bin/bulk.pl; sleep 2
    sympa_cmd "ADD q-welcome-1 press@mta.press.test Press Office"
    sympa_cmd "QUIET ADD q-goodbye-1 press@mta.press.test Press Office"; sympa_cmd "DEL q-goodbye-1 press@mta.press.test"
    sympa_cmd "QUIET ADD q-remind-1 press@mta.press.test Press Office"; sympa_cmd "REMIND q-remind-1"
    printf 'Return-Path: <desk@news.test>\nFrom: Desk <desk@news.test>\nTo: q-modnotice-1@news.test\nSubject: Desk note %s\nMessage-ID: <modnotice.%s@news.test>\nDate: %s\n\nA note for the list.\n' \
        "$tag" "$tag" "$(date -R)" | su sympa -s /bin/sh -c "/usr/lib/sympa/bin/queue q-modnotice-1@news.test"
    sleep 30; sympa_cmd "QUIET DEL q-welcome-1 press@mta.press.test"; sympa_cmd "QUIET DEL q-remind-1 press@mta.press.test"
    sleep 10; unreplay; pkill -f sympa_msg.pl; pkill -f bulk.pl; sleep 3
    to_sender /tmp/as-$tag.mbox
    "$py" "$here/collect.py" $tag "Sympa 6.2.70 (Debian $(dpkg-query -W -f '${Version}' sympa))" /tmp/as-$tag.mbox unseen-as
done
cp /tmp/sympa.conf.orig /etc/sympa/sympa/sympa.conf
# Sympa's reminder goes out through its bulk spool to every subscriber, and its request to the
# editors is addressed to them as a group: a second pass for both, every message kept, then
# those to press (in whatever To) that are not the command reports to the listmaster
printf '%s\n' 'sendmail	/tmp/al-sendmail' 'sendmail_args	-oi' 'sendmail_aliases	none' >> /etc/sympa/sympa/sympa.conf
d=/var/lib/sympa/list_data
sympa_cmd() { n=$((n+1)); printf 'Return-Path: <postmaster@news.test>\nFrom: postmaster@news.test\nTo: sympa@news.test\nSubject: %s\nDate: %s\nMessage-ID: <cmd2.%s.%s@news.test>\n\n%s\n' \
    "$1" "$(date -R)" "$tag" "$n" "$1" | su sympa -s /bin/sh -c "/usr/lib/sympa/bin/queue sympa@news.test"; sleep 8; }
n=0
for lang in en-US fr it cs; do
    tag=sympa-$(echo "$lang" | tr 'A-Z' 'a-z')
    for list in remind modnotice; do
        sed -i '/^lang /d' $d/q-$list-1/config; printf '\nlang %s\n' "$lang" >> $d/q-$list-1/config
    done
    rm -f /var/spool/sympa/moderation/*; keep /tmp/as-$tag-2.mbox
    su sympa -s /bin/sh -c /usr/lib/sympa/bin/sympa_msg.pl; su sympa -s /bin/sh -c /usr/lib/sympa/bin/bulk.pl
    su sympa -s /bin/sh -c /usr/lib/sympa/bin/task_manager.pl 2>/dev/null || true; sleep 2
    sympa_cmd "QUIET ADD q-remind-1 press@mta.press.test Press Office"; sympa_cmd "REMIND q-remind-1"
    sleep 10; auth=$(sed -n 's/^Subject: \(AUTH [0-9a-f]* REMIND q-remind-1\)$/\1/p' /tmp/as-$tag-2.mbox | tail -1)
    sympa_cmd "$auth"  # REMIND asks the listmaster to confirm it
    printf 'Return-Path: <desk@news.test>\nFrom: Desk <desk@news.test>\nTo: q-modnotice-1@news.test\nSubject: Desk note %s\nMessage-ID: <modnotice2.%s@news.test>\nDate: %s\n\nA note for the list.\n' \
        "$tag" "$tag" "$(date -R)" | su sympa -s /bin/sh -c "/usr/lib/sympa/bin/queue q-modnotice-1@news.test"
    sleep 40; sympa_cmd "QUIET DEL q-remind-1 press@mta.press.test"
    sleep 10; unreplay; pkill -f sympa_msg.pl; pkill -f bulk.pl; pkill -f task_manager.pl || true; sleep 3
    cp /tmp/as-$tag-2.mbox /tmp/as-$tag-2.raw.mbox
    mbox_keep /tmp/as-$tag-2.mbox '^To: (?:.*<)?(?:press@mta\.press\.test|q-modnotice-1-editor@news\.test)>?\s*$'
    "$py" "$here/collect.py" $tag "Sympa 6.2.70 (Debian $(dpkg-query -W -f '${Version}' sympa))" /tmp/as-$tag-2.mbox unseen-as
done
cp /tmp/sympa.conf.orig /etc/sympa/sympa/sympa.conf
