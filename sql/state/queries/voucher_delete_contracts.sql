-- sqlfluff:templater:placeholder:contract_ids:('a', 'b')
-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- Contracts the LMS no longer lists as they are stored (gone, or changed: a changed
-- one is inserted again). Params: contract_ids (a tuple).
DELETE FROM voucher_contract
WHERE contract_id IN %(contract_ids)s
