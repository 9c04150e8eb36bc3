-- sqlfluff:templater:placeholder:cohort_ids:(1, 2)
-- sqlfluff:templater:placeholder:cohort_idnumbers:('a', 'b')
-- sqlfluff:templater:placeholder:user_ids:(1, 2)
-- sqlfluff:templater:placeholder:usernames:('a', 'b')
-- Read back after a cohort-member batch (add or delete answer nothing per
-- member): the memberships of the batch's cohorts (by id or idnumber) and
-- users (by id or username). Each list is a tuple; an empty one is passed as
-- a value that matches nothing. Checked against Moodle 4.5.
SELECT
    m.cohortid,
    c.idnumber AS cohort_idnumber,
    m.userid,
    u.username
FROM mdl_cohort_members AS m
INNER JOIN mdl_cohort AS c ON m.cohortid = c.id
INNER JOIN mdl_user AS u ON m.userid = u.id
WHERE
    (c.id IN %(cohort_ids)s OR c.idnumber IN %(cohort_idnumbers)s)
    AND (u.id IN %(user_ids)s OR u.username IN %(usernames)s)
ORDER BY m.cohortid, m.userid
