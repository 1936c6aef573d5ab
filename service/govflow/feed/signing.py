"""A delivery's signature: HMAC-SHA256 of ``<timestamp>.<body>`` (as Stripe and GitHub do),
sent as ``X-GovFlow-Signature: sha256=<hex>`` with ``X-GovFlow-Timestamp``."""

import hashlib
import hmac
import secrets


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: int, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, body), signature)
