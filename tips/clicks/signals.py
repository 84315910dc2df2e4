"""What a click tells the rest of the platform.

``click_made`` is sent once a new click is recorded (``click_register``, status FLATTRED),
with ``click``. The click is one ``INSERT ... ON CONFLICT`` statement, not ``Model.save``,
so ``post_save`` is never sent for it: listen to this instead (the API's webhooks do).
"""

from django.dispatch import Signal

click_made = Signal()
