"""The access room: users, roles, sessions and passwords (``auth``) and the append-only audit log (``audit``).

It may import the store; the services, reports and the CLI import it to check roles and record events.
"""
