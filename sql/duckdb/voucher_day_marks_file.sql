-- DuckDB, not MariaDB: a day's accepted marks (voucher_day_marks.sql's result,
-- registered as `day_marks`) as the day's Parquet file, with fixed column types.
SELECT
    CAST(bin AS VARCHAR) AS bin,
    CAST(iin AS VARCHAR) AS iin,
    CAST(mark_date AS DATE) AS mark_date,
    CAST(code AS VARCHAR) AS code,
    CAST(document AS TINYINT) AS document,
    CAST(flag AS VARCHAR) AS flag
FROM day_marks
ORDER BY bin, iin
