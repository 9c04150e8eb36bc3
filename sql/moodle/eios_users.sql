-- Moodle users that may be EIOS students: every local, undeleted user with an
-- idnumber (idnumber = EIOS student_id). The plan matches them to the feed.
SELECT
    u.id,
    u.username,
    u.idnumber,
    u.firstname,
    u.lastname,
    u.middlename,
    u.email,
    u.auth,
    u.suspended,
    u.department
FROM mdl_user AS u
WHERE
    u.deleted = 0
    AND u.mnethostid = 1
    AND u.idnumber <> ''
ORDER BY u.id
