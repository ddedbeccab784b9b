"""The demo workshop: its German content (`content`), a finished run of it (`seed`), and a live
rehearsal with simulated participants (`live`). Everything goes through the services."""

# The account demos belong to unless another is named; `.invalid` can never receive mail.
DEMO_EMAIL = "demo@backcast.invalid"
