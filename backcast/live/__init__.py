"""Live updates: brokers between processes, and the per-process fan-out to listeners."""
