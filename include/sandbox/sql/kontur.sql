-- The Kontur.Talk stand-in's state (sandbox database): recordings of the
-- space and the API key's access info. Tests change both with SQL.
CREATE TABLE kontur_recording (
    id VARCHAR(64) NOT NULL,
    recording_key VARCHAR(64) NOT NULL,
    title VARCHAR(500) NOT NULL,
    created_date DATETIME(3) NOT NULL,
    created_by_email VARCHAR(255) NOT NULL DEFAULT '',
    room_name VARCHAR(255) NOT NULL DEFAULT '',
    participants_count INT NOT NULL DEFAULT 0,
    size_bytes BIGINT NOT NULL DEFAULT 0,
    duration_seconds INT NOT NULL DEFAULT 0,
    PRIMARY KEY (id),
    UNIQUE KEY uix_kontur_recording_key (recording_key),
    KEY ix_kontur_recording_created (created_date, recording_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- One row: when the API key expires and which scopes it carries.
CREATE TABLE kontur_access (
    id TINYINT NOT NULL,
    expires_at DATETIME NULL,
    scopes VARCHAR(500) NOT NULL,
    PRIMARY KEY (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

INSERT INTO kontur_access (id, expires_at, scopes)
VALUES (1, NULL, 'recordings:read rooms:read');
