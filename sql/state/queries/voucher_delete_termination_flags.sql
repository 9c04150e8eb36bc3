-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- A region's termination flags of the month, recomputed with its acts.
-- Params: period, region.
DELETE FROM voucher_provider_event
WHERE
    period = %(period)s
    AND kind = 'termination_flag'
    AND bin IN (
        SELECT bin FROM voucher_provider
        WHERE region_code = %(region)s
    )
