-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- The days of a month that have accepted marks, with the Parquet file written for
-- each (NULL: none, or the day changed since). Params: first_day, last_day.
SELECT
    days.mark_date,
    f.path,
    f.sha256,
    f.marks
FROM (
    SELECT DISTINCT mark_date
    FROM voucher_mark
    WHERE mark_date BETWEEN %(first_day)s AND %(last_day)s
) AS days
LEFT JOIN voucher_mark_file AS f ON days.mark_date = f.mark_date
ORDER BY days.mark_date
