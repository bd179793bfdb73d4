"""What every area shares, free of the web layer: domain errors, access rules, race-safe writes, calendars,
bounded parsing, the audit trail and notifications in the recipient's language.

Nothing here imports an area, ``web.py`` or Flask's request globals (``request``, ``session``, ``g``,
``current_user``); a test (``tests/test_architecture.py``) keeps it that way.
"""
