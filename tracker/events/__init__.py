"""The public event log: every change a reader or partner cares about, written once by
the desk's services (tracker/desk/services/) in the same transaction as the change."""
