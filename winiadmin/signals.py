"""Signals for integrations.

``import_finished`` is sent when a job's dry run or real run ends, in the background or not:
``sender`` is ``ImportJob``, with keyword arguments ``job`` (the ``ImportJob``) and ``status`` (its
final ``ImportJob.Status``: validated, invalid, succeeded, failed or cancelled).

``import_undone`` is sent when an undo deleted what a job created, inside the undo's transaction
(a receiver's writes commit or roll back with it): ``sender`` is ``ImportJob``, with ``job`` and
``deleted`` (rows deleted per model label).
"""

from django.dispatch import Signal

import_finished = Signal()
import_undone = Signal()
