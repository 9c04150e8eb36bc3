-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- A provider's status from the risk rules. Params: status, reason, since, bin.
UPDATE voucher_provider SET
    status = %(status)s,
    status_reason = %(reason)s,
    status_since = %(since)s
WHERE bin = %(bin)s
