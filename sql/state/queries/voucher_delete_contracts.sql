-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- A provider's contracts, replaced as a whole by each ingest. Params: bin.
DELETE FROM voucher_contract
WHERE bin = %(bin)s
