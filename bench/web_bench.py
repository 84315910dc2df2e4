"""`make bench-web`: web throughput side by side in one run (bench/README.md, Web).

The project under gunicorn in production mode (PostgreSQL, Redis) against the bare Django app
(bench/bare_app.py: a plain view and a one-SELECT view) under the same gunicorn, measured with
wrk on loopback: the badge, the widget, embed.js, the thing page, /healthz and the click
(POST, 1,000 logged-in readers, 400 things). The same comparison as the reference
../shared/bench/web_bench.sh, in the project's own terms. Prints a table of requests per
second, p99 and the ratio to its anchor against issue 19's targets.

It drops and recreates the database BENCH_WEB_DB (default perf_web) and empties the Redis
database of BENCH_REDIS_URL; both must be for benchmarks only.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CSRF = "benchcsrftokenbenchcsrftokenbenc"

# (name, anchor, target ratio)
ROWS = [
    ("badge", "bare_plain", 0.8),
    ("widget", "bare_plain", 0.8),
    ("embed_js", "bare_plain", 0.8),
    ("thing_page", "bare_select", 0.5),
    ("healthz", "bare_plain", None),
    ("click", "bare_select", 0.5),
]

SETUP = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from allauth.account.models import EmailAddress
from payouts.funding.models import BudgetChange
from payouts.ledger.services import post_transfer, system_account, wallet_of
from tips.things.models import Thing

User = get_user_model()
creator = User.objects.create_user(email="c@perf.test", password=None, handle="perfc")
things = [
    Thing.objects.create(owner=creator, url=f"https://perf.test/{i}", title=f"Post {i}")
    for i in range(400)
]
keys = []
for i in range(1000):
    u = User.objects.create_user(email=f"r{i}@perf.test", password=None, handle=f"perfr{i}")
    EmailAddress.objects.create(user=u, email=u.email, verified=True, primary=True)
    post_transfer(debit=system_account("external", "sandbox"), credit=wallet_of(u),
                  amount_cents=5000, idempotency_key=f"perf:{i}", kind="top_up",
                  reference="perf", at=None)
    BudgetChange.objects.create(user=u, amount_cents=1000)
    s = SessionStore()
    s[SESSION_KEY] = str(u.pk)
    s[BACKEND_SESSION_KEY] = "accounts.auth_backends.AuthenticationBackend"
    s[HASH_SESSION_KEY] = u.get_session_auth_hash()
    s.create()
    keys.append(s.session_key)
open(OUT + "/sessions.txt", "w").write("\\n".join(keys) + "\\n")
print("THINGS", things[0].pk, things[-1].pk)
"""

CLICK_LUA = """
local sessions = {}
for line in io.lines("%(out)s/sessions.txt") do sessions[#sessions + 1] = line end
init = function(args)
  math.randomseed((tonumber(tostring({}):match("0x(%%x+)"), 16) or 0) + os.time())
end
request = function()
  local s = sessions[math.random(#sessions)]
  local t = math.random(%(t0)d, %(t1)d)
  return wrk.format("POST", "/t/" .. t .. "/click/",
    {["Cookie"] = "sessionid=" .. s .. "; csrftoken=%(csrf)s",
     ["Content-Type"] = "application/x-www-form-urlencoded"},
    "csrfmiddlewaretoken=%(csrf)s")
end
"""


def run(cmd, env, **kwargs):
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, **kwargs)


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=10).read()  # noqa: S310 (loopback)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def wrk(url: str, args, log, extra=()) -> dict:
    cmd = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency", *extra, url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    log.write(f"$ {' '.join(cmd)}\n{out}\n")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {
        "rps": rps,
        "p99": p99.group(1) if p99 else "?",
        "errors": int(errors.group(1)) if errors else 0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=int(os.environ.get("DUR", 10)))
    parser.add_argument("--connections", type=int, default=int(os.environ.get("CONN", 32)))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", 5)))
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8401)))
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database and sessions of the last run with the same OUT (faster re-runs)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install wrk", file=sys.stderr)
        return 2
    db = os.environ.get("BENCH_WEB_DB", "perf_web")
    if "perf" not in db and "bench" not in db:
        print(f"refusing to drop {db!r}: BENCH_WEB_DB must contain 'perf' or 'bench'")
        return 2
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
    out = os.environ.get("OUT") or tempfile.mkdtemp(prefix="bench-web-")
    Path(out).mkdir(parents=True, exist_ok=True)
    port, bare_port = args.port, args.port + 1
    env = {
        **os.environ,
        "SECRET_KEY": "perf-bench-fixed-not-a-secret-at-all-" + "x" * 30,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
        "REDIS_URL": redis_url,
        "SECURE_SSL_REDIRECT": "false",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "CLICK_RATE_LIMIT_PER_HOUR": "100000000",
        "CLICK_RATE_LIMIT_PER_HOUR_NEW_ACCOUNT": "100000000",
        "LOG_LEVEL": "WARNING",
        "OUT": out,
    }
    manage = [str(BIN / "python"), "manage.py"]
    reuse = args.reuse and (Path(out) / "things.txt").exists()
    if not reuse:
        psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc"]
        run([*psql, f"DROP DATABASE IF EXISTS {db}"], env)
        run([*psql, f"CREATE DATABASE {db}"], env)
        run([*manage, "migrate", "-v0"], env)
        setup = subprocess.run(
            [*manage, "shell", "-c", f"OUT = {out!r}\n" + SETUP],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if setup.returncode != 0:
            print("setup failed:\n" + setup.stderr[-2000:], file=sys.stderr)
            return 1
        found = re.search(r"THINGS (\d+) (\d+)", setup.stdout).group(0)
        (Path(out) / "things.txt").write_text(found)
    t0, t1 = map(int, (Path(out) / "things.txt").read_text().split()[1:])
    run(["redis-cli", "-u", redis_url, "flushdb"], env, stdout=subprocess.DEVNULL)
    run([*manage, "collectstatic", "--noinput", "-v0"], env, stdout=subprocess.DEVNULL)
    embed = next(p for p in (ROOT / "staticfiles/tips").glob("embed.*.js") if p.suffix == ".js")
    embed_path = f"/static/tips/{embed.name}"
    (Path(out) / "click.lua").write_text(CLICK_LUA % {"out": out, "t0": t0, "t1": t1, "csrf": CSRF})

    gunicorn = str(BIN / "gunicorn")
    common = ["-w", str(args.workers), "--log-level", "warning"]
    project_log = open(Path(out) / "gunicorn-project.log", "w")  # noqa: SIM115
    bare_log = open(Path(out) / "gunicorn-bare.log", "w")  # noqa: SIM115
    project = subprocess.Popen(
        [gunicorn, "flattr_clone.wsgi", "-b", f"127.0.0.1:{port}", *common],
        env=env,
        cwd=ROOT,
        stderr=project_log,
    )
    bare = subprocess.Popen(
        [gunicorn, "bare_app:application", "-b", f"127.0.0.1:{bare_port}", *common],
        env={**env, "BARE_DB": db},
        cwd=ROOT / "bench",
        stderr=bare_log,
    )
    site, anchor = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}"
    results: dict[str, dict] = {}
    try:
        wait_for(site + f"/t/{t0}/")
        wait_for(anchor + "/plain")
        paths = {
            "badge": f"/t/{t0}/badge.svg",
            "widget": f"/t/{t0}/widget/?origin=http://127.0.0.2",
            "embed_js": embed_path,
            "thing_page": f"/t/{t0}/",
            "healthz": "/healthz",
        }
        # Warm: the first answers fill the caches and open each worker's connections.
        warm = [site + path for path in paths.values()] + [anchor + "/plain", anchor + "/select"]
        for _round in range(args.workers):
            for url in warm:
                urllib.request.urlopen(url, timeout=30).read()  # noqa: S310 (loopback)
        with open(Path(out) / "wrk.log", "w") as log:
            results["bare_plain"] = wrk(anchor + "/plain", args, log)
            results["bare_select"] = wrk(anchor + "/select", args, log)
            for name, path in paths.items():
                results[name] = wrk(site + path, args, log)
            results["click"] = wrk(site, args, log, extra=["-s", str(Path(out) / "click.lua")])
            results["bare_plain_again"] = wrk(anchor + "/plain", args, log)
    finally:
        for process in (project, bare):
            process.terminate()
            process.wait(timeout=30)

    clicks = (
        run(
            [
                *manage,
                "shell",
                "-c",
                "from tips.clicks.models import Click; print(Click.objects.count())",
            ],
            env,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    ledger = run([*manage, "check_ledger", "--json"], env, capture_output=True, text=True)
    load = os.getloadavg()
    print(
        f"\nbench-web: {args.workers} gunicorn sync workers, wrk -t2 -c{args.connections} "
        f"-d{args.duration}s, loopback, {os.cpu_count()} CPUs, load {load[0]:.1f}/{load[1]:.1f}"
    )
    plain, again, select = (
        results[k]["rps"] for k in ("bare_plain", "bare_plain_again", "bare_select")
    )
    print(
        f"bare plain {plain:.0f} req/s (again at the end {again:.0f}); bare one-SELECT {select:.0f}"
    )
    print("\n| path | req/s | p99 | errors | anchor | ratio | target |")
    print("|---|---|---|---|---|---|---|")
    for name, anchor_name, target in ROWS:
        r, a = results[name], results[anchor_name]
        ratio = r["rps"] / a["rps"] if a["rps"] else float("nan")
        verdict = "" if target is None else (" ok" if ratio >= target else " below")
        print(
            f"| {name} | {r['rps']:.0f} | {r['p99']} | {r['errors']} "
            f"| {anchor_name} {a['rps']:.0f} "
            f"| {ratio:.2f} | {'-' if target is None else f'≥ {target}'}{verdict} |"
        )
    print(f"\nclicks recorded: {clicks}; check_ledger: {ledger.stdout.strip().splitlines()[-1]}")
    print(f"logs: {out}")
    return 0 if ledger.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
