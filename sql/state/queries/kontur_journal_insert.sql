INSERT INTO kontur_publication (
    recording_key, course_id, cmid, section_number, activity_name, title, viewer_url,
    local_date, adopted, published_at, run_id
) VALUES (
    %(recording_key)s, %(course_id)s, %(cmid)s, %(section_number)s, %(activity_name)s,
    %(title)s, %(viewer_url)s, %(local_date)s, %(adopted)s, %(published_at)s, %(run_id)s
)
ON DUPLICATE KEY UPDATE recording_key = recording_key
