-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- A provider-day's accepted marks, replaced as a whole. Params: bin, mark_date.
DELETE FROM voucher_mark
WHERE mark_date = %(mark_date)s AND bin = %(bin)s
