"""Django's admin autodiscovery imports this module; each domain registers its own admin."""

import tips.clicks.admin
import tips.emails.admin
import tips.ownership.admin
import tips.payday.admin
import tips.subscriptions.admin
import tips.things.admin  # noqa: F401
