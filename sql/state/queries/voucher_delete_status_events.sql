-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- A month's suspension and termination events, recomputed by each run. Params: period.
DELETE FROM voucher_provider_event
WHERE period = %(period)s AND kind IN ('suspended', 'terminated')
