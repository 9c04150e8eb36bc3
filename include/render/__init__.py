"""Documents the pipelines produce (in Russian): Jinja2 templates + CSS, rendered by WeasyPrint."""
