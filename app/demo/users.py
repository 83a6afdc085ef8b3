"""Demo users for a fresh install (their names and passwords are in the README)."""

from __future__ import annotations

from sqlalchemy import select

from ..models import User
from ..services.accounts.users import create_user, ensure_groups, hash_password
from ..services.runtime import Runtime

DEMO_PASSWORD = "demo1234"

DEMO_USERS = (
    ("agent", "王芳", ["agent"]),
    ("agent2", "陈静", ["agent"]),
    ("dispatcher", "李强", ["dispatcher"]),
    ("network", "赵磊", ["handler_network"]),
    ("billing", "孙丽", ["handler_billing"]),
    ("product", "吴涛", ["handler_product"]),
    ("hall", "郑雪", ["handler_hall"]),
    ("aftersales", "冯凯", ["handler_aftersales"]),
    ("security", "何敏", ["handler_security"]),
    ("antifraud", "高峰", ["handler_antifraud"]),
    ("care", "林慧", ["handler_care"]),
    ("supervisor", "周敏", ["supervisor"]),
    ("director", "刘洋", ["director"]),
    ("owner", "黄磊", ["process_owner"]),
    ("manager", "杨帆", ["manager"]),
)


def seed_demo_users(rt: Runtime) -> list[str]:
    """Create the demo users that do not exist yet; return the names created."""
    ensure_groups(rt)
    with rt.db.read() as s:
        have = set(s.scalars(select(User.username)))
    created = []
    # scrypt is slow on purpose: hash the shared password once
    shared_hash = hash_password(DEMO_PASSWORD, rt.settings["PASSWORD_HASH"])
    for username, name, groups in DEMO_USERS:
        if username not in have:
            create_user(rt, username, None, name, groups, password_hash=shared_hash)
            created.append(username)
    return created
