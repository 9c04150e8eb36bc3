-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- Contracts of the period's acts that appear in more than one act line (must be none).
SELECT
    l.contract_id,
    COUNT(*) AS act_lines
FROM voucher_act_line AS l
INNER JOIN voucher_act AS a ON l.act_number = a.act_number
WHERE a.period = %(period)s
GROUP BY l.contract_id
HAVING COUNT(*) > 1
