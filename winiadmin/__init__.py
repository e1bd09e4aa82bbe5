"""winiadmin: import tabular files into Django models through one pipeline.

read → clean → transform → load, shared by the admin wizard, the management commands and the
Python API (:func:`winiadmin.pipeline.run_import`).
"""

__version__ = "0.1.0.dev0"

import logging

# A library's convention: records go where the project's logging sends them, never to Python's
# last-resort stderr handler (a command's output stays its own; see docs/commands.md).
logging.getLogger("winiadmin").addHandler(logging.NullHandler())
