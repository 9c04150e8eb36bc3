-- The registry's death flags (a child's contracts end the day before).
SELECT
    kind,
    iin,
    flagged_on
FROM voucher_risk_flag
WHERE kind = 'death'
