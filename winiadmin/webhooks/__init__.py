"""Webhooks: other systems told when an import ends or is undone (docs/webhooks.md).

``receivers.py`` turns the ``import_finished`` / ``import_undone`` signals into
``WebhookDelivery`` rows (``deliveries.py``), each sent by a task worker (``send.py``), signed
(``signing.py``), with retries and exponential backoff.
"""
