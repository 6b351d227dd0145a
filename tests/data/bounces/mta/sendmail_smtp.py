"""Set T: a sendmail command for an MTA that takes mail only by SMTP (Haraka), on loopback.

    SENDMAIL="python sendmail_smtp.py 2527" submit.sh haraka t
    SENDMAIL="python sendmail_smtp.py 2530 --login USER:PASSWORD" submit.sh chasquid t ...

Reads the message on standard input and submits it to 127.0.0.1:PORT for the one recipient,
with the envelope sender given by -f, as submit.sh calls /usr/sbin/sendmail. With --login (set
AG: chasquid takes mail from its users only on its submission port, and only over TLS), it
starts TLS, not checking the run's self-signed certificate, and logs in first.
"""

from __future__ import annotations

import smtplib
import ssl
import sys


def main() -> None:
    """sendmail_smtp.py PORT [--login USER:PASSWORD] -f SENDER -- RECIPIENT < MESSAGE"""
    port, args = int(sys.argv[1]), sys.argv[2:]
    sender, recipient = args[args.index("-f") + 1], args[-1]
    message = sys.stdin.buffer.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    with smtplib.SMTP("127.0.0.1", port, local_hostname="mta.press.test", timeout=30) as smtp:
        if "--login" in args:
            user, _, password = args[args.index("--login") + 1].partition(":")
            context = ssl.create_default_context()
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # loopback only
            smtp.starttls(context=context)
            smtp.login(user, password)
        smtp.sendmail(sender, [recipient], message)


if __name__ == "__main__":
    main()
