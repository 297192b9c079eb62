"""``python -m ssoenv.emulator``: the same as ``ssoenv emulator``, with argparse (stdlib only)."""

from __future__ import annotations

import argparse
import sys

from ssoenv.emulator.config import APPROVE_MODES, EmulatorConfig
from ssoenv.emulator.faults import parse_fault
from ssoenv.emulator.runner import run


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ssoenv.emulator", description="Local AWS SSO emulator.")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--accounts", type=int, default=3)
    p.add_argument("--roles-per-account", type=int, default=2)
    p.add_argument("--approve", choices=APPROVE_MODES, default="auto")
    p.add_argument("--token-ttl", type=int, default=28800)
    p.add_argument("--role-ttl", type=int, default=3600)
    p.add_argument("--device-interval", type=int, default=1)
    p.add_argument("--page-size", type=int, default=None)
    p.add_argument("--user-name", default="demo.user@example.com")
    p.add_argument("--directory", default=None, help="JSON directory file")
    p.add_argument("--fault", action="append", default=[], help="OP:STATUS[:COUNT] (repeatable)")
    p.add_argument("--latency", type=float, default=0.0)
    p.add_argument("--log", action="store_true", help="print each request on stderr")
    a = p.parse_args(argv)
    try:
        faults = [parse_fault(spec) for spec in a.fault]
        cfg = EmulatorConfig(
            port=a.port,
            accounts=a.accounts,
            roles_per_account=a.roles_per_account,
            approve=a.approve,
            token_ttl=a.token_ttl,
            role_ttl=a.role_ttl,
            device_interval=a.device_interval,
            page_size=a.page_size,
            user_name=a.user_name,
            directory_file=a.directory,
        )
        return run(cfg, faults=faults, latency=a.latency, log=a.log)
    except (ValueError, OSError) as exc:
        print(f"ssoenv emulator: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ValueError) else 1


if __name__ == "__main__":
    sys.exit(main())
