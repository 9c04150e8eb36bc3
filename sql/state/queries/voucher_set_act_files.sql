-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- Where an act's PDF and ESF draft are in the store. Params: pdf_path, esf_path, act_number.
UPDATE voucher_act SET
    pdf_path = %(pdf_path)s,
    esf_path = %(esf_path)s
WHERE act_number = %(act_number)s
