"""Django's Redis cache, with one Redis client per connection pool instead of a new one for
every call.

``django.core.cache.backends.redis.RedisCacheClient.get_client`` builds a ``redis.Redis``
around the pool on each cache operation, and building one (its table of response callbacks)
costs more than a ``GET`` on loopback. A client is only a handle on its pool and safe to
share, so each pool keeps one. The badge and the widget make one cache call, a click four.
And ``incr`` (the rate limits' counters) is one round trip instead of two.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

# ``incr`` of an existing key only, in one round trip: Django asks ``EXISTS`` and then
# ``INCRBY`` (two), and between them the key could expire and come back without its TTL.
_INCR_EXISTING = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end
return false
"""


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._incr_scripts = {}

    def incr(self, key, delta):
        client = self.get_client(key, write=True)
        script = self._incr_scripts.get(client)
        if script is None:
            script = self._incr_scripts[client] = client.register_script(_INCR_EXISTING)
        value = script(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
