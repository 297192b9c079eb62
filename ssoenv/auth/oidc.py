"""IAM Identity Center OIDC: client registration, PKCE and device-code logins, token refresh.

Follows the AWS CLI v2 flows (reference §4.2–4.4) and writes the same cache files, so a login by
either tool serves both. botocore is only imported when one of these functions actually runs.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote, urlsplit

from ssoenv.auth.browser import LoopbackListener, open_browser
from ssoenv.auth.loginopts import LoginDisplay, LoginOptions
from ssoenv.clock import SYSTEM_CLOCK, Clock
from ssoenv.config.profiles import SsoSession
from ssoenv.config.starturl import service_url
from ssoenv.credentials import cache
from ssoenv.credentials.cache import Registration, Token
from ssoenv.errors import Interrupted, LoginFailed, ServiceError
from ssoenv.log import debug
from ssoenv.paths import Paths
from ssoenv.remote.client import Remote, describe_client_error, error_code, http_status

UTC = timezone.utc
DEFAULT_SCOPES = ("sso:account:access",)
PKCE_GRANT_TYPES = ("authorization_code", "refresh_token")
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SLOW_DOWN_STEP = 5


def _oidc(session: SsoSession, profile: str | None) -> Remote:
    return Remote("sso-oidc", session.region, profile=profile, label="the SSO OIDC service")


def _client_error(exc: Exception, what: str) -> ServiceError:
    """``what (Operation) failed: Code: message``: the step in words, the operation by its name."""
    operation = getattr(exc, "operation_name", None)
    named = f"{what} ({operation})" if operation else what
    return ServiceError(f"{named} failed: {describe_client_error(exc)}", hint="try again later")


# --------------------------------------------------------------------------------------------
# Registration


def get_registration(paths: Paths, session: SsoSession, oidc: Remote, *, pkce: bool) -> Registration:
    """A cached registration when usable (§2.2), else a new one (cached over the same file)."""
    cached = cache.load_registration(paths, session)
    if cached is not None and cached.usable_for(pkce):
        debug("reusing client registration (expires %s)", cached.expires_at)
        return cached
    from botocore.exceptions import ClientError

    kwargs: dict[str, Any] = {
        "clientName": f"ssoenv-client-{session.name}" if session.name else f"ssoenv-client-{int(time.time())}",
        "clientType": "public",
    }
    scopes: tuple[str, ...] | None = session.scopes or None
    if pkce:
        scopes = session.scopes or DEFAULT_SCOPES
        kwargs.update(
            grantTypes=list(PKCE_GRANT_TYPES),
            redirectUris=["http://127.0.0.1/oauth/callback"],
            issuerUrl=service_url(session.start_url),
        )
    if scopes:
        kwargs["scopes"] = list(scopes)
    try:
        response = oidc.call("RegisterClient", "register_client", **kwargs)
    except ClientError as exc:
        raise _client_error(exc, "registering the client with IAM Identity Center") from exc
    registration = Registration(
        client_id=response["clientId"],
        client_secret=response["clientSecret"],
        expires_at=datetime.fromtimestamp(int(response["clientSecretExpiresAt"]), UTC),
        scopes=tuple(scopes) if scopes else None,
        grant_types=PKCE_GRANT_TYPES if pkce else None,
    )
    cache.save_registration(paths, session, registration)
    return registration


def _token_from_response(
    session: SsoSession,
    client_id: str,
    client_secret: str,
    registration_expires_at: datetime | None,
    response: dict[str, Any],
) -> Token:
    """The token file's content for a CreateToken answer (startUrl/region from the config, §4.4)."""
    return Token(
        start_url=session.start_url,
        region=session.region,
        access_token=response["accessToken"],
        expires_at=cache.now() + timedelta(seconds=int(response["expiresIn"])),
        client_id=client_id,
        client_secret=client_secret,
        registration_expires_at=registration_expires_at,
        refresh_token=response.get("refreshToken") or None,  # only if returned: never carried over
    )


# --------------------------------------------------------------------------------------------
# Device authorization


def _sleep_with_countdown(seconds: float, deadline: float, ui: LoginDisplay, clock: Clock) -> None:
    end = clock.monotonic() + seconds
    while True:
        left = end - clock.monotonic()
        if left <= 0:
            return
        ui.tick(deadline - clock.monotonic())
        clock.sleep(min(left, 0.5))


def device_login(
    paths: Paths,
    session: SsoSession,
    options: LoginOptions,
    ui: LoginDisplay,
    *,
    open_page: bool = True,
    clock: Clock = SYSTEM_CLOCK,
) -> Token:
    """Device authorization; the page is opened in a browser only when ``open_page`` (one can reach
    the user) — otherwise a text browser could take over the terminal — and never with no_browser."""
    from botocore.exceptions import ClientError

    oidc = _oidc(session, options.profile)
    registration = get_registration(paths, session, oidc, pkce=False)
    try:
        start = oidc.call(
            "StartDeviceAuthorization",
            "start_device_authorization",
            clientId=registration.client_id,
            clientSecret=registration.client_secret,
            startUrl=service_url(session.start_url),
        )
    except ClientError as exc:
        if error_code(exc) == "InvalidClientException":
            cache.registration_path(paths, session).unlink(missing_ok=True)
            raise LoginFailed(
                "IAM Identity Center rejected the cached client registration; it has been removed",
                hint="run the login again",
            ) from exc
        raise _client_error(exc, "starting the device authorization") from exc
    interval = float(start.get("interval") or 5)
    deadline = clock.monotonic() + float(start.get("expiresIn") or 600)
    device_code = start["deviceCode"]

    def attempt() -> Token | None:
        nonlocal interval
        try:
            response = oidc.call(
                "CreateToken",
                "create_token",
                grantType=DEVICE_GRANT,
                clientId=registration.client_id,
                clientSecret=registration.client_secret,
                deviceCode=device_code,
            )
        except ClientError as exc:
            code = error_code(exc)
            if code == "AuthorizationPendingException":
                return None
            if code == "SlowDownException":
                interval += SLOW_DOWN_STEP
                debug("slow_down: polling interval now %s s", interval)
                return None
            if code == "ExpiredTokenException":
                raise LoginFailed(
                    "the device code expired before the login was approved",
                    hint="run `ssoenv login` again and approve it within the time shown",
                ) from exc
            if code == "AccessDeniedException":
                raise LoginFailed(
                    "the login was denied in the browser", hint="run `ssoenv login` to try again"
                ) from exc
            raise _client_error(exc, "waiting for the login") from exc
        return _token_from_response(
            session, registration.client_id, registration.client_secret, registration.expires_at, response
        )

    token = attempt()  # the client may already be authorized
    if token is not None:
        return token
    ui.show_device_code(start["verificationUri"], start["userCode"], start.get("verificationUriComplete"))
    if open_page and not options.no_browser:
        url = start.get("verificationUriComplete") or start["verificationUri"]
        problem = open_browser(url)
        if problem:
            ui.browser_failed(problem)
    try:
        while True:
            if clock.monotonic() >= deadline:
                raise LoginFailed(
                    "the device code expired before the login was approved",
                    hint="run `ssoenv login` again",
                )
            _sleep_with_countdown(interval, deadline, ui, clock)
            token = attempt()
            if token is not None:
                return token
    finally:
        ui.done()


# --------------------------------------------------------------------------------------------
# Authorization code + PKCE


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge): 64 unreserved characters, base64url without padding."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    verifier = "".join(secrets.choice(alphabet) for _ in range(64))
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
    return verifier, challenge


def authorize_url(
    oidc_endpoint: str, client_id: str, redirect_uri: str, state: str, scopes: tuple[str, ...], challenge: str
) -> str:
    parts = urlsplit(oidc_endpoint)
    base = f"{parts.scheme}://{parts.netloc}/authorize"
    query = "&".join(
        f"{key}={quote(value, safe='')}"
        for key, value in (
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("state", state),
            ("code_challenge_method", "S256"),
            ("scopes", " ".join(scopes)),
        )
    )
    return f"{base}?{query}&code_challenge={challenge}"


def pkce_login(paths: Paths, session: SsoSession, options: LoginOptions, ui: LoginDisplay) -> Token:
    """Authorization code + PKCE; waits on the real clock for a real browser's redirect."""
    from botocore.exceptions import ClientError

    oidc = _oidc(session, options.profile)
    port = options.callback_port or session.callback_port or 0
    state = str(uuid.uuid4())
    # bind before anything is shown or opened, so the redirect can never miss us; the listener
    # only takes a redirect that carries this state (any local process can reach the port)
    with LoopbackListener(port, state) as listener:
        registration = get_registration(paths, session, oidc, pkce=True)
        verifier, challenge = pkce_pair()
        redirect_uri = f"http://127.0.0.1:{listener.port}/oauth/callback"
        scopes = registration.scopes or session.scopes or DEFAULT_SCOPES
        url = authorize_url(oidc.endpoint_url, registration.client_id, redirect_uri, state, tuple(scopes), challenge)
        ui.show_authorize_url(url)
        if not options.no_browser:
            problem = open_browser(url)
            if problem:
                ui.browser_failed(problem)
        deadline = time.monotonic() + options.pkce_timeout
        try:
            result = listener.wait(deadline, tick=lambda left: ui.tick(left))
        finally:
            ui.done()
    if result is None:
        raise LoginFailed("no answer from the browser within 10 minutes", hint="run `ssoenv login` again")
    if result.get("error"):
        detail = result.get("error_description") or result["error"]
        raise LoginFailed(f"the login was refused in the browser: {detail}", hint="run `ssoenv login` to try again")
    if result.get("state") != state:
        raise LoginFailed("State parameter does not match expected value.", hint="run `ssoenv login` again")
    code = result.get("code")
    if not code:
        raise LoginFailed("Failed to retrieve an authorization code.", hint="run `ssoenv login` again")
    try:
        response = oidc.call(
            "CreateToken",
            "create_token",
            grantType="authorization_code",
            clientId=registration.client_id,
            clientSecret=registration.client_secret,
            redirectUri=redirect_uri,
            codeVerifier=verifier,
            code=code,
        )
    except ClientError as exc:
        if error_code(exc) in ("ExpiredTokenException", "InvalidGrantException"):
            raise LoginFailed(
                "the authorization code expired or was already used", hint="run `ssoenv login` again"
            ) from exc
        raise _client_error(exc, "exchanging the authorization code") from exc
    return _token_from_response(
        session, registration.client_id, registration.client_secret, registration.expires_at, response
    )


# --------------------------------------------------------------------------------------------
# Refresh (sso-session tokens only, §4.4)


def refresh(paths: Paths, session: SsoSession, token: Token, *, profile: str | None = None) -> Token | None:
    """A new token from the refresh token, or None when the service refuses the refresh token
    (a new login is needed). Raises ServiceError when the service failed (down, throttling,
    unreachable, an answer that is not its own): the refresh token may still be good."""
    from botocore.exceptions import ClientError

    if not (session.refreshable and token.can_refresh):
        return None
    assert token.client_id and token.client_secret and token.refresh_token
    oidc = _oidc(session, profile)
    try:
        response = oidc.call(
            "CreateToken",
            "create_token",
            grantType="refresh_token",
            clientId=token.client_id,
            clientSecret=token.client_secret,
            refreshToken=token.refresh_token,
        )
    except ClientError as exc:
        status = http_status(exc)
        if status is not None and (status >= 500 or status == 429):
            raise _client_error(exc, "refreshing the SSO session") from exc
        debug("refresh refused: %s", error_code(exc))
        return None
    return _token_from_response(session, token.client_id, token.client_secret, token.registration_expires_at, response)


def login(
    paths: Paths,
    session: SsoSession,
    options: LoginOptions,
    ui: LoginDisplay,
    *,
    browser_usable: bool,
    clock: Clock = SYSTEM_CLOCK,
) -> Token:
    """Run the right flow and write the token file. Ctrl-C leaves no partial file."""
    use_device = options.use_device_code or not session.refreshable or options.no_browser or not browser_usable
    if not browser_usable and not options.use_device_code and session.refreshable and not options.no_browser:
        ui.message("no browser can be opened here; using the device code flow")
    try:
        if use_device:
            token = device_login(paths, session, options, ui, open_page=browser_usable, clock=clock)
        else:
            token = pkce_login(paths, session, options, ui)
    except KeyboardInterrupt as exc:
        raise Interrupted("login cancelled") from exc
    cache.save_token(paths, session, token)
    from ssoenv.auth.sessionclock import note_login

    note_login(paths, session, token)  # the session's end = this time + ssoenv_session_duration
    return token
