"""The SSO portal API: role credentials, accounts, roles and logout (botocore ``sso``, lazily)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ssoenv.aws import client, error_code, error_message, http_status, translate_transport_error
from ssoenv.cache import RoleCredentials
from ssoenv.errors import AccessDenied, LoginRequired, ServiceError

UTC = timezone.utc


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

    def __init__(self, region: str, *, profile: str | None = None, max_attempts: int = 3) -> None:
        self._client: Any = client("sso", region, profile=profile, max_attempts=max_attempts)

    @property
    def endpoint_url(self) -> str:
        return str(self._client.meta.endpoint_url)

    def _translate(
        self, exc: Exception, what: str, *, account: str | None = None, role: str | None = None
    ) -> Exception:
        from botocore.exceptions import BotoCoreError, ClientError

        if isinstance(exc, BotoCoreError):
            return translate_transport_error(exc, "the SSO portal") or ServiceError(f"{what} failed: {exc}")
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
        if code == "TooManyRequestsException":
            return ServiceError(
                f"{what}: the portal keeps throttling requests (429)", hint="wait a moment and try again"
            )
        return ServiceError(f"{what} failed: {code}: {error_message(exc)}")

    def get_role_credentials(self, access_token: str, account_id: str, role_name: str) -> RoleCredentials:
        try:
            response = self._client.get_role_credentials(
                roleName=role_name, accountId=account_id, accessToken=access_token
            )
        except Exception as exc:
            raise self._translate(exc, "GetRoleCredentials", account=account_id, role=role_name) from exc
        creds = response["roleCredentials"]
        return RoleCredentials(
            access_key_id=creds["accessKeyId"],
            secret_access_key=creds["secretAccessKey"],
            session_token=creds["sessionToken"],
            expiration=datetime.fromtimestamp(int(creds["expiration"]) // 1000, UTC),
            account_id=account_id,
        )

    def list_accounts(self, access_token: str) -> list[Account]:
        accounts: list[Account] = []
        try:
            pages = self._client.get_paginator("list_accounts").paginate(
                accessToken=access_token, PaginationConfig={"PageSize": 100}
            )
            for page in pages:
                for item in page.get("accountList", []):
                    accounts.append(
                        Account(
                            account_id=item["accountId"],
                            name=item.get("accountName", ""),
                            email=item.get("emailAddress", ""),
                        )
                    )
        except Exception as exc:
            raise self._translate(exc, "ListAccounts") from exc
        return accounts

    def list_account_roles(self, access_token: str, account_id: str) -> list[str]:
        roles: list[str] = []
        try:
            paginator = self._client.get_paginator("list_account_roles")
            pages = paginator.paginate(
                accessToken=access_token, accountId=account_id, PaginationConfig={"PageSize": 100}
            )
            for page in pages:
                roles.extend(item["roleName"] for item in page.get("roleList", []))
        except Exception as exc:
            raise self._translate(exc, "ListAccountRoles", account=account_id) from exc
        return roles

    def logout(self, access_token: str) -> None:
        self._client.logout(accessToken=access_token)


def logout_quietly(region: str, access_token: str) -> bool:
    """Call Logout with a short timeout and no retries; errors are ignored (as the AWS CLI)."""
    try:
        sso: Any = client("sso", region, max_attempts=1, read_timeout=5, connect_timeout=3)
        sso.logout(accessToken=access_token)
    except Exception:
        return False
    return True
