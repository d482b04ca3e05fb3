"""Shared infrastructure tables."""

from piccolo.columns import BigInt, Varchar
from piccolo.table import Table


class Revision(Table, tablename="revision"):
    """A counter per cached data set, bumped in the transaction that changes the data (see src/cache.py)."""

    name = Varchar(length=64, unique=True)
    value = BigInt(default=0)
