-- The acts of one month with their status (vouchers page, a month chosen).
SELECT
    a.act_number,
    a.bin,
    p.name AS provider,
    a.region_code,
    a.status,
    a.children,
    a.total_tiyn,
    a.missing_marks,
    a.signed_on,
    a.paid_on,
    a.pdf_path,
    a.esf_path
FROM voucher_act AS a
LEFT JOIN voucher_provider AS p ON a.bin = p.bin
WHERE a.period = %(period)s  -- noqa: RF02
ORDER BY a.region_code ASC, a.act_number ASC
