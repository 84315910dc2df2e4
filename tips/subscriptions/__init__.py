"""Subscriptions (PRODUCT.md, "Subscriptions"): a reader's standing order to flattr one thing on
the first day of every month, for 3, 6 or 12 months or until cancelled.

Every click a subscription makes goes through ``tips.clicks.services.click_register`` (so
every click rule applies) and is marked ``Click.Source.SUBSCRIPTION``. The monthly run
(``runs``) is cut in chunks like payday and is idempotent: one ``SubscriptionMonth`` row per
subscription and month, under a unique constraint, says what happened that month.
"""
