"""Use cases: each command validates (domain rules), executes (store), and records events."""
