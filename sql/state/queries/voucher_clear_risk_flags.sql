-- The risk flags are replaced as a whole on every registry extract.
DELETE FROM voucher_risk_flag
