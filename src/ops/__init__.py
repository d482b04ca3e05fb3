"""Operations: logs, metrics, health, the worker's heartbeat, backup and restore, data retention.

A mechanism like ``db`` and ``notifications``: it imports no domain. Settings in ``settings.py``.
"""
