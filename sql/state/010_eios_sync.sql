-- eios_sync (issue 3): per-faculty watermarks and the held actions of the
-- mass-graduation guard.
CREATE TABLE eios_watermark (
    faculty_id VARCHAR(32) NOT NULL PRIMARY KEY,
    watermark DATETIME NULL,
    run_id VARCHAR(250) NOT NULL,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- `is_open` is 1 while pending and NULL once closed: the unique key then allows
-- one pending row per action and any number of closed ones.
CREATE TABLE eios_held_action (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    faculty_id VARCHAR(32) NOT NULL,
    kind VARCHAR(32) NOT NULL,
    student_id VARCHAR(64) NOT NULL DEFAULT '',
    cohort_idnumber VARCHAR(100) NOT NULL DEFAULT '',
    username VARCHAR(100) NOT NULL DEFAULT '',
    old_value VARCHAR(500) NOT NULL DEFAULT '',
    new_value VARCHAR(500) NOT NULL DEFAULT '',
    changed_at VARCHAR(32) NOT NULL DEFAULT '',
    reason VARCHAR(500) NOT NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'pending',
    is_open TINYINT NULL DEFAULT 1,
    held_run_id VARCHAR(250) NOT NULL,
    last_held_run_id VARCHAR(250) NOT NULL,
    closed_run_id VARCHAR(250) NULL,
    held_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    UNIQUE KEY ux_eios_held_open (faculty_id, kind, student_id, cohort_idnumber, is_open),
    KEY ix_eios_held_status (faculty_id, status)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
