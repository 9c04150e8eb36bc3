-- DuckDB, not MariaDB: the month's `marks` when no day of it has a mark (the
-- columns of a daily Parquet file, no row).
CREATE OR REPLACE VIEW marks AS
SELECT
    CAST(NULL AS VARCHAR) AS bin,
    CAST(NULL AS VARCHAR) AS iin,
    CAST(NULL AS DATE) AS mark_date,
    CAST(NULL AS VARCHAR) AS code,
    CAST(NULL AS TINYINT) AS document,
    CAST(NULL AS VARCHAR) AS flag
WHERE FALSE
