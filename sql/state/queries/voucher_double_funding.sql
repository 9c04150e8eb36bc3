-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- Children marked present in two or more providers on one day (params: day).
WITH twice AS (
    SELECT iin
    FROM voucher_mark
    WHERE mark_date = %(day)s AND code = 'present'
    GROUP BY iin
    HAVING COUNT(DISTINCT bin) > 1
)

SELECT
    m.bin,
    m.iin,
    m.mark_date,
    m.code,
    m.document
FROM voucher_mark AS m
INNER JOIN twice ON m.iin = twice.iin
WHERE m.mark_date = %(day)s AND m.code = 'present'
ORDER BY m.iin, m.bin
