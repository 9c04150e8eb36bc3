-- kontur_recordings (migration 020): the recordings seen by the poll, the
-- poll's watermark, the publication journal and the days a publication
-- succeeded (the once-a-day gate).
CREATE TABLE kontur_recording (
    recording_key VARCHAR(64) NOT NULL PRIMARY KEY,
    recording_id VARCHAR(64) NOT NULL,
    title VARCHAR(500) NOT NULL,
    created_date DATETIME(3) NOT NULL,
    created_by_email VARCHAR(255) NOT NULL DEFAULT '',
    room_name VARCHAR(255) NOT NULL DEFAULT '',
    participants_count INT NULL,
    size_bytes BIGINT NULL,
    duration_seconds INT NOT NULL,
    first_seen_run VARCHAR(250) NOT NULL,
    last_seen_run VARCHAR(250) NOT NULL,
    KEY ix_kontur_recording_created (created_date)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE kontur_watermark (
    source VARCHAR(50) NOT NULL PRIMARY KEY,
    watermark DATETIME(3) NOT NULL,
    run_id VARCHAR(250) NOT NULL,
    updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE kontur_publication (
    recording_key VARCHAR(64) NOT NULL PRIMARY KEY,
    course_id BIGINT NOT NULL,
    cmid BIGINT NOT NULL,
    section_number INT NOT NULL,
    activity_name VARCHAR(255) NOT NULL,
    title VARCHAR(500) NOT NULL,
    viewer_url VARCHAR(1000) NOT NULL,
    local_date DATE NOT NULL,
    adopted TINYINT NOT NULL DEFAULT 0,
    published_at DATETIME NOT NULL,
    run_id VARCHAR(250) NOT NULL,
    cleared_at DATETIME NULL,
    KEY ix_kontur_publication_course (course_id, local_date)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE kontur_publication_day (
    local_date DATE NOT NULL PRIMARY KEY,
    run_id VARCHAR(250) NOT NULL,
    published INT NOT NULL,
    finished_at DATETIME NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
