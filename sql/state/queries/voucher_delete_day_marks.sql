-- sqlfluff:templater:placeholder:bins:('a', 'b')
-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- A batch's provider-days' accepted marks, replaced as a whole (one statement for the
-- batch's providers, not one a provider). Params: mark_date, bins (a tuple).
DELETE FROM voucher_mark
WHERE mark_date = %(mark_date)s AND bin IN %(bins)s
