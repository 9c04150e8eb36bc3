-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- A region's acts of the month that are not held: each gets a PDF and an ESF draft.
-- Params: period, region.
SELECT
    act_number,
    data_sha256,
    pdf_path,
    esf_path
FROM voucher_act
WHERE
    period = %(period)s
    AND region_code = %(region)s
    AND LEFT(status, 4) <> 'held'
ORDER BY act_number
