-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- A child who died before the month: the vouchers are annulled. Params: iin.
UPDATE voucher_voucher SET status = 'annulled'
WHERE iin = %(iin)s
