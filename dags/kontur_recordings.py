"""
# kontur_recordings

## Purpose
Polls Kontur.Talk every 15 minutes for new meeting recordings and, once a day, publishes
each into its Moodle course as a URL activity "Запись занятия: <title>, <date>" pointing at
the recording's viewer page (seed "Контур.Толк: публикация"; specs/kontur-recordings.md).
A title prefix (`ЕГЭ`, `ПО`, `СПО`…) picks the root category; the rest of the title is
matched to exactly one course of that subtree (case, ё→е, spaces and punctuation ignored;
shortname first, then fullname). Unmatched or ambiguous recordings are reported, never
guessed. A per-course archive Page lists every published recording.

## Schedule
`*/15 * * * *`. Every run polls; publication happens in the first run at or after
`publish_at` (the university's local time) on a day with no successful publication yet.

## Settings
Variable `kontur_recordings` (JSON, `KonturRecordingsSettings`): `default_prefix`,
`threshold_date` (YYYY-MM-DD; older recordings are never published), `min_section` (≥ 2),
`default_category_id`, `prefix_routes` (`{"ЕГЭ": 735, "ПО": 727}`), `auto_publish`,
`publish_at` (HH:MM), `timezone` (default Europe/Moscow), `overlap_hours` (24: re-read
window), `initial_lookback_days`, `page_size` (1-1000), `max_pages` (1000: a poll that
would follow more pages, a repeated `nextPageToken` or an empty page with a token stops
with an error naming the token), `viewer_url_template`
(`{base_url}/recordings/{id}`), `recordings_section_name`, `archive_page_name`,
`clear_after_days`, `approval_timeout_minutes` (120: how long a clearing waits for its
approval). A bad value fails the first task, `resolve_settings`, naming the field; it reads the
Variable once and the later tasks read its result.

## Params
`publish_now` (skip the time gate), `dry_run` (plan and report, write nothing to Moodle or
the journal), `clear_journal` (empty the publication journal; the activities' markers
still prevent a second publication), `build_archive` (rebuild every course's archive
page), `clear_sections` (remove recording activities older than `clear_after_days`
through `core_course_delete_modules`; they stay on the archive page), `prefix_routes` /
`default_prefix` (override the setting for this run, to test a route).

## Approvals (Required actions)
`clear_journal` and `clear_sections` clear nothing by themselves: the run counts what
would go (`plan_clear_journal` after the watermark, `plan_clear_sections` after the
archive pages) and waits in `decide_clear_journal` / `decide_clear_sections` for
**Approve** or **Reject** in the UI's *Required actions* (the task's body says how many
journal rows / activities, before which date, in which courses; a mail goes out through
`smtp_default` when one waits). There is **no default**: Reject, or no answer within
the setting `approval_timeout_minutes` (120), clears nothing. On a timeout the decision
task ends *skipped* (its log: "no answer within the response timeout: nothing cleared")
and the run goes on and succeeds, so the day's publication is not held up by an
unanswered clearing; the run report's summary says `clear journal: no answer within 2
hours: nothing cleared` (or `rejected by <user> at <time>`, or `… approved by <user> at
<time>`). Not asked (the param off), a dry run, or nothing to clear: the decision is
skipped at once and the run never waits.

## Outputs
Tables `kontur_recording`, `kontur_watermark`, `kontur_publication` (journal, unique per
recording), `kontur_publication_day`, `feed_reject` (feed `kontur_recordings`: rejected
entities, once per key) (pipelines DB); in the store
`kontur_recordings/<run>/`: `entities.json`, `rejects.csv`, `plan.json`, `unmatched.csv`,
`publish_rejects.csv` / `archive_rejects.csv` (an activity Moodle's database refused, with
its reason; the others are written); URL and Page activities in Moodle (marker
`ktalk:<key>` / `ktalk-archive` in the course module's `idnumber`), written set-based:
chunks of 500, one transaction each with the courses locked in id order, about 16
statements a chunk; the run report. Asset `kontur_publications`
(include/assets.py, through the alias `kontur_publications_published`): one event per
day published (not for the polls that publish nothing), its extra the local date and
the published, adopted and course counts.

## Data quality
`check_recordings`: every entity is first checked against its schema
(include/recordings/feed.py: types, required fields, formats, ranges; docs/kontur_recordings.md
lists them): an entity without key, with a `createdBy` that is not an object, a
`participantsCount` that is not an integer, an unparseable or future `createdDate`, a
`duration` (seconds, by assumption: the API does not say) ≤ 0, … goes to `rejects.csv`
(key, field, reason) and, once per key, to the table `feed_reject`; the other entities go on
and the watermark advances past the rejected ones. Open rejects are named in every run's
summary until Kontur.Talk sends the key valid. The accepted rows must pass a GX suite (key
present and unique, duration > 0). A poll answer that is not JSON or not
`{entities, nextPageToken}` fails `poll_recordings` with Kontur.Talk's own text.
No input from another DAG (Kontur.Talk, Moodle and its own tables only), so no
upstream-coverage gate.

## Re-run and backfill
Idempotent: recordings are upserted by key, the watermark only moves forward and only
after the upsert committed, the gate's clock is the run's logical date, and a recording
whose marker exists in its course is adopted into the journal, never published twice.
"""

from __future__ import annotations

from airflow.sdk import dag

from include.config import KonturRecordingsSettings
from include.dag_defaults import dag_args
from include.tasks.kontur_clearing import approval_of
from include.tasks.kontur_recordings import (
    check_recordings,
    clear_journal,
    clear_sections,
    decide_publication,
    plan_clear_journal,
    plan_clear_sections,
    plan_publication,
    poll_recordings,
    publish_archive_pages,
    publish_recordings,
    record_watermark,
    report_kontur_recordings,
    resolve_settings,
    stage_recordings,
)
from include.tasks.settings import flag_param, param_from

DAG_ID = "kontur_recordings"


@dag(
    dag_id=DAG_ID,
    description="Publish Kontur.Talk meeting recordings into their Moodle courses",
    doc_md=__doc__,
    schedule="*/15 * * * *",
    tags=["recordings", "kontur-talk", "moodle"],
    params={
        "publish_now": flag_param("Publish now: skip the time gate"),
        "dry_run": flag_param("Plan and report; write nothing"),
        "clear_journal": flag_param(
            "Clear the publication journal (after an approval in Required actions)"
        ),
        "build_archive": flag_param("Rebuild every course's archive page"),
        "clear_sections": flag_param(
            "Remove recording activities older than N days (after an approval)"
        ),
        "prefix_routes": param_from(
            KonturRecordingsSettings, "prefix_routes", "Override the prefix routes for this run"
        ),
        "default_prefix": param_from(
            KonturRecordingsSettings, "default_prefix", "Override the default prefix for this run"
        ),
    },
    **dag_args(),
)
def kontur_recordings():
    settings = resolve_settings()
    polled = poll_recordings(settings)
    checked = check_recordings(polled)
    staged = stage_recordings(checked)
    watermark = record_watermark(polled, staged)
    journal_plan = plan_clear_journal(settings, watermark)
    journal_answer = approval_of(journal_plan, "kontur_recordings: clear the publication journal?")
    journal = clear_journal(settings, journal_plan, journal_answer)
    decision = decide_publication(settings, journal)
    planned = plan_publication(settings, decision)
    published = publish_recordings(settings, decision, planned)
    archive = publish_archive_pages(settings, decision, published)
    sections_plan = plan_clear_sections(settings, archive)
    sections_answer = approval_of(
        sections_plan, "kontur_recordings: remove old recording activities from their sections?"
    )
    cleared = clear_sections(settings, sections_plan, sections_answer)
    report_kontur_recordings(
        polled, checked, decision, planned, published, archive, cleared, staged, journal
    )


kontur_recordings()
