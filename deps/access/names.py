"""Names recorded in the audit log for login attempts with a user name that does not exist.

A person who types a password into the user-name field must not find it in the append-only log for good.  So an
unknown name is recorded as ``unknown:`` plus the first 16 hex digits of HMAC-SHA-256(key, name) (RFC 2104): the
same wrong name gives the same pseudonym (repeated attempts stay visible), and an admin who holds the key can test
whether a given name was tried, but the log itself does not reveal what was typed.

The key is 32 random bytes in ``DEPS_VAR_DIR/login-names.key`` (the instance folder, mode 0600), created on first
use.  Every process of one instance must share that folder to get the same pseudonyms.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path

__all__ = ["KEY_FILE", "pseudonym"]

KEY_FILE = "login-names.key"
_KEY_BYTES = 32


def _key(var_dir: str) -> bytes:
    folder = Path(var_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / KEY_FILE
    with contextlib.suppress(FileExistsError):
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "wb") as stream:
            stream.write(secrets.token_bytes(_KEY_BYTES))
    key = path.read_bytes()
    if len(key) < _KEY_BYTES:  # another process is writing it right now
        key = path.read_bytes()
    return key


def pseudonym(name: str, var_dir: str) -> str:
    """``unknown:`` and 16 hex digits of HMAC-SHA-256 over ``name`` with the instance's key."""
    digest = hmac.new(_key(var_dir), name.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
    return f"unknown:{digest[:16]}"
