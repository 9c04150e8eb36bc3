-- make check-moodle: the capabilities each web-service function declares
-- (external_functions.capabilities, comma-separated); the check keeps the
-- functions the project calls. Checked on 4.5 LTS.
SELECT
    f.name,
    f.capabilities
FROM mdl_external_functions AS f
ORDER BY f.name;
