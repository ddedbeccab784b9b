"""Live updates: publishers and subscribers of workshops' new events."""
