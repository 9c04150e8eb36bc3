-- Every local account's e-mail: core_user_create_users refuses an address that
-- any of them uses (compared case-insensitively) while the site setting
-- allowaccountssameemail is 0, deleted accounts included, as Moodle's own
-- check does not exclude them. Checked against Moodle 4.5.
SELECT
    u.id,
    u.email
FROM mdl_user AS u
WHERE
    u.mnethostid = 1
    AND u.email <> ''
ORDER BY u.id
