"""The audit log's one table. It names accounts, branches and objects by id without foreign keys: the log
outlives what it describes (a deleted closure, an erased reader) and is written by every domain."""

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class AuditEntry(Table, tablename="audit_entry"):
    at = Timestamptz(index=True)
    actor_id = Integer(null=True, default=None, index=True)  # None: the system (command line, worker)
    actor_role = Varchar(length=16, default="")
    actor_name = Varchar(length=200, default="")  # as the actor was called then
    branch_id = Integer(null=True, default=None, index=True)  # the branch the object belongs to, if one
    object_kind = Varchar(length=32)
    object_id = Integer(null=True, default=None)
    action = Varchar(length=40)
    changes = Text(default="{}")  # JSON: {"field": {"before": ..., "after": ...}}
