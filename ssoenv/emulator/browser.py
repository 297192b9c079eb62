"""A scriptable stand-in for a web browser, for tests, CI and ``ssoenv demo``.

    python -m ssoenv.emulator.browser [--click allow|deny] [--wait] [--timeout S] URL

GETs ``URL`` and follows redirects between loopback hosts: the emulator's ``/device`` and
``/authorize`` pages, and the final redirect of a PKCE login to the client's loopback listener
(``http://127.0.0.1:<port>/oauth/callback?code=...``). A redirect to a non-loopback host (for
example the console ``Destination`` of a federation login) is reported and not followed, so the
helper never touches the network. ``--click allow|deny`` presses that button of a consent page
(manual approval mode); the environment variable ``SSOENV_BROWSER_CLICK`` gives a default.

It always exits 0, quickly (every request has a timeout; the whole visit has a deadline), so it
can be used as ``BROWSER`` (``BROWSER="python -m ssoenv.emulator.browser %s"``): Python's
``webbrowser`` module waits for the browser command to finish and tries another browser when it
exits non-zero. Because the program that opens the browser may only start answering on its
loopback listener once the browser command returned, the last hop to a listener on another port
is made by a detached child process (POSIX) unless ``--wait`` is given.

In-process use (never forks): ``visit(url, click="allow") -> Visit``.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TextIO
from urllib.parse import urlencode, urljoin, urlsplit

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_HOPS = 12
_SECRET_PARAM = re.compile(r"(?i)([?&](?:code|SigninToken|Session|code_verifier)=)[^&#]*")


def redact(url: str) -> str:
    return _SECRET_PARAM.sub(r"\1***", url)


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # (name, value, text)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.state = ""
        self.forms: list[Form] = []
        self._in_title = False
        self._button: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "title":
            self._in_title = True
        elif tag == "body":
            self.state = a.get("data-state", "")
        elif tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif tag == "input" and self.forms and a.get("name"):
            if a.get("type", "text") not in ("submit", "button", "checkbox", "radio"):
                self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "button" and self.forms:
            self._button = [a.get("name", ""), a.get("value", ""), ""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "button" and self._button is not None and self.forms:
            name, value, text = self._button
            self.forms[-1].buttons.append((name, value, text.strip()))
            self._button = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._button is not None:
            self._button[2] += data


@dataclass
class Visit:
    """Outcome of a visit: the last URL requested (or not followed), its status and page."""

    url: str
    status: int | None = None
    title: str = ""
    state: str = ""  # data-state of the page: approved, denied, consent, error, ...
    clicked: str | None = None
    stopped_at_external: bool = False
    detached: bool = False
    history: list[tuple[str, str, int]] = field(default_factory=list)  # (method, url, status)


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "http" and (parts.hostname or "") in LOOPBACK


def _fetch(method: str, url: str, body: bytes | None, timeout: float) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=timeout)
    try:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {"User-Agent": "ssoenv-emulator-browser/1", "Accept": "text/html,*/*", "Connection": "close"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, target, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read(1 << 20)
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


def visit(
    url: str,
    *,
    click: str | None = None,
    timeout: float = 10.0,
    deadline: float = 30.0,
    detach: bool = False,
    log: TextIO | None = None,
) -> Visit:
    """Browse ``url`` like a user would; see the module docstring. Raises OSError on I/O errors."""
    end = time.monotonic() + deadline
    result = Visit(url)
    origin = urlsplit(url).netloc
    method, body = "GET", None
    clicked = False

    def say(text: str) -> None:
        if log is not None:
            print(f"browser: {text}", file=log, flush=True)

    for _hop in range(MAX_HOPS):
        result.url = url
        if not _is_local(url):
            result.stopped_at_external = True
            parts = urlsplit(url)
            say(f"not following to non-local {parts.scheme}://{parts.netloc}{parts.path}")
            return result
        if detach and urlsplit(url).netloc != origin and hasattr(os, "fork"):
            if os.fork() != 0:
                result.detached = True
                say(f"delivering {redact(url)} in the background")
                return result
            # child: finish this hop, then leave without running the parent's cleanup
            try:
                os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
                _fetch(method, url, body, max(0.1, min(timeout, end - time.monotonic())))
            except Exception as exc:
                say(f"{redact(url)}: {exc}")
            finally:
                os._exit(0)
        remaining = end - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("browser deadline exceeded")
        status, headers, data = _fetch(method, url, body, min(timeout, remaining))
        result.status = status
        result.history.append((method, url, status))
        say(f"{method} {redact(url)} -> {status}")
        if status in REDIRECTS and headers.get("location"):
            if status in (307, 308):
                pass  # keep method and body
            else:
                method, body = "GET", None
            url = urljoin(url, headers["location"])
            continue
        page = _PageParser()
        if "html" in headers.get("content-type", ""):
            page.feed(data.decode("utf-8", "replace"))
        result.title, result.state = page.title.strip(), page.state
        if page.title:
            say(f"page: {result.title}")
        if click and not clicked:
            for form in page.forms:
                for name, value, text in form.buttons:
                    if click.lower() in (value.lower(), text.lower()):
                        fields = dict(form.fields)
                        if name:
                            fields[name] = value
                        clicked = True
                        result.clicked = click
                        say(f"clicking {text or value}")
                        target = urljoin(url, form.action or url)
                        if form.method == "post":
                            method, body = "POST", urlencode(fields).encode()
                            url = target
                        else:
                            method, body = "GET", None
                            url = target + ("&" if "?" in target else "?") + urlencode(fields)
                        break
                if clicked:
                    break
            if clicked:
                continue
            say(f"no {click!r} button on this page")
        return result
    raise RuntimeError("too many redirects")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ssoenv.emulator.browser",
        description="Visit a URL like a browser (loopback hosts only); always exits 0.",
    )
    parser.add_argument("url")
    parser.add_argument(
        "--click",
        choices=("allow", "deny"),
        default=os.environ.get("SSOENV_BROWSER_CLICK") or None,
        help="press this button on a consent page",
    )
    parser.add_argument("--wait", action="store_true", help="do not detach for the last hop")
    parser.add_argument("--timeout", type=float, default=10.0, help="per-request timeout (s)")
    parser.add_argument("--quiet", "-q", action="store_true", help="print nothing")
    args = parser.parse_args(argv)
    log = None if args.quiet else sys.stderr
    try:
        visit(
            args.url,
            click=args.click,
            timeout=args.timeout,
            deadline=max(args.timeout * 3, 5.0),
            detach=not args.wait,
            log=log,
        )
    except Exception as exc:
        if log is not None:
            print(f"browser: {exc}", file=log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
