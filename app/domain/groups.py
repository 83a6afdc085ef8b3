"""The standard candidate groups: roles and handling departments (see docs/architecture.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GroupDef:
    code: str
    name_zh: str
    name_en: str
    kind: str  # role | department


GROUPS = (
    GroupDef("agent", "一线客服", "Agent", "role"),
    GroupDef("dispatcher", "派单员", "Dispatcher", "role"),
    GroupDef("handler_network", "网络部", "Network dept.", "department"),
    GroupDef("handler_billing", "计费部", "Billing dept.", "department"),
    GroupDef("handler_product", "产品部", "Product dept.", "department"),
    GroupDef("handler_hall", "营业厅", "Business hall", "department"),
    GroupDef("handler_aftersales", "售后服务部", "After-sales dept.", "department"),
    GroupDef("handler_security", "信息安全部", "Security dept.", "department"),
    GroupDef("handler_antifraud", "反诈专席", "Anti-fraud desk", "department"),
    GroupDef("handler_care", "关爱服务组", "Care team", "department"),
    GroupDef("supervisor", "班长督办", "Supervisor", "role"),
    GroupDef("director", "中心负责人", "Director", "role"),
    GroupDef("process_owner", "流程管理员", "Process owner", "role"),
    GroupDef("manager", "管理者/质检", "Manager", "role"),
)

# Which department handles which complaint category (the dispatcher may choose another).
ROUTING = {
    "network": "network",
    "billing": "billing",
    "product": "product",
    "service": "hall",
    "aftersales": "aftersales",
}


def lane_groups() -> dict[str, str]:
    """Map each standard group's code, Chinese and English name to its code (lanes may use any)."""
    out: dict[str, str] = {}
    for g in GROUPS:
        out[g.code] = out[g.name_zh] = out[g.name_en] = g.code
    return out
