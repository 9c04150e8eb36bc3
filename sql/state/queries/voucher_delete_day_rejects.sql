-- sqlfluff:templater:placeholder:bins:('a', 'b')
-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- A batch's provider-days' rejects, replaced as a whole. Params: mark_date, bins (a tuple).
DELETE FROM voucher_reject
WHERE mark_date = %(mark_date)s AND bin IN %(bins)s
