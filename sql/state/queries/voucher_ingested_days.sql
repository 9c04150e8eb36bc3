-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- The provider-days voucher_ingest recorded between two days (params: first_day, last_day).
SELECT
    bin,
    register_date
FROM voucher_ingested_day
WHERE register_date BETWEEN %(first_day)s AND %(last_day)s
ORDER BY bin, register_date
