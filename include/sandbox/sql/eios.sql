-- The EIOS stand-in's state (sandbox database): faculties and the student feed.
-- A test changes the feed with SQL; the HTTP contract is in docs/eios_sync.md.
CREATE TABLE eios_faculty (
    id VARCHAR(32) NOT NULL PRIMARY KEY,
    name VARCHAR(255) NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE eios_student (
    student_id VARCHAR(64) NOT NULL,
    record_book VARCHAR(64) NULL,
    login VARCHAR(100) NULL,
    last_name VARCHAR(100) NULL,
    first_name VARCHAR(100) NULL,
    middle_name VARCHAR(100) NULL,
    email VARCHAR(255) NULL,
    faculty_id VARCHAR(32) NOT NULL,
    specialty VARCHAR(255) NULL,
    group_code VARCHAR(64) NULL,
    course_year INT NULL,
    study_form VARCHAR(32) NULL,
    status VARCHAR(32) NULL,
    status_date DATE NULL,
    changed_at DATETIME NOT NULL,
    -- the feed's key: a test may insert a second row with the same student_id
    row_id BIGINT NOT NULL AUTO_INCREMENT,
    PRIMARY KEY (row_id),
    KEY ix_eios_student_feed (faculty_id, changed_at, student_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
