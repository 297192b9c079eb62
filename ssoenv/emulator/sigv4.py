"""Verify AWS Signature Version 4 (header form) the way AWS does, for the emulated STS.

The server recomputes the canonical request from what it received (method, path, query,
the signed headers, the body's SHA-256), the string to sign from ``X-Amz-Date`` and the
credential scope, and the signature with the caller's secret key; a mismatch is
``SignatureDoesNotMatch``. Stdlib only.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from urllib.parse import quote

_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<akid>[^/,\s]+)/(?P<scope>[^,\s]+),\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+),\s*Signature=(?P<signature>[0-9a-f]{64})\s*$"
)


class SignatureError(Exception):
    """The request is not signed, or not signed with the caller's secret key."""


def parse_authorization(value: str) -> tuple[str, str, list[str], str] | None:
    """(access key id, scope, signed header names, signature) of an ``Authorization`` header."""
    match = _AUTH.match(value.strip())
    if not match:
        return None
    return match["akid"], match["scope"], match["signed"].split(";"), match["signature"]


def _canonical_query(query: Mapping[str, str]) -> str:
    pairs = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in query.items())
    return "&".join(f"{k}={v}" for k, v in pairs)


def _canonical_uri(path: str) -> str:
    return quote(path or "/", safe="/-_.~%")


def expected_signature(
    *,
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes,
    signed_headers: list[str],
    scope: str,
    secret_key: str,
) -> str:
    """The signature AWS would compute for this request (headers: lower-cased names)."""
    amz_date = headers.get("x-amz-date", "")
    canonical_headers = "".join(f"{name}:{' '.join(headers.get(name, '').split())}\n" for name in signed_headers)
    payload_hash = headers.get("x-amz-content-sha256") or hashlib.sha256(body).hexdigest()
    canonical_request = "\n".join(
        [
            method,
            _canonical_uri(path),
            _canonical_query(query),
            canonical_headers,
            ";".join(signed_headers),
            payload_hash,
        ]
    )
    string_to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()]
    )
    parts = scope.split("/")
    if len(parts) != 4 or parts[3] != "aws4_request":
        raise SignatureError("Credential should be scoped to a valid region and service")
    key = ("AWS4" + secret_key).encode("utf-8")
    for part in parts:
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def verify(
    *,
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes,
    secret_key: str,
) -> None:
    """Raise SignatureError unless ``Authorization`` is a valid SigV4 signature by ``secret_key``."""
    parsed = parse_authorization(headers.get("authorization", ""))
    if parsed is None:
        raise SignatureError("Authorization header is not an AWS4-HMAC-SHA256 signature")
    _, scope, signed, signature = parsed
    if "host" not in signed:
        raise SignatureError("'Host' must be a signed header")
    if not headers.get("x-amz-date"):
        raise SignatureError("X-Amz-Date is missing")
    wanted = expected_signature(
        method=method,
        path=path,
        query=query,
        headers=headers,
        body=body,
        signed_headers=signed,
        scope=scope,
        secret_key=secret_key,
    )
    if not hmac.compare_digest(wanted, signature):
        raise SignatureError(
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method."
        )
