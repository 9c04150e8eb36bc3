-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- An act's status and dates as the registry has them.
-- Params: status, reconciled_on, signed_on, invoiced_on, paid_on, act_number.
UPDATE voucher_act SET
    status = %(status)s,
    reconciled_on = %(reconciled_on)s,
    signed_on = %(signed_on)s,
    invoiced_on = %(invoiced_on)s,
    paid_on = %(paid_on)s
WHERE act_number = %(act_number)s
