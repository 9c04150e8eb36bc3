-- The project's own database, migration 050 (course_archive).
-- One row per course backup: where the copy is, its SHA-256, and how far the
-- course got (copied -> verified -> moved; failed keeps the reason; pruned
-- once retention deleted the file). A re-run continues from these rows.
CREATE TABLE course_backup (
    course_id BIGINT NOT NULL,
    academic_year CHAR(9) NOT NULL,
    shortname VARCHAR(255) NOT NULL,
    category_id BIGINT NOT NULL,
    store_path VARCHAR(1000) NOT NULL,
    sha256 CHAR(64) NULL,
    size_bytes BIGINT NULL,
    status VARCHAR(20) NOT NULL,
    reason TEXT NULL,
    archive_category_id BIGINT NULL,
    backed_up_at DATETIME NULL,
    verified_at DATETIME NULL,
    moved_at DATETIME NULL,
    pruned_at DATETIME NULL,
    run_id VARCHAR(250) NOT NULL,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    PRIMARY KEY (course_id, academic_year),
    KEY ix_course_backup_status (status),
    KEY ix_course_backup_backed_up (backed_up_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
