"""Signals for integrations.

``import_finished`` is sent when a job's dry run or real run ends, in the background or not:
``sender`` is ``ImportJob``, with keyword arguments ``job`` (the ``ImportJob``) and ``status`` (its
final ``ImportJob.Status``: validated, invalid, succeeded, failed or cancelled).
"""

from django.dispatch import Signal

import_finished = Signal()
