"""The voucher pipeline's domain logic: pure functions over pandas frames and dataclasses.

No Airflow, no network: IIN/BIN checksums, the working-day calendar, the
register rules, the risk rules, proration and act amounts, act numbering and
the ESF draft. See docs/vouchers.md and specs/voucher-acts.md.
"""
