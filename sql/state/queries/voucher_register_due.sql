-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- The providers of a month whose register may be due: those with a contract
-- overlapping the month (with the first start and the last end of those
-- contracts; an open-ended contract ends NULL) and the estimate-funded ones
-- (an act whatever the contingent). Which days are due is decided in
-- include/vouchers/coverage.py. Params: first_day, last_day.
WITH spans AS (
    SELECT
        bin,
        MIN(start_date) AS contract_from,
        MAX(COALESCE(end_date, %(last_day)s)) AS contract_to
    FROM voucher_contract
    WHERE start_date <= %(last_day)s AND (end_date IS NULL OR end_date >= %(first_day)s)
    GROUP BY bin
)

SELECT
    p.bin,
    p.region_code,
    p.funding_model,
    p.status,
    p.status_since,
    s.contract_from,
    s.contract_to
FROM voucher_provider AS p
LEFT JOIN spans AS s ON p.bin = s.bin
WHERE s.bin IS NOT NULL OR p.funding_model = 'estimate'
ORDER BY p.bin
