"""What both front ends (`web` and `api`) need from a request: the database and settings, the
facilitator's session, rate limits, downloads, problem documents and the participant's cookie.

It sits below `web` and `api`, which never import each other (docs/architecture.md)."""
