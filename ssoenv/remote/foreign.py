"""Exceptions raised by libraries (botocore, the OS) that have a meaning for the user, as domain errors.

Used only by the one error boundary (``ssoenv.front.cli.main``): whatever escapes the code below it
is turned into one :class:`SsoenvError` here, so the user sees one line and a documented exit
code, never a traceback. botocore is never imported here: exceptions are recognised by module.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ssoenv.errors import ConfigError, ServiceError, SsoenvError

# botocore exceptions that mean "your config (or a value in it) is wrong"
_CONFIG_ERRORS = frozenset(
    {
        "ConfigParseError",
        "InvalidRegionError",
        "ProfileNotFound",
        "InvalidConfigError",
        "NoRegionError",
        "InvalidEndpointConfigurationError",
        "InvalidS3AddressingStyleError",
        "InvalidRetryConfigurationError",
        "InvalidMaxRetryAttemptsError",
        "InvalidRetryModeError",
        "InvalidDefaultsMode",
        "ParamValidationError",
        "PartialCredentialsError",
        "UnknownCredentialError",
        "InvalidProxiesConfigError",
        "UnknownSignatureVersionError",
        "EndpointResolutionError",
        "UnknownRegionError",
    }
)


def translate(exc: BaseException) -> SsoenvError | None:
    """The domain error for a foreign exception that has a meaning, else None (a bug)."""
    module = type(exc).__module__ or ""
    if module.startswith("botocore"):
        return _botocore(exc)
    return None


def _kwargs(exc: BaseException) -> dict[str, object]:
    kwargs = getattr(exc, "kwargs", None)
    return kwargs if isinstance(kwargs, dict) else {}


def _botocore(exc: BaseException) -> SsoenvError:
    name = type(exc).__name__
    if name == "ConfigParseError":
        return config_parse_error(exc)
    if name == "InvalidRegionError":
        region = str(_kwargs(exc).get("region_name", ""))
        where = locate_value(config_file(), region)
        return ConfigError(
            f"{where or 'the config'}: {region!r} is not an AWS region name",
            hint="a region looks like us-east-1",
        )
    if name in _CONFIG_ERRORS:
        first = " ".join(str(exc).split())
        return ConfigError(f"the AWS configuration is not usable: {first}", hint=f"check {config_file()}")
    from ssoenv.remote.client import translate_transport_error

    transport = translate_transport_error(exc, "the service")
    if transport is not None:
        return transport
    return ServiceError(f"a call to AWS failed: {' '.join(str(exc).split())[:300]}", hint="try again later")


def config_file() -> Path:
    from ssoenv.paths import resolve_paths

    return resolve_paths(os.environ).config_file


def config_parse_error(exc: BaseException) -> ConfigError:
    """``FILE:LINE: what`` for botocore's ConfigParseError (it carries the configparser error)."""
    kwargs = _kwargs(exc)
    path = str(kwargs.get("path") or config_file())
    inner = kwargs.get("error")
    line: int | None = None
    reason = "botocore cannot read it"
    if isinstance(inner, UnicodeDecodeError):
        try:
            line = Path(path).read_bytes()[: inner.start].count(b"\n") + 1
        except OSError:
            line = None
        reason = "it is not UTF-8 text"
    elif inner is not None:
        lineno = getattr(inner, "lineno", None)
        errors = getattr(inner, "errors", None)
        if lineno is None and isinstance(errors, list) and errors:
            lineno = errors[0][0]
        line = int(lineno) if isinstance(lineno, int) else None
        reason = _configparser_reason(inner)
    where = f"{path}:{line}" if line else path
    return ConfigError(f"{where}: {reason}", hint="fix that line; the AWS CLI and boto3 refuse it too")


def _configparser_reason(inner: object) -> str:
    kind = type(inner).__name__
    if kind == "DuplicateOptionError":
        return f"{getattr(inner, 'option', '?')!r} is set twice in [{getattr(inner, 'section', '?')}]"
    if kind == "DuplicateSectionError":
        return f"[{getattr(inner, 'section', '?')}] appears twice"
    if kind == "MissingSectionHeaderError":
        return "a line before the first [section]"
    if kind == "ParsingError":
        return "a line that is neither a [section], a key = value nor a comment"
    text = str(inner).splitlines()[0] if str(inner) else kind
    return re.sub(r"^While reading from .*?: ", "", text)


def locate_value(path: Path, value: str) -> str | None:
    """``FILE:LINE`` of the first ``key = value`` line with this value, if any."""
    if not value:
        return None
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for number, text in enumerate(lines, 1):
        key, sep, found = text.partition("=")
        if sep and key.strip() and found.strip() == value.strip():
            return f"{path}:{number}"
    return None
