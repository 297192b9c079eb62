"""The gate in front of the emulator: forwards, notes arrivals, and refuses connections once closed."""

from __future__ import annotations

import http.client
import socket
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError
from emulator_helpers import START_URL, Kit

from ssoenv.emulator import Emulator
from ssoenv.emulator.faults import GATE_HEADER
from ssoenv.emulator.gate import Gate


def oidc_via(url: str) -> Any:
    config = Config(retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=5)
    return boto3.client("sso-oidc", region_name="us-east-1", endpoint_url=url, config=config)


def refuses(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_closes_after_the_named_operation(emulator: Emulator) -> None:
    with Gate(emulator.url, close_after="StartDeviceAuthorization") as gate:
        oidc = oidc_via(gate.url)
        reg = oidc.register_client(clientName="gate", clientType="public")
        assert not refuses(gate.port)
        start = oidc.start_device_authorization(
            clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=START_URL
        )
        assert start["deviceCode"]  # the answer of the last request still came through
        assert refuses(gate.port)
        with pytest.raises(EndpointConnectionError):
            oidc.create_token(
                clientId=reg["clientId"],
                clientSecret=reg["clientSecret"],
                grantType="urn:ietf:params:oauth:grant-type:device_code",
                deviceCode=start["deviceCode"],
            )
        assert gate.forwarded == ["RegisterClient", "StartDeviceAuthorization"]
        assert emulator.calls("CreateToken") == 0
        first, second = (at for _, at in gate.arrivals)
        assert first <= second and gate.arrived("CreateToken") is None


def test_refuse_from_the_start_and_forward_forever(emulator: Emulator) -> None:
    with Gate(emulator.url, refuse=True) as gate:
        assert refuses(gate.port)
        with pytest.raises(EndpointConnectionError):
            oidc_via(gate.url).register_client(clientName="gate", clientType="public")
    kit = Kit(emulator)
    with Gate(emulator.url) as gate:
        token = kit.device_login()["accessToken"]
        creds = kit.role_credentials(token)
        sts = boto3.client(
            "sts",
            region_name="us-east-1",
            endpoint_url=gate.url,
            aws_access_key_id=creds["accessKeyId"],
            aws_secret_access_key=creds["secretAccessKey"],
            aws_session_token=creds["sessionToken"],
        )
        for _ in range(2):
            assert sts.get_caller_identity()["Account"] == "111111111111"
        assert gate.forwarded == ["GetCallerIdentity", "GetCallerIdentity"]  # the action read from the body
        assert not refuses(gate.port)


def test_a_fault_for_one_gate_meets_only_its_requests(emulator: Emulator) -> None:
    emulator.inject("RegisterClient", status=500, count=5, gate="a")
    with Gate(emulator.url, name="a") as a, Gate(emulator.url, name="b") as b:
        with pytest.raises(ClientError) as info:
            oidc_via(a.url).register_client(clientName="gate", clientType="public")
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
        assert oidc_via(b.url).register_client(clientName="gate", clientType="public")["clientId"]
        assert oidc_via(emulator.url).register_client(clientName="gate", clientType="public")["clientId"]
        # a client cannot pass for another gate: the gate replaces the mark
        status, _, _ = raw_post_with(b.url + "/client/register", {GATE_HEADER: "a"})
        assert status == 200
    (pending,) = emulator.faults.pending()
    assert (pending.gate, pending.remaining) == ("a", 4)


def raw_post_with(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        body = b'{"clientName": "raw", "clientType": "public"}'
        conn.request("POST", parts.path, body=body, headers={"Content-Type": "application/json", **headers})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()
