-- eios_sync: what the person confirming a held faculty needs to see per student
-- (operations page /eios/confirm): the name, the faculty's name and the status
-- EIOS reported, as the sync staged them when the action was held. Rows held
-- before this migration keep empty values.
ALTER TABLE eios_held_action
    ADD COLUMN student_name VARCHAR(300) NOT NULL DEFAULT '' AFTER username,
    ADD COLUMN faculty_name VARCHAR(200) NOT NULL DEFAULT '' AFTER faculty_id,
    ADD COLUMN eios_status VARCHAR(32) NOT NULL DEFAULT '' AFTER student_name;
