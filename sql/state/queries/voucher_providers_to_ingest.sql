-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- Providers to ingest: all but the terminated ones, unless the termination took effect
-- after the first day ingested (a backfill of days the provider still operated).
-- Params: first_day.
SELECT bin
FROM voucher_provider
WHERE status <> 'terminated' OR status_since > %(first_day)s
ORDER BY bin
