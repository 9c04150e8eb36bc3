-- Terminated providers and the day the termination took effect (NULL: unknown).
SELECT
    bin,
    status_since
FROM voucher_provider
WHERE status = 'terminated'
