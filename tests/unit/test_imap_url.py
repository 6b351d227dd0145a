"""The --imap URL and folder names on the wire: parsed once, up front; names in modified UTF-7."""

from __future__ import annotations

import pytest

from mailer.bounces import imap as imap_module
from mailer.bounces.imap import ImapUrl, mailbox_name
from mailer.errors import UsageError


def test_public_surface_is_pinned() -> None:
    """The module exports exactly the documented names."""
    assert imap_module.__all__ == [
        "DEAD_LETTER_FOLDER",
        "ImapSource",
        "ImapUrl",
        "imap_password",
        "mailbox_name",
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "imaps://bounces%40bounces.newsroom.test@mail.newsroom.test/INBOX",
            ImapUrl("mail.newsroom.test", 993, True, "bounces@bounces.newsroom.test", "INBOX"),
        ),
        (
            "imap://press@127.0.0.1:1143/Returned%20mail",
            ImapUrl("127.0.0.1", 1143, False, "press", "Returned mail"),
        ),
        ("imaps://press@[::1]", ImapUrl("::1", 993, True, "press", "INBOX")),
    ],
)
def test_urls_give_host_port_tls_user_and_folder(url: str, expected: ImapUrl) -> None:
    """imaps:// defaults to 993 and TLS at once, imap:// to 143 and STARTTLS; INBOX by default."""
    assert ImapUrl.parse(url) == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://press@mail.newsroom.test/INBOX", "--imap expects imaps://"),
        ("imaps://mail.newsroom.test/INBOX", "--imap expects imaps://"),
        ("imaps://press@mail.newsroom.test:99999/INBOX", "--imap expects imaps://"),
        ("imaps://press:hunter2-test@mail.newsroom.test/", "must not carry a password"),
    ],
)
def test_bad_urls_are_usage_errors_that_never_echo_the_url(url: str, message: str) -> None:
    """A wrong scheme, no user, a port out of range or a password in the URL: exit 2, and the
    message never repeats the URL (it may hold a password)."""
    with pytest.raises(UsageError) as caught:
        ImapUrl.parse(url)
    assert message in str(caught.value)
    assert "hunter2" not in str(caught.value)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("name", "wire"),
    [
        ("INBOX", '"INBOX"'),
        ("Returned mail", '"Returned mail"'),
        ("Tom & Jerry", '"Tom &- Jerry"'),
        ('say "hi" \\ bye', '"say \\"hi\\" \\\\ bye"'),
        ("~peter/mail/台北/日本語", '"~peter/mail/&U,BTFw-/&ZeVnLIqe-"'),  # RFC 3501 5.1.3
        ("Rückläufer", '"R&APw-ckl&AOQ-ufer"'),
    ],
)
def test_folder_names_are_modified_utf7_and_quoted(name: str, wire: str) -> None:
    """Folder names go out as RFC 3501 modified UTF-7 in a quoted string."""
    assert mailbox_name(name) == wire
