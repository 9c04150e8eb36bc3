-- The registry's risk flags, for the risk rules (include/vouchers/risk.py).
SELECT
    flag_id,
    kind,
    bin,
    iin,
    flagged_on,
    resolved_on
FROM voucher_risk_flag
