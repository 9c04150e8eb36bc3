-- sqlfluff:templater:placeholder:user_ids:(1, 2)
-- Read back after a core_user_update_users batch (an update or a suspension
-- cut short shows no warning): the batch's users as stored. Checked against
-- Moodle 4.5.
SELECT
    u.id,
    u.username,
    u.firstname,
    u.lastname,
    u.middlename,
    u.email,
    u.auth,
    u.suspended,
    u.department
FROM mdl_user AS u
WHERE u.id IN %(user_ids)s
ORDER BY u.id
