"""A private Postfix instance for tests: loopback only, Maildir delivery, relaying nowhere.

Everything lives in one temporary directory (config, queue, data, Maildirs, log) and the instance
is started with ``postfix -c CONFIG start`` and stopped with ``postfix -c CONFIG stop``. It never
touches the system instance in /etc/postfix. It needs root (Postfix's master runs as root) and
Debian's ``postfix`` package.

Three virtual domains deliver to Maildirs:

* ``accept.test`` accepts any recipient at RCPT; an unknown one is bounced afterwards with a real
  RFC 3464 DSN (Status 5.1.1) to the envelope sender;
* ``reject.test`` answers ``550 5.1.1`` at RCPT for unknown recipients;
* ``bounces.newsroom.test`` holds the VERP mailbox: ``bounces+TOKEN@...`` lands in ``bounces@``.

Nothing can leave the machine: there is no smtp/lmtp/relay client in master.cf, every other
destination goes to the ``error`` transport, and the SMTP server refuses relaying even to
loopback clients (no ``permit_mynetworks``).
"""

from __future__ import annotations

import atexit
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

SBIN_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
MAILDIR_UID = 65534  # nobody / nogroup on Debian: a numeric id that is not root
MYHOSTNAME = "mx.newsroom.test"
MYDOMAIN = "newsroom.test"
_MAX_SOCKET_DIR = 80  # AF_UNIX paths are limited to 107 bytes; keep queue sockets well below


class PostfixUnavailable(RuntimeError):
    """Postfix cannot run here: binaries missing, or not running as root."""


class PostfixError(RuntimeError):
    """The private instance failed to start, stop or deliver; the message carries its log."""


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postfix_binary(name: str = "postfix") -> str | None:
    """The path of a Postfix command (postfix, postconf, postqueue, sendmail), if installed."""
    return shutil.which(name, path=SBIN_PATH + os.pathsep + os.environ.get("PATH", ""))


def _reachable_by_others(path: Path) -> bool:
    """Whether an unprivileged user (the Maildir owner) can traverse every directory to `path`."""
    path = path.resolve()
    for part in [path, *path.parents]:
        try:
            mode = part.stat().st_mode
        except FileNotFoundError:
            continue
        if not mode & stat.S_IXOTH:
            return False
    return True


class PrivatePostfix:
    """A throwaway Postfix on 127.0.0.1:`port`, delivering three test domains to Maildirs.

    ``users`` maps a domain to the local parts that exist there (their Maildirs). ``bounces`` at
    the bounce domain always exists, so VERP addresses ``bounces+TOKEN@bounce_domain`` land in it.
    """

    def __init__(
        self,
        root: Path,
        *,
        accept_domain: str = "accept.test",
        reject_domain: str = "reject.test",
        bounce_domain: str = "bounces.newsroom.test",
        users: dict[str, list[str]],
    ) -> None:
        self.root = Path(root)
        self.accept_domain = accept_domain.lower()
        self.reject_domain = reject_domain.lower()
        self.bounce_domain = bounce_domain.lower()
        self.domains = [self.accept_domain, self.reject_domain, self.bounce_domain]
        self.users: dict[str, list[str]] = {d: [] for d in self.domains}
        for domain, locals_ in users.items():
            if domain.lower() not in self.users:
                raise ValueError(f"{domain!r} is not one of the instance's domains {self.domains}")
            self.users[domain.lower()].extend(local.lower() for local in locals_)
        if "bounces" not in self.users[self.bounce_domain]:
            self.users[self.bounce_domain].append("bounces")
        self.port = 0
        self.base: Path | None = None  # where the instance actually lives (see _make_base)
        self._relocated = False
        self._running = False

    # -- paths -------------------------------------------------------------------------------

    def _dir(self, name: str) -> Path:
        if self.base is None:
            raise PostfixError("the instance has not been started")
        return self.base / name

    @property
    def config_dir(self) -> Path:
        return self._dir("config")

    @property
    def queue_dir(self) -> Path:
        return self._dir("queue")

    @property
    def data_dir(self) -> Path:
        return self._dir("data")

    @property
    def maildir_base(self) -> Path:
        return self._dir("maildirs")

    @property
    def log_file(self) -> Path:
        return self._dir("maillog")

    def _split(self, address: str) -> tuple[str, str]:
        local, _, domain = address.strip("<>").rpartition("@")
        local, domain = local.lower().split("+", 1)[0], domain.lower()
        if local not in self.users.get(domain, []):
            raise KeyError(f"{address} is not an existing user of this instance")
        return local, domain

    def maildir(self, address: str) -> Path:
        """The Maildir of an existing user (a ``+extension`` is ignored); new mail is in new/."""
        local, domain = self._split(address)
        return self.maildir_base / domain / local

    # -- lifecycle ---------------------------------------------------------------------------

    def _make_base(self) -> Path:
        """A fresh directory for the instance, under `root` when the Maildir owner can reach it.

        pytest's /tmp/pytest-of-root is mode 0700, so an unprivileged delivery agent cannot reach
        Maildirs below it; then the instance goes to a fresh directory under /tmp instead (and is
        still removed at stop). The queue's UNIX socket paths must also stay short.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        candidates = [self.root, Path(tempfile.gettempdir()), Path("/tmp")]
        for parent in candidates:
            if _reachable_by_others(parent) and len(str(parent.resolve())) < _MAX_SOCKET_DIR - 20:
                base = Path(tempfile.mkdtemp(prefix="postfix-", dir=parent.resolve()))
                self._relocated = parent is not self.root
                break
        else:
            raise PostfixUnavailable("no temporary directory reachable by an unprivileged user")
        base.chmod(0o755)
        if self._relocated:
            link = self.root / "postfix-instance"
            if not link.exists():
                link.symlink_to(base)
        return base

    def start(self) -> None:
        """Write the configuration and start the instance; raises PostfixUnavailable if absent."""
        if self._running:
            return
        missing = [n for n in ("postfix", "postconf", "postqueue") if postfix_binary(n) is None]
        if missing:
            raise PostfixUnavailable(
                f"Postfix is not installed ({', '.join(missing)} not found); install Debian's "
                "`postfix` package: apt-get install -y --no-install-recommends postfix"
            )
        if os.geteuid() != 0:
            raise PostfixUnavailable("a private Postfix instance must be started as root")
        self.base = self._make_base()
        self.port = free_port()
        try:
            self._write_config()
            self._run("postfix", "-c", str(self.config_dir), "start")
            self._running = True
            atexit.register(self._abort_at_exit)
            self._wait_listening()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the instance (abort if it does not go) and remove its directory."""
        if self.base is None:
            return
        if self._running or self._master_alive():
            config = str(self.config_dir)
            result = self._run("postfix", "-c", config, "stop", check=False)
            if result.returncode != 0 or self._master_alive():
                self._run("postfix", "-c", config, "abort", check=False)
            deadline = time.monotonic() + 10
            while self._master_alive() and time.monotonic() < deadline:
                time.sleep(0.05)
            self._running = False
            atexit.unregister(self._abort_at_exit)
        shutil.rmtree(self.base, ignore_errors=True)
        if self._relocated:
            (self.root / "postfix-instance").unlink(missing_ok=True)
        self.base = None

    def _abort_at_exit(self) -> None:
        if self._running and self.base is not None:
            self._run("postfix", "-c", str(self.config_dir), "abort", check=False)
            shutil.rmtree(self.base, ignore_errors=True)

    def _master_alive(self) -> bool:
        if self.base is None:
            return False
        pid_file = self.queue_dir / "pid" / "master.pid"
        try:
            pid = int(pid_file.read_text().split()[0])
            os.kill(pid, 0)
        except (OSError, ValueError, IndexError):
            return False
        return True

    def _wait_listening(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise PostfixError(
                        f"Postfix does not listen on 127.0.0.1:{self.port}\n{self.log()}"
                    ) from None
                time.sleep(0.05)

    def __enter__(self) -> PrivatePostfix:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- commands ----------------------------------------------------------------------------

    def _run(
        self, command: str, *args: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        binary = postfix_binary(command)
        if binary is None:
            raise PostfixUnavailable(f"{command} not found")
        env = {**os.environ, "PATH": SBIN_PATH + os.pathsep + os.environ.get("PATH", "")}
        env.pop("MAIL_CONFIG", None)
        result = subprocess.run(
            [binary, *args], capture_output=True, text=True, env=env, timeout=60, check=False
        )
        if check and result.returncode != 0:
            raise PostfixError(
                f"{command} {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout}{result.stderr}\n{self.log()}"
            )
        return result

    def postconf(self, *args: str) -> str:
        """`postconf -c CONFIG ARGS...` of this instance (e.g. ``-M`` or a parameter name)."""
        return self._run("postconf", "-c", str(self.config_dir), *args).stdout

    def flush(self) -> None:
        """Ask the queue manager to retry every deferred message now (``postqueue -f``)."""
        self._run("postqueue", "-c", str(self.config_dir), "-f")

    def queue(self) -> str:
        """The queue listing (``postqueue -p``), for diagnostics."""
        return self._run("postqueue", "-c", str(self.config_dir), "-p").stdout

    def sendmail(self, message: bytes, sender: str, recipients: Iterable[str]) -> None:
        """Submit a message locally (pickup, no SMTP), as a program on this host would."""
        binary = postfix_binary("sendmail")
        if binary is None:
            raise PostfixUnavailable("Postfix sendmail not found")
        subprocess.run(
            [binary, "-C", str(self.config_dir), "-i", "-f", sender, "--", *recipients],
            input=message,
            capture_output=True,
            check=True,
            timeout=30,
        )

    def log(self) -> str:
        """The instance's mail log so far (maillog_file written by postlogd)."""
        try:
            return self.log_file.read_text(errors="replace")
        except (OSError, PostfixError):
            return ""

    def wait_for_mail(self, address: str, count: int, timeout: float = 30) -> list[Path]:
        """Wait until the Maildir of `address` holds at least `count` messages (new/ and cur/)."""
        maildir = self.maildir(address)
        deadline = time.monotonic() + timeout
        while True:
            found = [
                path
                for sub in ("new", "cur")
                if (maildir / sub).is_dir()
                for path in (maildir / sub).iterdir()
                if path.is_file()
            ]
            if len(found) >= count:
                return sorted(found, key=lambda p: (p.stat().st_mtime_ns, p.name))
            if time.monotonic() > deadline:
                raise PostfixError(
                    f"{len(found)} of {count} message(s) for {address} after {timeout:g}s\n"
                    f"queue:\n{self.queue()}\nlog:\n{self.log()}"
                )
            time.sleep(0.05)

    def wait_for_message(self, address: str, needle: bytes, timeout: float = 30) -> bytes:
        """Wait for a message in the Maildir of `address` that contains `needle`; its bytes.

        Useful when one mailbox is shared by several tests (the VERP ``bounces@`` mailbox): give
        each test its own token and wait for the message that carries it.
        """
        deadline = time.monotonic() + timeout
        while True:
            for path in self.wait_for_mail(address, 0):
                data = path.read_bytes()
                if needle in data:
                    return data
            if time.monotonic() > deadline:
                raise PostfixError(
                    f"no message containing {needle!r} for {address} after {timeout:g}s\n"
                    f"queue:\n{self.queue()}\nlog:\n{self.log()}"
                )
            time.sleep(0.05)

    # -- configuration -----------------------------------------------------------------------

    def _bare_newline_settings(self) -> list[str]:
        """Reject bare <LF> from every client, on Postfix versions that know the parameter.

        Since 3.9/3.8.5/3.7.10/3.6.14/3.5.24, ``yes`` only *normalizes* bare LF; ``reject`` is
        what answers 550 5.5.2. Earlier backports (3.7.9 etc.) had only yes/no, ``yes`` rejecting.
        Loopback is in the default exclusions ($mynetworks), so the exclusions are emptied.
        """
        defaults = self._run("postconf", "-d", check=False).stdout
        names = set(re.findall(r"^(\S+) =", defaults, re.M))
        if "smtpd_forbid_bare_newline" not in names:
            return []
        value = "reject" if "smtpd_forbid_bare_newline_reject_code" in names else "yes"
        lines = [f"smtpd_forbid_bare_newline = {value}"]
        if "smtpd_forbid_bare_newline_exclusions" in names:
            lines.append("smtpd_forbid_bare_newline_exclusions =")
        return lines

    @property
    def forbids_bare_newline(self) -> bool:
        """Whether this Postfix rejects lines ending in a bare LF (550 5.5.2)."""
        value = self.postconf("-h", "smtpd_forbid_bare_newline").strip()
        return value in ("yes", "reject")

    def _write_config(self) -> None:
        for path in (self.config_dir, self.queue_dir, self.data_dir, self.maildir_base):
            path.mkdir(parents=True)
        owner = pwd.getpwnam("postfix")
        os.chown(self.data_dir, owner.pw_uid, owner.pw_gid)
        self.data_dir.chmod(0o700)
        os.chown(self.maildir_base, MAILDIR_UID, MAILDIR_UID)
        self.maildir_base.chmod(0o700)
        config = self.config_dir
        mailboxes = "".join(
            f"{local}@{domain} {domain}/{local}/\n"
            for domain, locals_ in self.users.items()
            for local in locals_
        )
        (config / "virtual_mailboxes").write_text(mailboxes)
        (config / "recipient_access").write_text(
            f"{self.reject_domain} reject_unlisted_recipient\n"
        )
        main = [
            "compatibility_level = 3.6",
            f"queue_directory = {self.queue_dir}",
            f"data_directory = {self.data_dir}",
            "mail_owner = postfix",
            "setgid_group = postdrop",
            f"maillog_file = {self.log_file}",
            f"maillog_file_prefixes = {self.base}",
            "syslog_name = postfix-test",
            # identity, no DNS
            f"myhostname = {MYHOSTNAME}",
            f"mydomain = {MYDOMAIN}",
            "myorigin = $myhostname",
            "smtp_dns_support_level = disabled",
            "smtpd_peername_lookup = no",
            "biff = no",
            "append_dot_mydomain = no",
            # loopback only
            "inet_interfaces = 127.0.0.1",
            "inet_protocols = ipv4",
            "mynetworks = 127.0.0.0/8",
            # deliver nowhere else
            "relayhost =",
            "relay_domains =",
            "default_transport = error:5.7.1 this test instance never relays",
            "relay_transport = $default_transport",
            "local_transport = error:5.1.1 local delivery is disabled",
            "mydestination =",
            "local_recipient_maps =",
            "alias_maps =",
            "alias_database =",
            "notify_classes =",
            "address_verify_map =",
            # Maildirs
            f"virtual_mailbox_domains = {', '.join(self.domains)}",
            f"virtual_mailbox_base = {self.maildir_base}",
            f"virtual_mailbox_maps = texthash:{config / 'virtual_mailboxes'}",
            "virtual_alias_maps =",
            f"virtual_uid_maps = static:{MAILDIR_UID}",
            f"virtual_gid_maps = static:{MAILDIR_UID}",
            "recipient_delimiter = +",
            # accept.test: accept then bounce; reject.test: 550 5.1.1 at RCPT; no relaying at all
            "smtpd_reject_unlisted_recipient = no",
            "smtpd_relay_restrictions = reject_unauth_destination",
            "smtpd_recipient_restrictions ="
            f" check_recipient_access texthash:{config / 'recipient_access'},"
            " reject_unauth_destination",
            # short queue, quick retries
            "maximal_queue_lifetime = 1h",
            "bounce_queue_lifetime = 1h",
            "delay_warning_time = 0",
            "queue_run_delay = 5s",
            "minimal_backoff_time = 5s",
            "maximal_backoff_time = 10s",
            *self._bare_newline_settings(),
        ]
        (config / "main.cf").write_text("\n".join(main) + "\n")
        # service type private unpriv chroot wakeup maxproc command; nothing runs chrooted
        master = [
            f"127.0.0.1:{self.port} inet n - n - - smtpd",
            "pickup    unix  n - n 60  1 pickup",
            "cleanup   unix  n - n -   0 cleanup",
            "qmgr      unix  n - n 300 1 qmgr",
            "rewrite   unix  - - n -   - trivial-rewrite",
            "bounce    unix  - - n -   0 bounce",
            "defer     unix  - - n -   0 bounce",
            "trace     unix  - - n -   0 bounce",
            "showq     unix  n - n -   - showq",
            "error     unix  - - n -   - error",
            "retry     unix  - - n -   - error",
            "virtual   unix  - n n -   - virtual",
            "postlog   unix-dgram n - n - 1 postlogd",
        ]
        (config / "master.cf").write_text("\n".join(master) + "\n")
