-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- A region's providers, for its acts. Params: region.
SELECT
    bin,
    name,
    region_code,
    funding_model,
    estimate_tiyn,
    address,
    status
FROM voucher_provider
WHERE region_code = %(region)s
ORDER BY bin
