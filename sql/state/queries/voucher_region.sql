-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- A region and its emitent, printed on the acts. Params: region.
SELECT
    code,
    name,
    emitent_bin,
    emitent_name
FROM voucher_region
WHERE code = %(region)s
