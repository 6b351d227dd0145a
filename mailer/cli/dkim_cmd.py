"""`mailer dkim`: make a signing key and print the DNS record to publish."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mailer.cli.output import console
from mailer.cli.state import state
from mailer.send.dkim import DkimAlgorithm, DkimSigner, generate_key

app = typer.Typer(help="DKIM: signing keys and their DNS records.", no_args_is_help=True)


@app.command("keygen")
def keygen_cmd(
    ctx: typer.Context,
    key_file: Annotated[
        Path, typer.Argument(help="Where to write the private key (PEM, mode 600).", dir_okay=False)
    ],
    selector: Annotated[str, typer.Option(help="The selector (s=), e.g. press2026.")],
    domain: Annotated[
        str | None,
        typer.Option(help="The signing domain (d=); default: dkim_domain or the From domain."),
    ] = None,
    algorithm: Annotated[
        DkimAlgorithm, typer.Option(help="rsa-sha256 (2048-bit) or ed25519-sha256.")
    ] = DkimAlgorithm.RSA_SHA256,
) -> None:
    """Write a new key and print the TXT record to publish at SELECTOR._domainkey.DOMAIN.

    Example: mailer dkim keygen dkim.pem --selector press2026 --domain unffc.example.org
    """
    from mailer.render.variant import sender_domain

    settings = state(ctx).settings
    name = domain or settings.dkim_domain or sender_domain(settings)
    generate_key(key_file, algorithm)
    signer = DkimSigner.from_key_file(name, selector, key_file)
    record = signer.dns_record()
    console.print(f"wrote {key_file} (keep it secret; mode 600)", highlight=False, markup=False)
    console.print(
        f"publish this TXT record at {selector}._domainkey.{name}:", highlight=False, markup=False
    )
    # A DNS character-string holds at most 255 octets (RFC 1035 3.3): split long keys.
    chunks = [record[i : i + 250] for i in range(0, len(record), 250)]
    console.print(" ".join(f'"{c}"' for c in chunks), highlight=False, markup=False, soft_wrap=True)
    console.print(
        f"then set MAILER_DKIM_DOMAIN={name} MAILER_DKIM_SELECTOR={selector} "
        f"MAILER_DKIM_KEY_FILE={key_file.resolve()}",
        highlight=False,
        markup=False,
    )
