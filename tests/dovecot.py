"""A private Dovecot IMAP server for tests: loopback only, TLS from a test CA, Maildirs.

Everything lives in one temporary directory (config, base_dir, state_dir, log, TLS files, users,
Maildirs). The master runs in the foreground as this process's child (``dovecot -F -c CONF``), so
the test owns its pid, and is stopped with ``doveadm -c CONF stop``; the system instance
(/etc/dovecot, /run/dovecot) is never read or touched. It needs root (the master runs as root and
drops to dovenull, dovecot and the mail uid) and Debian's ``dovecot-imapd`` package.

Two listeners on 127.0.0.1, each on a free port: ``imap_port`` (STARTTLS) and ``imaps_port`` (TLS
at once), with a certificate for 127.0.0.1 and localhost from a trustme CA whose PEM file is
``ca_file`` (a client trusts it through SSL_CERT_FILE). Users come from a passwd-file, PLAIN or
LOGIN; their mail belongs to the numeric uid 65534 (nobody). Dovecot counts a loopback client as
secured and would take a password without TLS there, so ``logins()`` shows what each session used.
"""

from __future__ import annotations

import atexit
import grp
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO
from urllib.parse import quote

import trustme

from tests.postfix import SBIN_PATH, _reachable_by_others
from tests.smtpd import free_port

HOST = "127.0.0.1"
MAIL_UID = 65534  # nobody / nogroup on Debian: a numeric id that is not root


class DovecotUnavailable(RuntimeError):
    """Dovecot cannot run here: binaries missing, or not running as root."""


class DovecotError(RuntimeError):
    """The private instance failed to start, stop or store; the message carries its log."""


def dovecot_binary(name: str) -> str | None:
    """The path of a Dovecot command (dovecot, doveadm), if installed."""
    return shutil.which(name, path=SBIN_PATH + os.pathsep + os.environ.get("PATH", ""))


@dataclass(frozen=True)
class Stored:
    """One message as the server holds it (line ends as stored: LF)."""

    uid: int
    flags: frozenset[str]
    data: bytes


class PrivateDovecot:
    """A throwaway Dovecot on 127.0.0.1 (imap and imaps) with passwd-file users."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.base: Path | None = None
        self.imap_port = self.imaps_port = 0
        self._master: subprocess.Popen[bytes] | None = None
        self._stderr: BinaryIO | None = None  # the master's own stderr goes to the log too

    # -- paths -------------------------------------------------------------------------------

    def _path(self, name: str) -> Path:
        if self.base is None:
            raise DovecotError("the instance has not been started")
        return self.base / name

    @property
    def config_file(self) -> Path:
        return self._path("dovecot.conf")

    @property
    def ca_file(self) -> Path:
        """The test CA's certificate (PEM): what SSL_CERT_FILE should name to trust the server."""
        return self._path("ca.pem")

    @property
    def log_file(self) -> Path:
        return self._path("dovecot.log")

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Write the configuration and start the master; raises DovecotUnavailable if absent."""
        if self._master is not None:
            return
        missing = [n for n in ("dovecot", "doveadm") if dovecot_binary(n) is None]
        if missing:
            raise DovecotUnavailable(
                f"Dovecot is not installed ({', '.join(missing)} not found); install Debian's "
                "`dovecot-imapd` package: apt-get install -y --no-install-recommends dovecot-imapd"
            )
        if os.geteuid() != 0:
            raise DovecotUnavailable("a private Dovecot instance must be started as root")
        self.root.mkdir(parents=True, exist_ok=True)
        # Mail processes run as uid 65534 and must reach their homes (pytest's directories are
        # 0700), and the sockets in base_dir want a short path.
        parent = self.root.resolve()
        if not _reachable_by_others(parent) or len(str(parent)) > 60:
            parent = Path(tempfile.gettempdir())
        self.base = Path(tempfile.mkdtemp(prefix="dovecot-", dir=parent))
        self.base.chmod(0o755)
        self.imap_port = self.imaps_port = free_port()
        while self.imaps_port == self.imap_port:
            self.imaps_port = free_port()
        try:
            self._write_config(self.base)
            self._stderr = self.log_file.open("ab")
            self._master = subprocess.Popen(
                [str(dovecot_binary("dovecot")), "-F", "-c", str(self.config_file)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._stderr,
            )
            atexit.register(self._kill_at_exit)
            for port in (self.imap_port, self.imaps_port):
                self._wait_listening(port)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the master (killed if it does not go) and remove the instance's directory."""
        if self.base is None:
            return
        if self._master is not None:
            stopper = subprocess.Popen(
                [str(dovecot_binary("doveadm")), "-c", str(self.config_file), "stop"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                self._master.wait(timeout=10)  # reaping it is what lets `doveadm stop` return
            except subprocess.TimeoutExpired:
                self._master.kill()
                self._master.wait()
            stopper.wait(timeout=10)
            self._master = None
            atexit.unregister(self._kill_at_exit)
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        shutil.rmtree(self.base, ignore_errors=True)
        self.base = None

    def _kill_at_exit(self) -> None:
        if self._master is not None and self._master.poll() is None:
            self._master.send_signal(signal.SIGTERM)
            self._master.wait(timeout=10)
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)

    def _wait_listening(self, port: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection((HOST, port), timeout=1):
                    return
            except OSError:
                exited = self._master is not None and self._master.poll() is not None
                if exited or time.monotonic() > deadline:
                    raise DovecotError(
                        f"Dovecot does not listen on {HOST}:{port}\n{self.log()}"
                    ) from None
                time.sleep(0.02)

    def __enter__(self) -> PrivateDovecot:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- users and mail ----------------------------------------------------------------------

    def add_user(self, address: str, password: str) -> str:
        """A new user with an empty mailbox, usable at once (one passwd-file per user: Dovecot
        re-reads a changed file at most once a second, but opens a new one on first use)."""
        if any(c in address + password for c in ":\n/") or address.startswith("."):
            raise ValueError("a user's address or password cannot hold ':', '/' or a newline")
        home = self._path("home") / address
        users = self._path("users") / address
        users.write_text(f"{address}:{{PLAIN}}{password}:{MAIL_UID}:{MAIL_UID}::{home}::\n")
        users.chmod(0o640)
        os.chown(users, 0, grp.getgrnam("dovecot").gr_gid)
        return address

    def url(self, user: str, *, scheme: str = "imaps", folder: str = "INBOX") -> str:
        """What `mailer bounces fetch --imap` is given for this user and folder."""
        port = self.imaps_port if scheme == "imaps" else self.imap_port
        return f"{scheme}://{quote(user, safe='')}@{HOST}:{port}/{quote(folder)}"

    def doveadm(self, *args: str, data: bytes | None = None) -> str:
        """`doveadm -c CONF ARGS...` of this instance; its output."""
        result = subprocess.run(
            [str(dovecot_binary("doveadm")), "-c", str(self.config_file), *args],
            input=data,
            capture_output=True,
            timeout=30,
            check=False,
        )
        if result.returncode != 0:
            raise DovecotError(
                f"doveadm {' '.join(args)} failed ({result.returncode}): "
                f"{result.stderr.decode(errors='replace')}\n{self.log()}"
            )
        return result.stdout.decode("utf-8", "replace")

    def deliver(self, data: bytes, user: str, folder: str = "INBOX") -> None:
        """Store a message, unseen, as a delivery agent would (``doveadm save``)."""
        self.doveadm("save", "-u", user, "-m", folder, data=data)

    def create_folder(self, user: str, folder: str) -> None:
        self.doveadm("mailbox", "create", "-u", user, folder)

    def folders(self, user: str) -> list[str]:
        """The user's folder names."""
        rows = json.loads(self.doveadm("-f", "json", "mailbox", "list", "-u", user) or "[]")
        return [str(row["mailbox"]) for row in rows]

    def messages(self, user: str, folder: str = "INBOX") -> list[Stored]:
        """Every message of a folder with its flags, read on the server side (nothing changes)."""
        out = self.doveadm(
            "-f", "json", "fetch", "-u", user, "uid flags text", "mailbox", folder, "all"
        )
        return [
            Stored(int(row["uid"]), frozenset(row["flags"].split()), row["text"].encode())
            for row in json.loads(out or "[]")
        ]

    def log(self) -> str:
        """The instance's log so far."""
        try:
            return self.log_file.read_text(errors="replace")
        except (OSError, DovecotError):
            return ""

    def logins(self, user: str) -> list[str]:
        """The log's successful login lines of a user (each says TLS, or `secured` without it)."""
        mark = f"imap-login: Info: Login: user=<{user}>"
        return [line for line in self.log().splitlines() if mark in line]

    # -- configuration -----------------------------------------------------------------------

    def _write_tls(self) -> None:
        ca = trustme.CA(organization_name="Dovecot test CA")
        cert = ca.issue_cert(HOST, "localhost")
        ca.cert_pem.write_to_path(str(self.ca_file))
        cert.cert_chain_pems[0].write_to_path(str(self._path("cert.pem")))
        key = self._path("key.pem")
        key.touch(mode=0o600)
        cert.private_key_pem.write_to_path(str(key))

    def _write_config(self, base: Path) -> None:
        for name in ("run", "state", "home"):
            (base / name).mkdir()
        os.chown(base / "home", MAIL_UID, MAIL_UID)
        (base / "home").chmod(0o700)
        # One passwd-file per user, read by the auth process (it runs as the dovecot user).
        (base / "users").mkdir(mode=0o750)
        os.chown(base / "users", 0, grp.getgrnam("dovecot").gr_gid)
        self._write_tls()
        conf = [
            f"instance_name = dovecot-test-{base.name.removeprefix('dovecot-')}",
            f"base_dir = {base / 'run'}",
            f"state_dir = {base / 'state'}",
            f"log_path = {self.log_file}",
            "protocols = imap",
            f"listen = {HOST}",
            # TLS: our own test CA; LOGIN and PLAIN, no other mechanisms
            "ssl = required",
            f"ssl_cert = <{base / 'cert.pem'}",
            f"ssl_key = <{base / 'key.pem'}",
            "ssl_min_protocol = TLSv1.2",
            "disable_plaintext_auth = yes",
            "auth_mechanisms = plain login",
            "auth_failure_delay = 0",  # a refused password answers at once (default 2 s)
            "auth_verbose = yes",
            # privileges: the package's system users; mail only ever as uid 65534
            "default_internal_user = dovecot",
            "default_internal_group = dovecot",
            "default_login_user = dovenull",
            f"first_valid_uid = {MAIL_UID}",
            f"last_valid_uid = {MAIL_UID}",
            "mail_location = maildir:~/Maildir",
            "namespace inbox {",
            "  inbox = yes",
            "}",
            "passdb {",
            "  driver = passwd-file",
            f"  args = {base / 'users' / '%u'}",
            "}",
            "userdb {",
            "  driver = passwd-file",
            f"  args = {base / 'users' / '%u'}",
            "}",
            # no growing delay for a client after a refused password (tests refuse some on purpose)
            "service anvil {",
            "  unix_listener anvil-auth-penalty {",
            "    mode = 0",
            "  }",
            "}",
            "service imap-login {",
            "  inet_listener imap {",
            f"    address = {HOST}",
            f"    port = {self.imap_port}",
            "  }",
            "  inet_listener imaps {",
            f"    address = {HOST}",
            f"    port = {self.imaps_port}",
            "    ssl = yes",
            "  }",
            "}",
        ]
        self.config_file.write_text("\n".join(conf) + "\n")
