-- sqlfluff:templater:placeholder:cohort_ids:(1, 2)
-- Read back after a core_cohort_update_cohorts batch (it answers null): the
-- batch's cohorts as stored. Checked against Moodle 4.5.
SELECT
    c.id,
    c.idnumber,
    c.name,
    c.visible
FROM mdl_cohort AS c
WHERE c.id IN %(cohort_ids)s
ORDER BY c.id
