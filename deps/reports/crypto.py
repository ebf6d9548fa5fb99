"""Encrypted reports: AES-256 PDF (pikepdf, security handler revision 6) and password-protected XLSX (msoffcrypto).

The passphrase opens the document (user password) and is also its owner password.  It comes from a prompt or a
file, never from the command line (see ``deps/cli/report.py``), and is never logged.  PDF: ``pikepdf.Encryption``
with ``R=6`` is AES-256 (PDF 2.0, ``/V 5 /R 6``, crypt filter AESV3).  XLSX: msoffcrypto-tool writes ECMA-376
agile encryption (AES-256, SHA-512 key derivation with 100,000 spins), which Excel and LibreOffice open.
"""

from __future__ import annotations

import io

from deps.errors import DepsError

__all__ = ["MIN_PASSPHRASE_LENGTH", "check_passphrase", "encrypt_pdf", "encrypt_xlsx"]

#: Shortest passphrase accepted for an encrypted report (characters).
MIN_PASSPHRASE_LENGTH = 12


def check_passphrase(passphrase: str, *, min_length: int = MIN_PASSPHRASE_LENGTH) -> None:
    """Raise :class:`DepsError` unless ``passphrase`` has at least ``min_length`` characters."""
    if len(passphrase) < min_length:
        raise DepsError(f"the report passphrase is too short ({len(passphrase)} characters): use at least {min_length}")


def encrypt_pdf(data: bytes, passphrase: str) -> bytes:
    """``data`` (a PDF) encrypted with AES-256 (R6); printing and copying stay allowed for the holder."""
    import pikepdf

    check_passphrase(passphrase)
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.save(
            out,
            encryption=pikepdf.Encryption(owner=passphrase, user=passphrase, R=6, aes=True, metadata=True),
        )
    return out.getvalue()


def encrypt_xlsx(data: bytes, passphrase: str) -> bytes:
    """``data`` (an XLSX) as an encrypted OOXML package (ECMA-376 agile encryption)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    check_passphrase(passphrase)
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(passphrase, out)
    return out.getvalue()
