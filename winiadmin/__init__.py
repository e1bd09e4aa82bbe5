"""winiadmin: import tabular files into Django models through one pipeline.

read → clean → transform → load, shared by the admin wizard, the management commands and the
Python API (:func:`winiadmin.pipeline.run_import`).
"""

__version__ = "0.1.0.dev0"
