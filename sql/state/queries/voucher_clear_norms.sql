-- The norms are replaced as a whole on every registry extract.
DELETE FROM voucher_norm
