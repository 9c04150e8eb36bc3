"""The project's code: settings, connectors, domain logic per pipeline, quality gates, rendering."""
