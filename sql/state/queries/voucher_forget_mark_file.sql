-- noqa: disable=RF02
-- (RF02 off: the query parameters read as unqualified column references)
-- A day's Parquet file no longer holds its marks as they are (an ingest or a
-- double-funding check of the day is about to change them). Params: mark_date.
DELETE FROM voucher_mark_file
WHERE mark_date = %(mark_date)s
