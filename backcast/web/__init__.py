"""HTML routes and the application factory."""
