"""Sessions in the database (Django's ``db`` engine), read by a query compiled once.

Every page a signed-in user opens reads their session. Django builds and compiles that
``SELECT`` anew each time, which cost more than running it; ``flattr_clone.db.PreparedQuery``
compiles it once per process. The database stays the only copy: a session deleted (signing
out, closing the account) is gone at once for every process, and signed-in users are not
affected when Redis is unreachable. (A session cache in Redis saved no more than this and
could outlive a sign-out made while Redis was unreachable.) A session naming an
authentication backend by a former path (``SESSION_BACKEND_ALIASES``) names its successor
once read.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from flattr_clone.db import PreparedQuery

_SESSION_DATA = PreparedQuery(
    lambda *, key, now: (
        Session.objects.filter(session_key=key, expire_date__gt=now)
        .order_by()
        .values_list("session_data")
    ),
    key="prepared-session-key-sentinel-0f3a9c",
    now=dt.datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=dt.UTC),
)


class SessionStore(db.SessionStore):
    def load(self):
        rows = _SESSION_DATA.rows(key=self.session_key, now=timezone.now())
        if not rows:
            self._session_key = None  # as Django's: a missing or expired session starts anew
            return {}
        data = self.decode(rows[0][0])
        # A session signed in under a backend's former path (settings.SESSION_BACKEND_ALIASES)
        # is read as signed in by its successor; saved so once the session changes anyway.
        backend = data.get(BACKEND_SESSION_KEY)
        if backend in settings.SESSION_BACKEND_ALIASES:
            data[BACKEND_SESSION_KEY] = settings.SESSION_BACKEND_ALIASES[backend]
        return data
