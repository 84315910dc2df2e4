"""The shared hourly limiter and the client address it counts by (flattr_clone.ratelimit)."""

import pytest
from django.test import RequestFactory, override_settings

from flattr_clone.ratelimit import WINDOW_SECONDS, client_ip, rate_limit_hit

HOUR_START = 1_800_000_000 - 1_800_000_000 % WINDOW_SECONDS


def hit(key="7", limit=2, at=HOUR_START + 10):
    return rate_limit_hit(scope="test", key=key, limit=limit, now=at)


def test_attempts_up_to_the_limit_pass_and_the_next_is_refused_until_the_hour_ends():
    verdicts = [hit() for _ in range(3)]

    assert [v.allowed for v in verdicts] == [True, True, False]
    assert verdicts[-1].retry_after_seconds == WINDOW_SECONDS - 10
    assert hit(at=HOUR_START + WINDOW_SECONDS).allowed


def test_each_key_and_scope_counts_on_its_own():
    hit(limit=1)

    assert not hit(limit=1).allowed
    assert hit(key="8", limit=1).allowed
    assert rate_limit_hit(scope="other", key="7", limit=1, now=HOUR_START + 10).allowed


def test_with_the_cache_unreachable_every_attempt_passes():
    unreachable = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with override_settings(CACHES=unreachable):
        verdicts = [hit(limit=1) for _ in range(3)]

    assert all(v.allowed for v in verdicts)


def request_from(remote="10.0.0.2", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (0, "198.51.100.7", "10.0.0.2"),  # no proxy trusted: the header is the client's word
        (1, None, "10.0.0.2"),
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the forged left entry is ignored
        (2, "6.6.6.6, 198.51.100.7, 192.0.2.200", "198.51.100.7"),
        (2, "198.51.100.7", "198.51.100.7"),  # one hop short: the first proxy's view
        (1, "198.51.100.7:51234", "198.51.100.7"),
        (1, "[2001:db8::1]:443", "2001:db8::1"),
        (1, "2001:DB8::1", "2001:db8::1"),
        (1, "not-an-address", "10.0.0.2"),
    ],
)
def test_the_client_is_the_entry_trusted_proxy_count_hops_from_the_right(
    settings, trusted, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = trusted

    assert client_ip(request_from(forwarded=forwarded)) == expected
