"""Load test: the dashboard on the million-article set under many concurrent analysts, over loopback.

Run by hand (make bench). Uses the data set of bench/dashboard_speed.py (its own PostgreSQL database, generated
once). Serves the site with gunicorn on 127.0.0.1, logs a benchmark analyst in, then:
  1. the baseline: one analyst alone, requesting the pool of pages for --baseline-seconds;
  2. the load: --users analysts at once, each requesting pages from the same pool, one after the other, without
     pause, for --seconds.
The pool is what an analyst's visits fetch: the overview page, its five charts' JSON and the article list, over
the varied filters and searches of bench/dashboard_speed.py. Prints throughput, median and p95 for both runs,
their ratios, and the errors (any status but 200, or a connection that failed); exits non-zero on any error.
Every request goes to 127.0.0.1 only, and both runs stop by themselves.
"""

import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import dashboard_speed  # the data set, the analyst and the filters of the speed benchmark

CHART_SHARE = 0.6
LIST_SHARE = 0.25


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50, help="concurrent analysts (default 50)")
    parser.add_argument("--seconds", type=float, default=60, help="length of the load run (default 60)")
    parser.add_argument("--baseline-seconds", type=float, default=20, help="length of the one-analyst run")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=13)
    return parser.parse_args()


@dataclass
class Run:
    """What one run measured: each answered request's time, and each failure."""

    timings_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, milliseconds: float | None, error: str | None) -> None:
        with self.lock:
            if error is None:
                self.timings_ms.append(milliseconds)
            else:
                self.errors.append(error)


def request_pool(rng: random.Random, size: int) -> list[str]:
    """Paths an analyst's visits request: charts most often, then the list, then the overview page itself."""
    from django.urls import reverse

    filters = dashboard_speed.varied_filters(rng, size, with_sort=True)
    searches = [dict(query, q=rng.choice(dashboard_speed.SEARCH_WORDS)) for query in filters[: size // 3]]
    paths = []
    for query in filters + searches:
        draw = rng.random()
        if draw < CHART_SHARE:
            path = reverse("chart-data", args=[rng.choice(dashboard_speed.CHARTS)])
        elif draw < CHART_SHARE + LIST_SHARE:
            path = reverse("article-list")
        else:
            path = reverse("home")
        paths.append(f"{path}?{urlencode(query, doseq=True)}")
    return paths


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, workers: int, threads: int) -> subprocess.Popen:
    server_env = os.environ | {"ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0"}
    command = [
        os.path.join(os.path.dirname(sys.executable), "gunicorn"),
        "tracker.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--worker-class=gthread",
        "--log-level=warning",
    ]
    server = subprocess.Popen(command, cwd=dashboard_speed.PROJECT_DIR, env=server_env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start within a minute")


def session_cookie() -> str:
    """A session of the benchmark analyst, stored where the served site reads sessions."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(dashboard_speed.ensure_bench_user())
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def analyst(port: int, cookie: str, paths: list[str], seed: int, stop_at: float, run: Run) -> None:
    """One analyst: requests from the pool, one after the other, over one kept-alive connection, until stop_at."""
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.monotonic() < stop_at:
        path = rng.choice(paths)
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
            response = connection.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            run.record(elapsed, None if response.status == 200 else f"{response.status} {path}")
        except (OSError, http.client.HTTPException) as error:
            run.record(None, f"{type(error).__name__} {path}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.close()


def run_analysts(users: int, seconds: float, port: int, cookie: str, paths: list[str], seed: int) -> Run:
    run = Run()
    stop_at = time.monotonic() + seconds
    threads = [
        threading.Thread(target=analyst, args=(port, cookie, paths, seed + number, stop_at, run))
        for number in range(users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return run


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else (values[0] if values else 0.0)


def report(label: str, run: Run, seconds: float) -> None:
    answered = len(run.timings_ms)
    total = answered + len(run.errors)
    median = statistics.median(run.timings_ms) if run.timings_ms else 0.0
    print(
        f"{label:<22} {answered / seconds:7.1f} req/s   median {median:7.1f} ms   p95 {p95(run.timings_ms):7.1f} ms"
        f"   errors {len(run.errors)} of {total} ({(len(run.errors) / total if total else 0):.2%})"
    )


def main() -> None:
    args = parse_args()
    import django

    django.setup()
    dashboard_speed.ensure_database()
    dashboard_speed.ensure_data_set(args.articles)
    from tracker.readmodel.refresh import refresh_read_model

    refresh_read_model()
    paths = request_pool(random.Random(args.seed), 300)
    cookie = session_cookie()
    port = free_port()
    server = start_server(port, args.workers, args.threads)
    try:
        run_analysts(min(args.users, 8), 5, port, cookie, paths, args.seed)  # warm every worker's connections
        alone = run_analysts(1, args.baseline_seconds, port, cookie, paths, args.seed)
        loaded = run_analysts(args.users, args.seconds, port, cookie, paths, args.seed)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"gunicorn {args.workers} workers × {args.threads} threads on 127.0.0.1; pool of {len(paths)} requests")
    report("1 analyst (baseline)", alone, args.baseline_seconds)
    report(f"{args.users} analysts", loaded, args.seconds)
    if alone.timings_ms and loaded.timings_ms:
        throughput = (len(loaded.timings_ms) / args.seconds) / (len(alone.timings_ms) / args.baseline_seconds)
        print(
            f"under load: {throughput:.2f}× the requests per second of one analyst; p95 "
            f"{p95(loaded.timings_ms) / p95(alone.timings_ms):.1f}× and median "
            f"{statistics.median(loaded.timings_ms) / statistics.median(alone.timings_ms):.1f}× one analyst's"
        )
    for error in sorted(set(loaded.errors + alone.errors))[:10]:
        print(f"  error: {error}")
    if loaded.errors or alone.errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
