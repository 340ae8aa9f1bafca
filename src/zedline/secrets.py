"""Encryption of secrets the platform keeps for portals (e.g. a portal's SMTP password).

The key is derived from the platform secret (`Settings.resolved_secret_key()`) with HKDF, so
one configured secret serves sessions and this box without being used twice as the same key.
Changing the platform secret makes stored secrets unreadable: the portal admin enters them again.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# Names the purpose of the derived key: another purpose derives another key.
_INFO = b"zedline portal secrets v1"


class SecretError(Exception):
    """A stored secret cannot be decrypted (another platform secret, or a damaged value)."""


class SecretBox:
    """Fernet (AES-128-CBC + HMAC-SHA256, with a timestamp) under a key derived from a secret."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("the platform secret is empty")
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
            secret.encode("utf-8")
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def __repr__(self) -> str:
        # Never the key: this object may end up in a log line or a traceback.
        return "SecretBox(<hidden>)"

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The plaintext of `token`.

        Raises:
            SecretError: the token was made under another key, or is damaged.
        """
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError, ValueError) as exc:
            raise SecretError("the stored secret cannot be decrypted") from exc
