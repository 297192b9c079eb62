"""The emulator's fault kinds on the wire (raw sockets and urllib, no client library in between)."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from ssoenv.emulator import Emulator, EmulatorConfig

PATH = "/assignment/accounts?max_result=10"  # ListAccounts


@pytest.fixture
def emu() -> Iterator[Emulator]:
    e = Emulator(EmulatorConfig(port=0)).start()
    try:
        yield e
    finally:
        e.stop()


def raw(emu: Emulator, timeout: float = 2.0) -> bytes:
    """Send a GET and read until the server closes, stops sending (timeout) or errs."""
    data = b""
    with socket.create_connection(("127.0.0.1", emu.port), timeout=timeout) as s:
        s.sendall(f"GET {PATH} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nx-amz-sso_bearer_token: t\r\n\r\n".encode())
        try:
            while chunk := s.recv(65536):
                data += chunk
        except TimeoutError:
            data += b"<timeout>"
        except ConnectionResetError:
            data += b"<reset>"
    return data


@pytest.mark.parametrize(
    ("kind", "expect"),
    [
        ("not-json", b'{"roleCredentials": {"accessKeyId": "ASIA'),
        ("empty", b"\r\n\r\n{}"),
        ("invalid-utf8", b"\xff\xfe"),
        ("html", b"<!DOCTYPE html>"),
        ("answer", b'{"accountList": 7}'),
    ],
)
def test_malformed_answers_are_200_with_that_body(emu: Emulator, kind: str, expect: bytes) -> None:
    emu.inject("ListAccounts", kind=kind, body='{"accountList": 7}')
    reply = raw(emu)
    assert reply.startswith(b"HTTP/1.1 200 ") and expect in reply


def test_truncated_announces_more_than_it_sends_and_closes(emu: Emulator) -> None:
    emu.inject("ListAccounts", kind="truncated")
    reply = raw(emu)
    head, _, body = reply.partition(b"\r\n\r\n")
    length = int(next(h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")).split(b":")[1])
    assert 0 < len(body) < length and not body.endswith(b"<timeout>")


def test_reset_sends_no_answer(emu: Emulator) -> None:
    emu.inject("ListAccounts", kind="reset")
    assert raw(emu) in (b"", b"<reset>")


def test_hang_sends_nothing_and_hang_body_half(emu: Emulator) -> None:
    emu.inject("ListAccounts", kind="hang", delay=5)
    started = time.monotonic()
    assert raw(emu, timeout=0.5) == b"<timeout>"
    assert time.monotonic() - started < 2
    emu.inject("ListAccounts", kind="hang-body", delay=5)
    reply = raw(emu, timeout=0.5)
    assert reply.startswith(b"HTTP/1.1 200 ") and reply.endswith(b"<timeout>") and b"\r\n\r\n{" in reply


def test_an_error_without_a_type(emu: Emulator) -> None:
    emu.inject("ListAccounts", status=400, error_type="")
    reply = raw(emu)
    assert reply.startswith(b"HTTP/1.1 400 ") and b"x-amzn-ErrorType" not in reply


def test_control_plane_takes_kinds(emu: Emulator) -> None:
    req = urllib.request.Request(
        f"{emu.url}/_emulator/inject",
        data=json.dumps({"operation": "ListAccounts", "kind": "html", "count": 2}).encode(),
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=5) as resp:
        fault = json.loads(resp.read())["fault"]
    assert fault["kind"] == "html" and fault["status"] == 200 and fault["remaining"] == 2
    bad = urllib.request.Request(
        f"{emu.url}/_emulator/inject", data=b'{"operation": "ListAccounts", "kind": "gremlins"}', method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(bad, timeout=5)
    assert info.value.code == 400


def test_fault_specs_take_kinds() -> None:
    from ssoenv.emulator.faults import parse_fault

    assert parse_fault("ListAccounts:hang-body:2") == ("ListAccounts", "hang-body", 2)
    assert parse_fault("CreateToken:503") == ("CreateToken", 503, 1)
    with pytest.raises(ValueError, match="KIND"):
        parse_fault("CreateToken:gremlins")
