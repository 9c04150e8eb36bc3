"""`pdf_engine` (exam_archive's and voucher_acts' settings): weasyprint by default, typst
on request, anything else refused naming the field."""

from __future__ import annotations

import pytest

from include.config import ExamArchiveSettings, SettingsError, parse_settings
from include.config.vouchers import VoucherActsSettings


@pytest.mark.parametrize("model", [ExamArchiveSettings, VoucherActsSettings])
def test_pdf_engine_is_weasyprint_unless_typst_is_chosen(model):
    assert model().pdf_engine == "weasyprint"
    assert parse_settings(model, '{"pdf_engine": "typst"}').pdf_engine == "typst"


@pytest.mark.parametrize("model", [ExamArchiveSettings, VoucherActsSettings])
@pytest.mark.parametrize("bad", ['"chromium"', '"Typst"', '""', "1", "null"])
def test_a_bad_pdf_engine_fails_naming_the_field(model, bad):
    with pytest.raises(SettingsError, match=r"pdf_engine: Input should be 'weasyprint' or 'typst'"):
        parse_settings(model, f'{{"pdf_engine": {bad}}}')
