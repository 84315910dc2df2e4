"""Django finds an app's models here; each model lives in the sub-package of its domain.

Code imports a model from its own sub-package (``tips.clicks.models``), never from here.
"""

from tips.clicks.models import Click
from tips.emails.models import MonthlyEmail
from tips.payday.models import PaydayChunk, PaydayRecord, PaydayRun
from tips.sites.models import OwnershipChange, Site
from tips.subscriptions.models import (
    Subscription,
    SubscriptionChunk,
    SubscriptionMonth,
    SubscriptionRun,
)
from tips.things.models import Thing

__all__ = [
    "Click",
    "MonthlyEmail",
    "OwnershipChange",
    "PaydayChunk",
    "PaydayRecord",
    "PaydayRun",
    "Site",
    "Subscription",
    "SubscriptionChunk",
    "SubscriptionMonth",
    "SubscriptionRun",
    "Thing",
]
