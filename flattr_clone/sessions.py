"""Sessions read from the cache and kept in the database (Django's ``cached_db``), so a page
a signed-in user opens reads its session with one cache ``GET`` instead of a query.

The database stays the truth: when the cache cannot be reached, a session is read from and
written to the database alone, and pages already open to a signed-in user keep working. A
session is deleted from both (signing out, closing the account); when the cache cannot be
told, the deletion fails loudly rather than leave a copy there that would still sign its
holder in.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends import cached_db

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # Redis down, or a key the backend refuses: read the database.
            data = None
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if not stored:
            return {}
        data = self.decode(stored.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=stored.expire_date))
        except Exception:
            logger.warning("cache unavailable: session read from the database", exc_info=True)
        return data

    def exists(self, session_key):
        try:
            if session_key and (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:
            logger.warning("cache unavailable: session looked up in the database", exc_info=True)
        return super(cached_db.SessionStore, self).exists(session_key)
