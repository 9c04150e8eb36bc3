-- Group cohorts (idnumber `group:<code>`, archived ones too) with their members;
-- a cohort without members comes once with userid NULL.
SELECT
    c.id AS cohortid,
    c.idnumber,
    c.name,
    c.visible,
    m.userid
FROM mdl_cohort AS c
LEFT JOIN mdl_cohort_members AS m ON c.id = m.cohortid
WHERE c.idnumber LIKE 'group:%%'
ORDER BY c.id, m.userid
