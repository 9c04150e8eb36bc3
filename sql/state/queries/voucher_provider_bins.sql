-- Every provider of the registry.
SELECT bin
FROM voucher_provider
ORDER BY bin
