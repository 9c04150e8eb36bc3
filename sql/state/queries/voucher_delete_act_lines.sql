-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- An act's lines, replaced as a whole when the act is computed. Params: act_number.
DELETE FROM voucher_act_line
WHERE act_number = %(act_number)s
