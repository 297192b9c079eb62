"""The SSO portal API: role credentials, accounts, roles and logout (botocore ``sso``, lazily)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ssoenv.credentials.cache import RoleCredentials
from ssoenv.errors import AccessDenied, LoginRequired, ServiceError
from ssoenv.log import debug
from ssoenv.remote.client import MalformedAnswer, Remote, describe_client_error, error_code, error_message, http_status

UTC = timezone.utc
PAGE_SIZE = 100
MAX_PAGES = 10_000


@dataclass(frozen=True)
class Account:
    account_id: str
    name: str
    email: str

    @property
    def label(self) -> str:
        """``name, email (id)``, as the AWS CLI's account menu shows it."""
        parts = [p for p in (self.name, self.email) if p]
        return f"{', '.join(parts)} ({self.account_id})" if parts else self.account_id


class Portal:
    """One region's SSO portal, with the endpoint settings of ``profile`` (if given)."""

    def __init__(self, region: str, *, profile: str | None = None) -> None:
        self._remote = Remote("sso", region, profile=profile, label="the SSO portal")

    @property
    def endpoint_url(self) -> str:
        return self._remote.endpoint_url

    def _translate(
        self, exc: Exception, what: str, *, account: str | None = None, role: str | None = None
    ) -> Exception:
        from botocore.exceptions import ClientError

        if not isinstance(exc, ClientError):
            return exc
        code = error_code(exc)
        status = http_status(exc)
        if code == "UnauthorizedException" or status == 401:
            return LoginRequired(
                "the SSO session has expired or was revoked",
                hint="run `ssoenv login` to sign in again",
            )
        if code == "ForbiddenException" or status == 403:
            target = f"role {role} in account {account}" if role and account else "this account"
            return AccessDenied(
                f"you are not assigned {target} (the portal said: {error_message(exc)})",
                hint="check the profile's sso_account_id/sso_role_name, or ask your administrator",
            )
        if code == "ResourceNotFoundException":
            return AccessDenied(f"{what}: {error_message(exc)}")
        if code in ("TooManyRequestsException", "ThrottlingException") or status == 429:
            return ServiceError(
                f"{what}: the portal keeps throttling requests (429)", hint="wait a moment and try again"
            )
        return ServiceError(f"{what} failed: {describe_client_error(exc)}", hint="try again later")

    def _call(
        self, operation: str, method: str, *, account: str | None = None, role: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        try:
            return self._remote.call(operation, method, **kwargs)
        except Exception as exc:
            raise self._translate(exc, operation, account=account, role=role) from exc

    def get_role_credentials(self, access_token: str, account_id: str, role_name: str) -> RoleCredentials:
        response = self._call(
            "GetRoleCredentials",
            "get_role_credentials",
            account=account_id,
            role=role_name,
            roleName=role_name,
            accountId=account_id,
            accessToken=access_token,
        )
        creds = response["roleCredentials"]  # shape checked by ssoenv.remote.client before parsing
        return RoleCredentials(
            access_key_id=creds["accessKeyId"],
            secret_access_key=creds["secretAccessKey"],
            session_token=creds["sessionToken"],
            expiration=datetime.fromtimestamp(int(creds["expiration"]) // 1000, UTC),
            account_id=account_id,
        )

    def _pages(self, operation: str, method: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
        """Every item of a paged listing; each page is one call with its own retries."""
        items: list[dict[str, Any]] = []
        token: str | None = None
        for _ in range(MAX_PAGES):
            extra = {"nextToken": token} if token else {}
            page = self._call(operation, method, maxResults=PAGE_SIZE, **kwargs, **extra)
            for item in page[key]:
                if not isinstance(item, dict):
                    raise MalformedAnswer(operation, 200, f"an answer with an invalid {key}")
                items.append(item)
            token = page.get("nextToken") or None
            if token is None:
                return items
        raise ServiceError(f"{operation} failed: more than {MAX_PAGES} pages (a loop in the service?)")

    def list_accounts(self, access_token: str) -> list[Account]:
        items = self._pages("ListAccounts", "list_accounts", "accountList", accessToken=access_token)
        accounts: list[Account] = []
        for item in items:
            account_id = item.get("accountId")
            if not isinstance(account_id, str) or not account_id:
                raise MalformedAnswer("ListAccounts", 200, "an account without accountId")
            accounts.append(
                Account(
                    account_id=account_id,
                    name=str(item.get("accountName") or ""),
                    email=str(item.get("emailAddress") or ""),
                )
            )
        return accounts

    def list_account_roles(self, access_token: str, account_id: str) -> list[str]:
        items = self._pages(
            "ListAccountRoles", "list_account_roles", "roleList", accessToken=access_token, accountId=account_id
        )
        roles: list[str] = []
        for item in items:
            name = item.get("roleName")
            if not isinstance(name, str) or not name:
                raise MalformedAnswer("ListAccountRoles", 200, "a role without roleName")
            roles.append(name)
        return roles

    def logout(self, access_token: str) -> None:
        self._call("Logout", "logout", accessToken=access_token)


def logout_quietly(region: str, access_token: str) -> bool:
    """Call Logout (the usual timeouts and retries); errors are ignored, as the AWS CLI does."""
    try:
        Portal(region).logout(access_token)
    except Exception as exc:
        debug("Logout failed: %s", exc)
        return False
    return True
