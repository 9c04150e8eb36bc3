-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- A region's acts of the month already reconciled or later: never recomputed.
-- Params: period, region.
SELECT act_number
FROM voucher_act
WHERE
    period = %(period)s
    AND region_code = %(region)s
    AND status IN ('reconciled', 'signed', 'invoiced', 'paid')
