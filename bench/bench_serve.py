"""The live credential endpoint under load: warm requests (median, p99) against a trivial server.

Runs the bundled emulator, logs in, warms the role cache, then starts ``ssoenv serve dev
--foreground`` as a real process and, as the baseline measured in the same run, a trivial stdlib
``ThreadingHTTPServer`` (HTTP/1.1, one fixed JSON answer of the same size, no token check, no
file read). Each round, C concurrent clients (threads, one kept-alive connection each, as the SDKs
keep theirs) send R requests each to one server, then to the other; the rounds alternate so load
from elsewhere on the machine hits both alike. Reported: median and p99 per request, requests per
second, the ratios, and the endpoint's resident memory (VmRSS, VmHWM) after the load.

    python bench/bench_serve.py [-c 50] [-r 40] [--rounds 3]
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._util import SSO_CONFIG, isolated_env, ssoenv_cmd, temp_home  # noqa: E402
from ssoenv.emulator import Emulator, EmulatorConfig  # noqa: E402

BASELINE = textwrap.dedent(
    """
    import sys
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    body = sys.stdin.buffer.read()
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True
        def log_message(self, *a): pass
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
    class S(ThreadingHTTPServer):
        daemon_threads = True
    s = S(("127.0.0.1", 0), H)
    print(s.server_address[1], flush=True)
    s.serve_forever()
    """
)


def load(uri: str, token: str, clients: int, requests: int) -> tuple[list[float], float]:
    """Per-request latencies (seconds) and the wall time of the whole round."""
    parts = urlsplit(uri)
    host, port, path = parts.hostname or "127.0.0.1", parts.port or 80, parts.path
    samples: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    start_gate = threading.Barrier(clients + 1)

    def client(i: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        conn.connect()  # connections are set up before the clock starts: requests are measured
        start_gate.wait()
        for _ in range(requests):
            t0 = time.perf_counter()
            conn.request("GET", path, headers={"Authorization": token})
            resp = conn.getresponse()
            resp.read()
            samples[i].append(time.perf_counter() - t0)
            if resp.status != 200:
                errors.append(str(resp.status))
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    start_gate.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if errors:
        raise SystemExit(f"{len(errors)} requests failed (first: {errors[0]})")
    return [s for per in samples for s in per], wall


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def rss_kib(pid: int) -> tuple[int, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-c", "--clients", type=int, default=50)
    parser.add_argument("-r", "--requests", type=int, default=40, help="requests per client per round")
    parser.add_argument("--rounds", type=int, default=3)
    opts = parser.parse_args()

    home = temp_home()
    emu = Emulator(EmulatorConfig(port=0, accounts=3, roles_per_account=2, approve="auto")).start()
    server: subprocess.Popen[str] | None = None
    baseline: subprocess.Popen[str] | None = None
    try:
        (home / ".aws" / "config").write_text(SSO_CONFIG)
        browser = f"{sys.executable} -m ssoenv.emulator.browser %s"
        env = isolated_env(home, {**emu.env(), "BROWSER": browser})
        run = [*ssoenv_cmd()]
        for args in (["login", "dev"], ["use", "dev", "--shell", "bash", "-q"]):  # log in; warm the role cache
            subprocess.run([*run, *args], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        server = subprocess.Popen(
            [*run, "serve", "dev", "--foreground", "--shell", "json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert server.stdout is not None
        text = ""
        while not text.rstrip().endswith("}"):
            line = server.stdout.readline()
            if not line:
                raise SystemExit("ssoenv serve did not start")
            text += line
        code = json.loads(text)
        uri, token = code["AWS_CONTAINER_CREDENTIALS_FULL_URI"], code["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
        conn = http.client.HTTPConnection(urlsplit(uri).hostname or "", urlsplit(uri).port, timeout=30)
        conn.request("GET", urlsplit(uri).path, headers={"Authorization": token})
        body = conn.getresponse().read()
        conn.close()
        idle_rss, _ = rss_kib(server.pid)

        baseline = subprocess.Popen(
            [sys.executable, "-c", BASELINE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=False
        )
        assert baseline.stdin is not None and baseline.stdout is not None
        baseline.stdin.write(body)
        baseline.stdin.close()
        base_uri = f"http://127.0.0.1:{int(baseline.stdout.readline())}/"

        load(uri, token, 5, 20)  # warm-up of both
        load(base_uri, "x", 5, 20)
        ours: list[float] = []
        base: list[float] = []
        ours_wall = base_wall = 0.0
        for _ in range(opts.rounds):
            samples, wall = load(base_uri, "x", opts.clients, opts.requests)
            base += samples
            base_wall += wall
            samples, wall = load(uri, token, opts.clients, opts.requests)
            ours += samples
            ours_wall += wall
        rss, hwm = rss_kib(server.pid)
        single = statistics.median(load(uri, token, 1, 200)[0])
        single_base = statistics.median(load(base_uri, "x", 1, 200)[0])
        calls = emu.calls("GetRoleCredentials")
    finally:
        for proc in (server, baseline):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(10)
        emu.stop()
        shutil.rmtree(home, ignore_errors=True)

    n = len(ours)
    print(f"ssoenv serve: warm requests, {opts.clients} concurrent clients x {opts.requests} x {opts.rounds} rounds")
    print(f"{'':28} {'median':>10} {'p99':>10} {'req/s':>9}")
    for name, samples, wall in (("ssoenv serve", ours, ours_wall), ("baseline (stdlib server)", base, base_wall)):
        print(
            f"{name:28} {statistics.median(samples) * 1000:8.2f}ms {p99(samples) * 1000:8.2f}ms "
            f"{len(samples) / wall:9.0f}"
        )
    med_ratio = statistics.median(ours) / statistics.median(base)
    p99_ratio = p99(ours) / p99(base)
    print(f"{'ratio':28} {med_ratio:9.2f}x {p99_ratio:9.2f}x {(n / ours_wall) / (n / base_wall):8.2f}x")
    print(
        f"one client, warm: {single * 1000:.2f} ms (baseline {single_base * 1000:.2f} ms, {single / single_base:.2f}x)"
    )
    mib = [f"{kib / 1024:.1f} MiB" for kib in (rss, idle_rss, hwm)]
    print(f"endpoint memory: VmRSS {mib[0]} after the load (idle {mib[1]}), peak {mib[2]}")
    print(f"GetRoleCredentials during the run: {calls - 1} (all served from the cache)")
    ok = med_ratio < 3 and calls == 1
    print("target: median within 3x of the trivial server, no upstream call when warm:", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
