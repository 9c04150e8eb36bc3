-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- The acts voucher_acts formed in the project DB, for the gate of voucher_payments.
SELECT
    act_number,
    bin,
    period
FROM voucher_act
ORDER BY act_number
