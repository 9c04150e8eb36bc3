-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- Before a day's double-funding check: its marks unflagged. Params: day.
UPDATE voucher_mark SET flag = NULL
WHERE mark_date = %(day)s AND flag IS NOT NULL
