-- sqlfluff:templater:placeholder:user_ids:(1, 2)
-- sqlfluff:templater:placeholder:student_ids:('a', 'b')
-- sqlfluff:templater:placeholder:departments:('a', 'b')
-- sqlfluff:templater:placeholder:emails:('a', 'b')
-- Moodle's local users as eios_sync reads them, in one query, filtered to what the
-- run needs: undeleted users by id (the read-back after a core_user_update_users
-- batch: an update or a suspension cut short shows no warning), or with an
-- idnumber (= EIOS student_id) one of the run's feeds lists, or in a scanned
-- faculty's department (a student EIOS no longer lists is reported missing); and
-- any local account, deleted ones too, using an e-mail the run may send
-- (core_user_create_users refuses an address any of them uses, compared
-- case-insensitively, while allowaccountssameemail is 0; Moodle's own check does
-- not exclude deleted accounts). Each list is a tuple; an empty one is passed as
-- (NULL), which matches nothing. Checked against Moodle 4.5.
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
    u.department,
    u.deleted
FROM mdl_user AS u
WHERE
    u.mnethostid = 1
    AND (
        (
            u.deleted = 0
            AND (
                u.id IN %(user_ids)s
                OR (
                    u.idnumber <> ''
                    AND (
                        u.idnumber IN %(student_ids)s
                        OR u.department IN %(departments)s
                    )
                )
            )
        )
        OR (u.email <> '' AND LOWER(u.email) IN %(emails)s)
    )
ORDER BY u.id
