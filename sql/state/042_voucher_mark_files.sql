-- The daily Parquet files of accepted marks (migration 042): one row per register
-- day whose marks voucher_ingest exported to the store after the double-funding
-- check. An ingest of the day deletes the row before it changes any mark, so a row
-- here means the file holds that day's marks as they are now; voucher_acts reads the
-- month's marks from these files (DuckDB) and exports a day again that has no row.
CREATE TABLE voucher_mark_file (
    mark_date DATE NOT NULL PRIMARY KEY,
    path VARCHAR(500) NOT NULL,
    sha256 CHAR(64) NOT NULL,
    marks INT NOT NULL,
    written_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
