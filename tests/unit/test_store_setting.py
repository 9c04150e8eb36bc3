"""The store's URL is a required setting: unset, the store fails at once and names it."""

from __future__ import annotations

import pytest

from include import storage


@pytest.mark.parametrize("value", [None, "", "  "])
def test_an_unset_store_url_fails_naming_the_setting(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("PIPELINES_STORE_URL", raising=False)
    else:
        monkeypatch.setenv("PIPELINES_STORE_URL", value)
    with pytest.raises(storage.StoreNotConfigured, match="PIPELINES_STORE_URL"):
        storage.store_url()
    with pytest.raises(storage.StoreNotConfigured, match="PIPELINES_STORE_URL"):
        storage.store_path("anything.csv")


def test_a_set_store_url_is_used_as_given(monkeypatch, tmp_path):
    monkeypatch.setenv("PIPELINES_STORE_URL", f"file://{tmp_path}/store")
    assert storage.store_url() == f"file://{tmp_path}/store"
    path = storage.store_path("a", "b.csv")
    assert str(path).startswith(f"file://{tmp_path}/store") and path.parent.exists()
