"""agent_templates."""
