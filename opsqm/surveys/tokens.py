"""Survey invitation tokens.

A token is HMAC-SHA256(SECRET_KEY, nonce) cut to 192 bits, where the nonce is 192 random bits
from `secrets`. The database keeps the nonce and SHA-256(token): a copy of the database alone
cannot produce a valid link, while staff (with the running server's key) can print the link
again for the A4 sheet, the QR code or a reminder. Rotating SECRET_KEY invalidates open links.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

__all__ = ["new_nonce", "token_for", "token_hash"]

TOKEN_BYTES = 24  # 192 bits


def new_nonce() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_for(nonce: str) -> str:
    mac = hmac.new(settings.SECRET_KEY.encode(), b"opsqm-survey-invitation:" + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:TOKEN_BYTES]).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
