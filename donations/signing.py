"""Signed values read or written on page views: the reader's cookie and the supporter pass.

itsdangerous, minus the costs its defaults add to every page view (bench/profile.py): the HMAC
comes from hashlib's one-shot C function instead of Python's HMAC class (the same SHA-1
signature, so cookies already out there stay valid); a short payload is not first put through
zlib to see whether that makes it shorter (it seldom does, and loads() reads both); and the
signer and its derived key are made once, not on every dumps() and loads().
"""

from __future__ import annotations

import hmac
from functools import cache
from typing import Any

from flask import current_app
from itsdangerous import URLSafeSerializer
from itsdangerous.encoding import base64_encode, want_bytes
from itsdangerous.signer import HMACAlgorithm, Signer

# Below this many bytes of JSON, zlib saves too little to be worth trying.
COMPRESS_FROM = 512


class OneShotHMAC(HMACAlgorithm):
    def get_signature(self, key: bytes, value: bytes) -> bytes:
        return hmac.digest(key, value, "sha1")


# Both are made for a handful of serializers that live as long as the process, so caching
# on the instance keeps nothing alive that would otherwise go.
class KeptKeySigner(Signer):
    @cache  # noqa: B019
    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        return super().derive_key(secret_key)


class PageViewSerializer(URLSafeSerializer):
    @cache  # noqa: B019
    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        return super().make_signer(salt)

    def dump_payload(self, obj: Any) -> bytes:
        json = want_bytes(self.serializer.dumps(obj, **self.serializer_kwargs))
        if len(json) < COMPRESS_FROM:
            return base64_encode(json)
        return super().dump_payload(obj)


def page_view_serializer(salt: str) -> URLSafeSerializer:
    """This app's serializer for salt, built once per key."""
    return _serializer_for(current_app.secret_key, salt)


@cache
def _serializer_for(secret: str, salt: str) -> URLSafeSerializer:
    return PageViewSerializer(
        secret, salt=salt, signer=KeptKeySigner, signer_kwargs={"algorithm": OneShotHMAC()}
    )
