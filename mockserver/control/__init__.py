"""The control API (``/_mock``): health, workspace, reset, state, clock; journal and faults join here."""
