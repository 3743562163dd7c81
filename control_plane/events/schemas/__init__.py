"""Generated JSON Schemas of the registry bus's event details (``python -m control_plane.events``)."""
