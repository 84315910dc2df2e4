#!/bin/bash
# The click under load, and while payday runs (issue 19). One command, one table:
#   make bench-click                 # or: bench/click_load.sh [SIZE]   (SIZE: small | medium)
# 1. Generates a month of clicks (bench/payday_bench.py --generate-only, SIZE, default small)
#    for the PREVIOUS month in a database whose name contains "bench" (wiped), plus 1,000
#    verified readers with sessions and 400 things to click now.
# 2. Under gunicorn (5 sync workers, loopback, production settings, PostgreSQL + Redis), with
#    wrk (32 connections, DUR seconds, default 60): the bare Django one-SELECT view (anchor),
#    the click POST alone, then the click POST while a real Celery worker runs the payday of
#    the previous month (started by `manage.py payday`).
# 3. Waits for payday to finish and runs check_ledger. Exits non-zero on an error answer, a
#    click p99 during payday above twice the p99 without it, a payday not done or a broken
#    ledger.
# Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1/flattr_bench_load),
# REDIS_URL (default redis://127.0.0.1:6379/7: flushed), PORT (default 8029), DUR, CONN,
# WORKERS, CELERY_CONCURRENCY (default 1). Needs wrk (apt-get install wrk).
set -u
cd "$(dirname "$0")/.."
SIZE=${1:-small}
VENV=$(cd "${VENV:-.venv}" && pwd); PY=$VENV/bin/python; CC=${CELERY_CONCURRENCY:-1}
DB_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1/flattr_bench_load}
case "$DB_URL" in *bench*) ;; *) echo "refusing: the database name must contain 'bench'"; exit 2;; esac
PORT=${PORT:-8029}; DUR=${DUR:-60}; CONN=${CONN:-32}; W=${WORKERS:-5}
OUT=${OUT:-$(mktemp -d)}; export OUT
PREV=$($PY -c "import datetime as d; t=d.date.today().replace(day=1)-d.timedelta(days=1); print(t.strftime('%Y-%m'))")
export DJANGO_SETTINGS_MODULE=flattr_clone.settings DATABASE_URL=$DB_URL REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/7} \
  SECRET_KEY=click-load-bench-fixed-not-a-secret-xxxxxxxxxxxxxxxxxxxxxxxxxxxx ALLOWED_HOSTS=127.0.0.1 \
  SECURE_SSL_REDIRECT=false SITE_URL=http://127.0.0.1:$PORT CLICK_RATE_LIMIT_PER_HOUR=100000000 CLICK_RATE_LIMIT_PER_HOUR_NEW_ACCOUNT=100000000 \
  LOG_LEVEL=WARNING CELERY_TASK_ALWAYS_EAGER=false
redis-cli -u "$REDIS_URL" flushdb >/dev/null
echo "generating $SIZE clicks of $PREV in $DB_URL ..."
$PY bench/payday_bench.py --size "$SIZE" --month "$PREV" --generate-only >"$OUT/generate.txt" 2>&1 || { tail -5 "$OUT/generate.txt"; exit 1; }
$PY manage.py shell >"$OUT/setup.txt" 2>&1 <<'PY'
import os
from allauth.account.models import EmailAddress
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from tips.models import Thing
U = get_user_model()
# Readers of the generated month (funded wallets, budgets set before it) now click anew.
readers = list(U.objects.filter(email__startswith="r", email__endswith="@bench.test").order_by("pk")[:1000])
EmailAddress.objects.bulk_create([EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in readers])
creator = U.objects.create_user(email="load-creator@bench.test", password=None, handle="loadcreator")
# save(), not bulk_create: it sets each thing's url_key (unique), which bulk_create skips.
things = [Thing.objects.create(owner=creator, url=f"https://load.test/{i}", title=f"Load {i}") for i in range(400)]
lines = []
for u in readers:
    s = SessionStore(); s[SESSION_KEY] = str(u.pk); s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = u.get_session_auth_hash(); s.create(); lines.append(s.session_key)
open(os.environ["OUT"] + "/sessions.txt", "w").write("\n".join(lines) + "\n")
print("THINGS", things[0].pk, things[-1].pk)
PY
read -r _ T0 T1 < <(grep '^THINGS' "$OUT/setup.txt") || { echo "setup failed"; tail -5 "$OUT/setup.txt"; exit 1; }
cat >"$OUT/click.lua" <<LUA
local sessions = {}
for line in io.lines("$OUT/sessions.txt") do sessions[#sessions + 1] = line end
init = function(args) math.randomseed((tonumber(tostring({}):match("0x(%x+)"), 16) or 0) + os.time()) end
request = function()
  local s = sessions[math.random(#sessions)]
  local t = math.random($T0, $T1)
  return wrk.format("POST", "/t/" .. t .. "/click/", {["Cookie"] = "sessionid=" .. s .. "; csrftoken=benchcsrftokenbenchcsrftokenbenc", ["Content-Type"] = "application/x-www-form-urlencoded"}, "csrfmiddlewaretoken=benchcsrftokenbenchcsrftokenbenc")
end
LUA
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT
# rps, p99 in ms, error answers (non-2xx/3xx and socket errors)
measure() {
  wrk -t2 -c"$CONN" -d"${DUR}s" --timeout 30s --latency "$@" 2>&1 | tee -a "$OUT/wrk.log" | awk '
    /Requests\/sec/ {r=$2} /Non-2xx/ {e+=$5} /Socket errors/ {gsub(",", ""); e+=$4+$6+$8+$10}
    /^ *99% / {p=$2; if (p ~ /us$/) {sub("us","",p); p/=1000} else if (p ~ /ms$/) {sub("ms","",p)} else if (p ~ /s$/) {sub("s","",p); p*=1000}}
    END {printf "%s %.1f %d\n", r, p, e}'
}
wait_port() { for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/$1" && return 0; sleep 0.2; done; return 1; }
# The anchor, under the same gunicorn on the same port, alone on the machine's cores.
(cd bench && BARE_DB=$(basename "${DB_URL%%\?*}") exec "$VENV/bin/gunicorn" bare_app:application -b 127.0.0.1:$PORT -w "$W" --log-level warning) >"$OUT/gunicorn-bare.log" 2>&1 &
BARE=$!; PIDS+=($BARE)
wait_port select || { echo "bare app did not start"; tail "$OUT/gunicorn-bare.log"; exit 1; }
read -r BARE_RPS BARE_P99 BARE_ERR < <(measure "http://127.0.0.1:$PORT/select")
kill $BARE; wait $BARE 2>/dev/null
$VENV/bin/gunicorn flattr_clone.wsgi -b 127.0.0.1:$PORT -w "$W" --log-level warning >"$OUT/gunicorn.log" 2>&1 &
PIDS+=($!)
wait_port healthz || { echo "project did not start"; tail "$OUT/gunicorn.log"; exit 1; }
S=$(head -1 "$OUT/sessions.txt")
curl -s -o /dev/null -w "sanity click %{http_code} -> %{redirect_url}\n" -X POST -H "Cookie: sessionid=$S; csrftoken=benchcsrftokenbenchcsrftokenbenc" -d csrfmiddlewaretoken=benchcsrftokenbenchcsrftokenbenc "http://127.0.0.1:$PORT/t/$T0/click/"
read -r CLICK_RPS CLICK_P99 CLICK_ERR < <(measure -s "$OUT/click.lua" "http://127.0.0.1:$PORT")
$VENV/bin/celery -A flattr_clone worker -c "$CC" --loglevel WARNING >"$OUT/celery.log" 2>&1 &
PIDS+=($!)
sleep 3
PAYDAY_START=$(date +%s.%N)
$PY manage.py payday --month "$PREV" >"$OUT/payday.txt" 2>&1 || { echo "payday refused"; cat "$OUT/payday.txt"; exit 1; }
read -r LOAD_RPS LOAD_P99 LOAD_ERR < <(measure -s "$OUT/click.lua" "http://127.0.0.1:$PORT")
STATUS=$($PY manage.py shell -c "
import time, datetime as dt
from tips.payday.models import PaydayRun
m = dt.date(int('$PREV'[:4]), int('$PREV'[5:]), 1)
for _ in range(3600):
    run = PaydayRun.objects.get(month=m)
    if run.status in ('done', 'failed'): break
    time.sleep(0.5)
print(run.status, run.chunks_done, run.chunks_total, round((run.finished_at - run.created_at).total_seconds(), 1) if run.finished_at else '-')" 2>/dev/null | tail -1)
LEDGER=$($PY manage.py check_ledger --json 2>/dev/null | tail -1)
CLICKS=$($PY manage.py shell -c "from tips.models import Click; from flattr_clone.months import month_of; print(Click.objects.filter(month=month_of()).count())" 2>/dev/null | tail -1)
echo
echo "conditions: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), gunicorn $W sync workers, wrk $CONN connections ${DUR}s, size $SIZE, payday of $PREV on $CC Celery worker(s)" 2>/dev/null || true
echo "| measure | req/s | p99 | errors |"
echo "|---|---|---|---|"
echo "| bare Django one-SELECT view | $BARE_RPS | $BARE_P99 ms | $BARE_ERR |"
echo "| click (POST, logged in) | $CLICK_RPS | $CLICK_P99 ms | $CLICK_ERR |"
echo "| click while payday runs | $LOAD_RPS | $LOAD_P99 ms | $LOAD_ERR |"
echo
RATIO=$(awk -v a="$CLICK_RPS" -v b="$BARE_RPS" 'BEGIN {printf "%.2f", a / b}')
P99X=$(awk -v a="$LOAD_P99" -v b="$CLICK_P99" 'BEGIN {printf "%.2f", a / b}')
echo "click / bare one-SELECT: $RATIO (target >= 0.5); click p99 without payday: $CLICK_P99 ms (target <= 50)"
echo "click p99 during payday / without: $P99X (target <= 2); payday: $STATUS (status, chunks done/total, seconds); clicks made this month: $CLICKS"
echo "check_ledger: $LEDGER"
echo "(logs in $OUT)"
FAIL=0
[ "$CLICK_ERR" = 0 ] && [ "$LOAD_ERR" = 0 ] || { echo "FAIL: error answers"; FAIL=1; }
awk -v x="$P99X" 'BEGIN {exit !(x <= 2)}' || { echo "FAIL: p99 during payday above twice"; FAIL=1; }
case "$STATUS" in done*) ;; *) echo "FAIL: payday not done"; FAIL=1;; esac
case "$LEDGER" in *'"ok": true'*) ;; *) echo "FAIL: ledger check"; FAIL=1;; esac
exit $FAIL
