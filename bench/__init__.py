"""Benchmarks: winiadmin against plain Django, django-import-export and the raw database limit.

Run ``./dev bench --help``; see docs/performance.md.
"""
