-- The regions that have providers.
SELECT DISTINCT region_code
FROM voucher_provider
ORDER BY region_code
