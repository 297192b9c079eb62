"""Start URLs the way people have them: AWS portal hosts as they are, vanity hosts resolved.

Like the AWS CLI v2 (≥ 2.35.13, ``awscli/customizations/sso/resolve.py``): a start URL on an AWS
portal domain (``*.awsapps.com``, ``*.app.aws``, ``*.portal.amazonaws.com``, ...) is used as
written, with the configured ``sso_region``. Any other ("vanity") host is asked once (``HEAD``;
``GET`` when the server refuses ``HEAD`` with 405/501) and one redirect is followed without
fetching its target; the target must be an https URL on an AWS portal domain, and when its host
names a region (``ID.portal.REGION.app.aws``, ``ID.REGION.portal.amazonaws.com``) that region is
the ``sso_region``. A start URL may be plain ``http://`` only on a loopback host (emulators,
tests, CI), never otherwise. Stdlib only.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit, urlunsplit

from ssoenv.errors import ConfigError, ServiceError, UsageError

AWS_OWNED_SUFFIXES = (".app.aws", ".portal.amazonaws.com", ".portal.amazonaws.com.cn", ".awsapps.com", ".awsapps.cn")
AWS_OWNED_EXACT = ("identitycenter.amazonaws.com", "identitycenter.amazonaws.com.cn")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
_REGION_PATTERNS = (
    re.compile(r"^[^.]+\.portal\.(?P<region>[a-z0-9-]+)\.app\.aws$", re.I),
    re.compile(r"^[^.]+\.(?P<region>[a-z0-9-]+)\.portal\.amazonaws\.com$", re.I),
    re.compile(r"^[^.]+\.(?P<region>[a-z0-9-]+)\.portal\.amazonaws\.com\.cn$", re.I),
)
_REDIRECTS = (301, 302, 303, 307, 308)
TIMEOUT = 10.0


class Resolved(NamedTuple):
    url: str  # what the service is told (the configured URL on an AWS host; else the redirect target)
    region: str | None  # read from the target host, else None


def is_aws_owned(host: str) -> bool:
    host = host.lower().rstrip(".")
    return host in AWS_OWNED_EXACT or any(host == s[1:] or host.endswith(s) for s in AWS_OWNED_SUFFIXES)


def is_loopback(host: str) -> bool:
    return host.lower() in LOOPBACK_HOSTS or host.startswith("127.")


def region_from_host(host: str) -> str | None:
    host = host.lower().rstrip(".")
    for pattern in _REGION_PATTERNS:
        match = pattern.match(host)
        if match:
            return match.group("region")
    return None


def check(url: str) -> str:
    """A usable start URL (stripped): https, or http on a loopback host."""
    url = url.strip()
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host or not (parts.scheme == "https" or (parts.scheme == "http" and is_loopback(host))):
        raise UsageError(
            f"the SSO start URL must be an https:// address, not {url!r}",
            hint="it looks like https://d-1234567890.awsapps.com/start (http:// only on 127.0.0.1/localhost)",
        )
    return url


def needs_resolving(url: str) -> bool:
    """Is this a vanity start URL (a host outside the AWS portal domains)?"""
    return not is_aws_owned(urlsplit(url.strip()).hostname or "")


def _normalize(url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    default = {"https": 443, "http": 80}.get(parts.scheme)
    if parts.port and parts.port != default:
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def _redirect_target(url: str, timeout: float) -> str:
    """Ask ``url`` once (HEAD, GET on 405/501); the Location of a redirect, else ``url`` itself."""
    import urllib.error
    import urllib.request

    class NoRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirects)
    for method in ("HEAD", "GET"):
        try:
            with opener.open(urllib.request.Request(url, method=method), timeout=timeout):
                return url  # answered without a redirect
        except urllib.error.HTTPError as exc:
            if exc.code in (405, 501) and method == "HEAD":
                continue
            if exc.code in _REDIRECTS:
                location = exc.headers.get("Location")
                if not location:
                    raise ServiceError(f"{url} redirects without a Location header") from exc
                return urljoin(url, location)
            raise ServiceError(f"cannot resolve the start URL {url}: HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServiceError(f"cannot resolve the start URL {url}: {reason}") from exc
    return url


def resolve(start_url: str, *, timeout: float = TIMEOUT) -> Resolved:
    """What a vanity start URL stands for; AWS portal URLs as they are (no network)."""
    url = check(start_url)
    if not needs_resolving(url):
        return Resolved(url, None)
    target = _normalize(_redirect_target(url, timeout))
    parts = urlsplit(target)
    if parts.scheme != "https" or not is_aws_owned(parts.hostname or ""):
        raise ConfigError(
            f"the start URL {start_url} does not lead to an AWS IAM Identity Center portal (it leads to {target})",
            hint="use the portal URL your administrator gave you (https://....awsapps.com/start)",
        )
    return Resolved(target, region_from_host(parts.hostname or ""))


_SERVICE_URLS: dict[str, str] = {}


def service_url(start_url: str) -> str:
    """The URL the service is told (StartDeviceAuthorization ``startUrl``, RegisterClient
    ``issuerUrl``): where a vanity URL leads; an AWS portal URL as it is. Cache keys and the
    token's ``startUrl`` keep the configured URL. Resolved once per process."""
    if not needs_resolving(start_url):
        return start_url
    if start_url not in _SERVICE_URLS:
        _SERVICE_URLS[start_url] = resolve(start_url).url
    return _SERVICE_URLS[start_url]


def derive_region(start_url: str, *, timeout: float = TIMEOUT) -> str | None:
    """The sso_region a vanity start URL leads to, or None (an AWS portal URL, or no region in it)."""
    if not needs_resolving(start_url):
        return None
    return resolve(start_url, timeout=timeout).region
