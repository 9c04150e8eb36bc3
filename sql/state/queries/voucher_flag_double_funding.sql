-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- A child present in two providers on one day: the mark flagged in each.
-- Params: bin, iin, mark_date.
UPDATE voucher_mark SET flag = 'double_funding'
WHERE bin = %(bin)s AND iin = %(iin)s AND mark_date = %(mark_date)s
