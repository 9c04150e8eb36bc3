-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- Record one provider-day as ingested (in the transaction that replaced its marks).
-- Params: bin, register_date, marks, accepted, rejected.
INSERT INTO voucher_ingested_day (bin, register_date, marks, accepted, rejected)
VALUES (%(bin)s, %(register_date)s, %(marks)s, %(accepted)s, %(rejected)s)
ON DUPLICATE KEY UPDATE
    marks = VALUES (marks),
    accepted = VALUES (accepted),
    rejected = VALUES (rejected),
    ingested_at = CURRENT_TIMESTAMP
