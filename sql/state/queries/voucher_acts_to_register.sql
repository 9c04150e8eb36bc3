-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- The month's acts ready to register in the registry. Params: period.
SELECT
    act_number,
    bin,
    total_tiyn,
    data_sha256
FROM voucher_act
WHERE period = %(period)s AND status = 'generated'
ORDER BY act_number
