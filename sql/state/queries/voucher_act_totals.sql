-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- Each act of the month with its lines' sum, smallest amount, largest payable days
-- and line count: what check_acts holds the acts to. Params: period.
SELECT
    a.act_number,
    a.total_tiyn,
    a.working_days,
    COALESCE(SUM(l.amount_tiyn), 0) AS lines_tiyn,
    COALESCE(MIN(l.amount_tiyn), 0) AS min_line_tiyn,
    COALESCE(MAX(l.payable_days), 0) AS max_payable_days,
    COUNT(l.line_no) AS line_count
FROM voucher_act AS a
LEFT JOIN voucher_act_line AS l ON a.act_number = l.act_number
WHERE a.period = %(period)s
GROUP BY a.act_number, a.total_tiyn, a.working_days
