"""``python -m control_plane.events``: regenerate the shipped JSON Schemas of the event details."""

from control_plane.events.jsonschema import write_schemas

for path in write_schemas():
    print(path)
