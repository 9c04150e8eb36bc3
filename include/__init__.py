"""The project's code: settings, connectors, domain logic per pipeline, quality gates, rendering."""

import logging

# Great Expectations logs ~200 INFO lines ("Skipping registering function …") while
# its public-API decorators run at its first import; they say nothing about the data.
# Set here, before any suite (include/quality, include/*/quality.py) imports it.
logging.getLogger("great_expectations._docs_decorators").setLevel(logging.WARNING)
