"""``GET /healthz``: is this instance able to serve? For load balancers and monitors.

Each dependency gets a short, real round trip: a query, a cache write and read,
and a broker connection when a real broker is configured. The answer is never
cached and needs no login.
"""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


BROKER_TIMEOUT_SECONDS = 2


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("SELECT 1 returned something else")


def check_cache() -> None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    try:
        if cache.get(key) != "ok":
            raise RuntimeError("the cache did not return what was stored")
    finally:
        cache.delete(key)


def check_broker() -> bool:
    """Connect to the Celery broker; False when there is none to check (in-memory)."""
    url = settings.CELERY_BROKER_URL
    if not url or url.startswith("memory://"):
        return False
    from kombu import Connection

    with Connection(
        url,
        connect_timeout=BROKER_TIMEOUT_SECONDS,
        transport_options={
            "socket_timeout": BROKER_TIMEOUT_SECONDS,
            "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
        },
    ) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    return True


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    for name, check in [("database", check_database), ("cache", check_cache)]:
        try:
            check()
            checks[name] = "ok"
        except Exception:
            logger.exception("health check %s failed", name)
            checks[name] = "error"
    try:
        checks["broker"] = "ok" if check_broker() else "skipped"
    except Exception:
        logger.exception("health check broker failed")
        checks["broker"] = "error"
    healthy = all(value != "error" for value in checks.values())
    failing = [name for name, value in checks.items() if value == "error"]
    body: dict = {"status": "ok" if healthy else "error", "checks": checks}
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=200 if healthy else 503)
