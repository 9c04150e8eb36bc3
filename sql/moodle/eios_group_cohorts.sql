-- sqlfluff:templater:placeholder:user_ids:(1, 2)
-- Group cohorts (idnumber `group:<code>`, archived ones too) with the members
-- among the run's users (`user_ids`: the users eios_users.sql found; (NULL)
-- for none); a cohort without such members comes once with userid NULL.
SELECT
    c.id AS cohortid,
    c.idnumber,
    c.name,
    c.visible,
    m.userid
FROM mdl_cohort AS c
LEFT JOIN mdl_cohort_members AS m
    ON
        c.id = m.cohortid
        AND m.userid IN %(user_ids)s
WHERE c.idnumber LIKE 'group:%%'
ORDER BY c.id, m.userid
