"""The network of branches: branches, their weekly hours, date exceptions and closures.

The base that accounts, rooms, events, schools and guidance stand on. It imports no other domain; the one
exception is the permission functions (``src/accounts/permissions.py``, pure functions of a principal), because
every permission check of libspace lives there.
"""
