"""Read-only queries, each named for what it returns, shaped for one view."""
