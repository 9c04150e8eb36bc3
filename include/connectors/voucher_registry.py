"""The state voucher registry: providers, norms, vouchers, risk flags and act statuses.

Built on the same transport as the LMS hook (`JsonApiHook`: bearer token,
retries on 5xx/429/timeouts, the registry's own message on a refusal, bounded
paging). The rows are validated by the caller (include/vouchers/feeds.py).
"""

from __future__ import annotations

from typing import Any

from include.connectors.kindergarten_lms import ApiError, ApiUnavailable, JsonApiHook

__all__ = ["ApiError", "ApiUnavailable", "VoucherRegistryHook"]


class VoucherRegistryHook(JsonApiHook):
    conn_name_attr = "registry_conn_id"
    default_conn_name = "voucher_registry"
    conn_type = "http"
    hook_name = "Voucher registry"
    system = "voucher registry"

    def __init__(self, registry_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(registry_conn_id, **kwargs)

    def regions(self) -> list[dict]:
        return self.get_items("api/v1/regions")

    def providers(self) -> list[dict]:
        return self.get_all("api/v1/providers", limit=5000)

    def norms(self) -> list[dict]:
        return self.get_items("api/v1/norms")

    def vouchers(self) -> list[dict]:
        return self.get_all("api/v1/vouchers", limit=50000)

    def risk_flags(self) -> list[dict]:
        return self.get_items("api/v1/risk-flags")

    def register_act(self, act_number: str, body: dict) -> dict:
        """Idempotent: a known act keeps its status; its data may change until reconciled."""
        return self.request("PUT", f"api/v1/acts/{act_number}", body=body)

    def acts(self, period: str | None = None) -> list[dict]:
        return self.get_items("api/v1/acts", {"period": period} if period else None)
