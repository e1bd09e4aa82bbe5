"""Files imported from somewhere other than an upload: a URL (``url.py``, guarded by
``addresses.py``) or a path in a configured Django storage (``storage.py``). Each gives a file
object as an upload would be, for ``jobs.runner.create_job``, with the same size limit
(docs/sources.md)."""
