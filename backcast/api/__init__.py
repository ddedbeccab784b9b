"""The JSON API under /api/v1: thin over the services."""
