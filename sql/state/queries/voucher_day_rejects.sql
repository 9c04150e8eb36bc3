-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- A day's rejected marks, for the day's rejects file (IINs are masked there).
-- Params: day.
SELECT
    bin,
    mark_date,
    iin,
    code,
    document,
    reason
FROM voucher_reject
WHERE mark_date = %(day)s
ORDER BY bin, reason, iin, reject_id
