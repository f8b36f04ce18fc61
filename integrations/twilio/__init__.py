"""Twilio: SMS and voice calls (``client.py``), its signed webhooks (``views.py``, ``urls.py``)."""
