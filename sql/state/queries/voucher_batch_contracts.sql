-- sqlfluff:templater:placeholder:bins:('a', 'b')
-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- The stored contracts of a batch's providers, to write only what the LMS changed.
-- Params: bins (a tuple).
SELECT
    contract_id,
    bin,
    iin,
    child_name,
    group_type,
    start_date,
    end_date
FROM voucher_contract
WHERE bin IN %(bins)s
