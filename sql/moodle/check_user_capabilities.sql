-- make check-moodle: the capabilities a user's roles allow at the system context:
-- roles assigned there, and the authenticated user's role (archetype 'user') that
-- every logged-in user has. Overrides below the system context are not considered.
-- Checked on 4.5 LTS.
SELECT DISTINCT rc.capability
FROM mdl_role_capabilities AS rc
INNER JOIN mdl_context AS ctx
    ON rc.contextid = ctx.id AND ctx.contextlevel = 10
INNER JOIN mdl_role AS r
    ON rc.roleid = r.id
LEFT JOIN mdl_role_assignments AS ra
    ON
        r.id = ra.roleid
        AND ctx.id = ra.contextid
        AND ra.userid = %(userid)s  -- noqa: RF02
WHERE
    rc.permission = 1
    AND (ra.id IS NOT NULL OR r.archetype = 'user');
