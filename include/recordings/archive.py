"""The per-course archive page: every published recording (title, date, link), in Russian."""

from __future__ import annotations

from jinja2 import Environment

_TEMPLATE = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string(
    """<p>Записи занятий курса, опубликованные из Контур.Толк ({{ entries|length }}).</p>
<table class="generaltable">
<thead><tr><th>Дата</th><th>Занятие</th><th>Ссылка</th></tr></thead>
<tbody>
{% for e in entries %}
<tr><td>{{ e.local_date }}</td><td>{{ e.title }}</td><td><a href="{{ e.viewer_url }}">Смотреть запись</a></td></tr>
{% endfor %}
</tbody>
</table>
"""
)


def archive_page_html(entries: list[dict]) -> str:
    """HTML of one course's archive page; `entries` have local_date, title, viewer_url.
    Sorted by date then title, so rebuilding with the same journal gives the same bytes."""
    ordered = sorted(entries, key=lambda e: (str(e["local_date"]), str(e["title"])))
    return _TEMPLATE.render(entries=ordered)
