"""iCloud and other CalDAV servers: the calendar provider client (``client.py``)."""
