-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- A region's monthly norms per age group and group type. Params: region.
SELECT
    age_group,
    group_type,
    norm_tiyn
FROM voucher_norm
WHERE region_code = %(region)s
