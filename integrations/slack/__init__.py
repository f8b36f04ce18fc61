"""Slack: incoming-webhook messages (``client.py``)."""
