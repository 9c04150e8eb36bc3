-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- Before a day's double-funding check: its double-funding rejects. Params: day.
DELETE FROM voucher_reject
WHERE mark_date = %(day)s AND reason = 'double_funding'
