-- Courses with their summary (the annotation) and the delivery-model custom
-- field (text: a code or title; select: the 1-based option index, options in
-- the field's configdata JSON). Checked against Moodle 4.1 and 4.5.
SELECT
    c.id,
    c.shortname,
    c.fullname,
    c.category,
    c.summary,
    c.visible,
    cd.value AS model_value,
    cf.type AS model_field_type,
    cf.configdata AS model_field_config
FROM mdl_course AS c
LEFT JOIN mdl_customfield_field AS cf
    ON cf.shortname = %(model_field)s  -- noqa: RF02
LEFT JOIN mdl_customfield_data AS cd
    ON cf.id = cd.fieldid AND c.id = cd.instanceid
WHERE c.id <> 1
ORDER BY c.category, c.id
