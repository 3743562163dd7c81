"""One module per command group; imported by ``sfa.cli`` when the group is registered."""
