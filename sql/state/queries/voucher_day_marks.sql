-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- A day's accepted marks (flags included), in key order: the day's Parquet file.
-- Params: day.
SELECT
    bin,
    iin,
    mark_date,
    code,
    document,
    flag
FROM voucher_mark
WHERE mark_date = %(day)s
ORDER BY bin, iin
