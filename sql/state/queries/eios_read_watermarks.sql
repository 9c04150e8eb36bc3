SELECT
    w.faculty_id,
    w.watermark
FROM eios_watermark AS w
