-- exam_archive, migration 030: one row per archived file of a date (attempt PDFs and
-- summary sheets), replaced as a whole when the date is archived again.
CREATE TABLE exam_archive_file (
    archive_date DATE NOT NULL,
    path VARCHAR(700) NOT NULL,
    kind VARCHAR(10) NOT NULL,
    quiz_id BIGINT NOT NULL,
    attempt_id BIGINT NULL,
    user_id BIGINT NULL,
    grade DECIMAL(12, 5) NULL,
    grading_finished TINYINT(1) NOT NULL,
    sha256 CHAR(64) NOT NULL,
    bytes BIGINT NOT NULL,
    recorded_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (archive_date, path),
    KEY ix_exam_archive_attempt (attempt_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
