"""The few HTML pages a browser sees: device-code page, PKCE consent page, results, index.

Forms are real HTML forms (POST) so that a browser, or ``ssoenv.emulator.browser --click``,
can press Allow / Deny. Every page carries ``data-state`` on <body> for scripts and tests.
"""

from __future__ import annotations

from html import escape
from typing import Final

_STYLE: Final = """
body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#16191f}
h1{font-size:1.4rem} code{background:#f2f3f3;padding:.1rem .3rem}
.box{border:1px solid #d5dbdb;border-radius:8px;padding:1.2rem 1.5rem}
button{font-size:1rem;padding:.5rem 1.4rem;margin-right:.8rem;border-radius:4px;border:1px solid #545b64}
button.allow{background:#ff9900;border-color:#ff9900} .muted{color:#687078;font-size:.9rem}
table{border-collapse:collapse} td,th{padding:.2rem .8rem;text-align:left;border-bottom:1px solid #eaeded}
"""


def page(title: str, body: str, *, state: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f'<body data-state="{escape(state)}"><div class="box"><h1>{escape(title)}</h1>{body}</div>'
        '<p class="muted">ssoenv AWS IAM Identity Center emulator</p></body></html>\n'
    )


def message(title: str, text: str, *, state: str) -> str:
    return page(title, f"<p>{escape(text)}</p>", state=state)


def _buttons() -> str:
    return (
        '<button class="allow" type="submit" name="action" value="allow">Allow</button>'
        '<button class="deny" type="submit" name="action" value="deny">Deny</button>'
    )


def device_enter_code() -> str:
    body = (
        "<p>Enter the code shown in your terminal.</p>"
        '<form method="get" action="/device"><input name="user_code" placeholder="ABCD-EFGH" '
        'autofocus> <button type="submit">Next</button></form>'
    )
    return page("Authorize request", body, state="enter-code")


def device_consent(user_code: str, client_name: str) -> str:
    body = (
        f"<p>Code <code>{escape(user_code)}</code></p>"
        f"<p>Allow <b>{escape(client_name)}</b> to access your data?</p>"
        '<form method="post" action="/device">'
        f'<input type="hidden" name="user_code" value="{escape(user_code)}">{_buttons()}</form>'
    )
    return page("Authorize request", body, state="consent")


def authorize_consent(request_id: str, client_name: str, scopes: str, user_name: str) -> str:
    body = (
        f"<p>Signed in as <b>{escape(user_name)}</b>.</p>"
        f"<p>Allow <b>{escape(client_name)}</b> to access your data?</p>"
        f'<p class="muted">Scopes: <code>{escape(scopes or "-")}</code></p>'
        '<form method="post" action="/authorize">'
        f'<input type="hidden" name="request_id" value="{escape(request_id)}">{_buttons()}</form>'
    )
    return page("Allow access", body, state="consent")


def approved() -> str:
    return message(
        "Request approved",
        "You can close this window and return to your terminal.",
        state="approved",
    )


def denied() -> str:
    return message("Request denied", "Access was denied. You can close this window.", state="denied")


def error(title: str, text: str) -> str:
    return message(title, text, state="error")


def index(url: str, approve: str, user_name: str, accounts: list[tuple[str, str, list[str]]]) -> str:
    rows = "".join(
        f"<tr><td><code>{escape(aid)}</code></td><td>{escape(name)}</td><td>{escape(', '.join(roles))}</td></tr>"
        for aid, name, roles in accounts[:200]
    )
    more = f'<p class="muted">… and {len(accounts) - 200} more</p>' if len(accounts) > 200 else ""
    body = (
        f"<p>Endpoint <code>{escape(url)}</code> (SSO OIDC, SSO portal, STS, federation). "
        f"Approval mode <code>{escape(approve)}</code>, user <code>{escape(user_name)}</code>.</p>"
        '<p><a href="/device">Enter a device code</a> · control plane: <code>/_emulator/</code></p>'
        f"<table><tr><th>Account</th><th>Name</th><th>Roles</th></tr>{rows}</table>{more}"
    )
    return page("AWS SSO emulator", body, state="index")
