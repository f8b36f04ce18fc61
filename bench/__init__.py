"""Benchmarks of the slot engine and the public slots endpoint (``manage.py bench_availability``)."""
