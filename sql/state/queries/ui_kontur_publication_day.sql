-- Whether the daily publication already succeeded on a local date (Kontur page).
SELECT
    local_date,
    run_id,
    published,
    finished_at
FROM kontur_publication_day
WHERE local_date = %(local_date)s
