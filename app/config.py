"""Every setting with its default and one line of doc; read once by create_app.

Each setting can be given as an environment variable ``COMPLAINTFLOW_<NAME>`` or in the
mapping passed to ``create_app(test_config)``. A bad value stops start-up with a message
that names the setting.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: Callable[[Path], Any]
    parse: Callable[[str], Any]
    doc: str


def _bool(value: str) -> bool:
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}, got {value!r}")
        return value

    return parse


def _positive(value: str) -> int:
    n = int(value)
    if n < 1:
        raise ValueError(f"expected a whole number of at least 1, got {value!r}")
    return n


SETTINGS = [
    Setting(
        "DATABASE_URL",
        lambda inst: f"sqlite:///{inst / 'complaintflow.db'}",
        str,
        "SQLAlchemy URL; SQLite file in instance/ by default, postgresql+psycopg://... at scale",
    ),
    Setting(
        "SECRET_KEY",
        lambda inst: "",
        str,
        "signs sessions and CSRF tokens; required (or SECRET_KEY_FILE): start-up stops without one",
    ),
    Setting(
        "SECRET_KEY_FILE",
        lambda inst: "",
        str,
        "a file holding SECRET_KEY, made with a random key if it does not exist (serve.sh uses instance/secret_key)",
    ),
    Setting(
        "SLA_POLICY",
        lambda inst: str(ROOT / "config" / "sla.toml"),
        str,
        "the SLA policy file (TOML): limits per step and severity, warnings, escalation",
    ),
    Setting(
        "REPORTING_CONFIG",
        lambda inst: str(ROOT / "config" / "reporting.toml"),
        str,
        "reports' settings (TOML): subscriber base per quarter, regulator categories, repeat window",
    ),
    Setting(
        "DIAGRAM_RULES",
        lambda inst: str(ROOT / "config" / "diagram_rules.toml"),
        str,
        "how much each deploy check of a diagram matters (TOML): error blocks, warning never does",
    ),
    Setting(
        "GROUP_ALIASES",
        lambda inst: str(ROOT / "config" / "group_aliases.toml"),
        str,
        "which of our groups the candidate groups, users and lanes of brought diagrams stand for (TOML), and the fallback",
    ),
    Setting("PRINT_LOG_MAX_LINES", lambda inst: 500, int, "lines of print() output kept per instance"),
    Setting("PRINT_LOG_MAX_BYTES", lambda inst: 65536, int, "bytes of print() output kept per instance"),
    Setting(
        "CONNECTORS_CONFIG",
        lambda inst: str(ROOT / "config" / "connectors.toml"),
        str,
        "service task connectors (TOML): the hosts http/get and http/post may reach, retries, the BSS adapter",
    ),
    Setting("PROCESSES_DIR", lambda inst: str(ROOT / "processes"), str, "diagrams deployed by `deploy`"),
    Setting("FORMS_DIR", lambda inst: str(ROOT / "forms"), str, "JSON Schema forms named by diagrams"),
    Setting("UPLOAD_DIR", lambda inst: str(inst / "uploads"), str, "where evidence files are stored"),
    Setting("MAX_UPLOAD_MB", lambda inst: 20, int, "largest accepted upload (diagram or evidence)"),
    Setting(
        "MAX_EVIDENCE_FILES", lambda inst: 10, int, "most evidence files one form (a step's, the customer's) sends"
    ),
    Setting(
        "CUSTOMER_UPLOAD_ORPHAN_HOURS",
        lambda inst: 48,
        _positive,
        "a file a customer uploaded but never sent with a complaint is deleted after this many hours",
    ),
    Setting("TOKEN_TTL_HOURS", lambda inst: 12, int, "lifetime of an API token"),
    Setting("SESSION_HOURS", lambda inst: 10, int, "a browser session ends this many hours after sign-in"),
    Setting(
        "SESSION_IDLE_MINUTES",
        lambda inst: 120,
        int,
        "a browser session ends after this many minutes without a request",
    ),
    Setting(
        "HTTPS",
        lambda inst: False,
        _bool,
        "browsers reach the pages over https (directly or through a proxy): cookies get Secure, HSTS is sent",
    ),
    Setting(
        "SCHEDULER_ENABLED",
        lambda inst: False,
        _bool,
        "run the timer tick inside this process (the `serve` command turns it on)",
    ),
    Setting(
        "SCHEDULER_TICK_SECONDS",
        lambda inst: 1.0,
        float,
        "how often a process sweeps for every claimable timer (retries after a back-off included) and sends"
        " the notification outbox; timers themselves fire at their due instant",
    ),
    Setting(
        "SCHEDULER_POLL_SECONDS",
        lambda inst: 0.25,
        float,
        "the longest a process sleeps before looking again for the earliest due timer: a timer armed (by any"
        " process) to fall due sooner than that is noticed within this time",
    ),
    Setting("TIMER_MAX_ATTEMPTS", lambda inst: 5, int, "failed firings before a timer becomes an incident"),
    Setting(
        "TIMER_BATCH",
        lambda inst: 50,
        int,
        "instances claimed per timer transaction (the tick loops until nothing is due)",
    ),
    Setting(
        "LIVE_INSTANCES",
        lambda inst: 256,
        int,
        "engine objects of recently saved instances kept per process, so their next step skips "
        "rebuilding them from the state (0 turns it off)",
    ),
    Setting(
        "CALENDAR_REFRESH_SECONDS",
        lambda inst: 2.0,
        float,
        "how often a process checks whether the calendar overrides changed in the database",
    ),
    # Serving on many hosts (docs/deploy.md).
    Setting(
        "DB_POOL_SIZE",
        lambda inst: 10,
        int,
        "PostgreSQL connections kept open per process (a sync gunicorn worker needs 2)",
    ),
    Setting("DB_MAX_OVERFLOW", lambda inst: 10, int, "extra PostgreSQL connections a process may open at a peak"),
    Setting(
        "DB_CONNECT_TIMEOUT", lambda inst: 5, int, "seconds to wait for a PostgreSQL connection before answering 503"
    ),
    Setting(
        "LOG_FORMAT",
        lambda inst: "text",
        _choice("text", "json"),
        "text for people, json (one object a line, with the request id) for log collectors",
    ),
    Setting("IDEMPOTENCY_HOURS", lambda inst: 24, int, "how long a POST's Idempotency-Key and its answer are kept"),
    Setting(
        "SIGN_IN_MAX_FAILURES",
        lambda inst: 10,
        int,
        "wrong passwords for one username (per address, and over addresses it never signed in from) within "
        "SIGN_IN_WINDOW_MINUTES before each further try waits 1, 2, 4... s (429); 0 turns the limits off",
    ),
    Setting(
        "SIGN_IN_ADDRESS_FAILURES",
        lambda inst: 20,
        int,
        "wrong passwords from one address, any usernames, within the window before its tries wait likewise",
    ),
    Setting("SIGN_IN_MAX_DELAY_SECONDS", lambda inst: 300, int, "the longest wait between two tries"),
    Setting("SIGN_IN_WINDOW_MINUTES", lambda inst: 15, int, "how long a wrong password is counted"),
    Setting(
        "PASSWORD_HASH",
        lambda inst: "scrypt",
        _choice("scrypt", "fast-for-tests"),
        "how new passwords are hashed: scrypt; fast-for-tests (one PBKDF2 round) is refused unless TESTING",
    ),
    # The flow's branches: rules, the notification outbox and its sender, the customer's own page.
    Setting(
        "FLOW_CONFIG",
        lambda inst: str(ROOT / "config" / "flow.toml"),
        str,
        "the flow's rules (TOML): repeat window, appeal admissibility, outage matching, public page limits",
    ),
    Setting(
        "SURVEYS_CONFIG",
        lambda inst: str(ROOT / "config" / "surveys.toml"),
        str,
        "surveys of complaints in progress (TOML): sample rate per channel, minimum age; the low-score flag",
    ),
    Setting(
        "TEXT_CONFIG",
        lambda inst: str(ROOT / "config" / "text_intelligence.toml"),
        str,
        "reading complaint text (TOML): retraining, the cold-start set, similar complaints, bursts, topics",
    ),
    Setting(
        "NOTIFICATIONS_CONFIG",
        lambda inst: str(ROOT / "config" / "notifications.toml"),
        str,
        "SMS and e-mail templates (TOML) that diagrams name with notifyTemplate",
    ),
    Setting(
        "NOTIFY_SENDER",
        lambda inst: "log",
        str,
        "who delivers notifications: log (default), smtp (e-mail by SMTP_*; SMS to the log), or module:factory",
    ),
    Setting(
        "APPEAL_CENTRE_EMAIL",
        lambda inst: "appeal-centre@example.invalid",
        str,
        "where a refused appeal work order's reasoned answer goes (the regulator's appeal centre)",
    ),
    Setting("NOTIFY_BATCH", lambda inst: 20, int, "notifications claimed per outbox transaction"),
    Setting("NOTIFY_MAX_ATTEMPTS", lambda inst: 8, int, "failed sends before a notification stays failed"),
    Setting("SMTP_HOST", lambda inst: "localhost", str, "SMTP server for NOTIFY_SENDER=smtp"),
    Setting("SMTP_PORT", lambda inst: 25, int, "its port"),
    Setting("SMTP_FROM", lambda inst: "complaints@localhost", str, "the From address of notification e-mail"),
    Setting("SMTP_USER", lambda inst: "", str, "SMTP user name (empty: no login)"),
    Setting("SMTP_PASSWORD", lambda inst: "", str, "SMTP password"),
    Setting("SMTP_STARTTLS", lambda inst: False, _bool, "upgrade the SMTP connection with STARTTLS"),
    Setting(
        "PUBLIC_BASE_URL",
        lambda inst: "http://localhost:5000",
        str,
        "the customer-facing address that links in SMS and e-mail start with (tracking page, survey)",
    ),
]


def resolve_secret_key(settings: dict[str, Any], testing: bool = False) -> str:
    """The key that signs sessions: SECRET_KEY, else the SECRET_KEY_FILE (made once), else stop start-up.

    There is no silent fallback: a key generated behind the operator's back differs per host and
    per restart (every session lost), and one left in a default place is easy to miss in a backup.
    """
    key = settings.get("SECRET_KEY") or ""
    path = settings.get("SECRET_KEY_FILE") or ""
    if not key and path:
        key = _key_file(Path(path))
    if not key:
        if testing:
            return secrets.token_hex(32)
        raise SystemExit(
            "setting COMPLAINTFLOW_SECRET_KEY is not set: give it a long random value, the same on "
            "every host (openssl rand -hex 32), or name a file with COMPLAINTFLOW_SECRET_KEY_FILE "
            "(scripts/serve.sh keeps one in instance/secret_key)"
        )
    return key


def _key_file(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # readable by its owner only
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return path.read_text().strip()


def load_settings(instance_path: Path, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Resolve every setting from overrides, then the environment, then its default."""
    overrides = dict(overrides or {})
    out: dict[str, Any] = {}
    for s in SETTINGS:
        if s.name in overrides:
            out[s.name] = overrides.pop(s.name)
            continue
        raw = os.environ.get(f"COMPLAINTFLOW_{s.name}")
        if raw is None:
            out[s.name] = s.default(instance_path)
            continue
        try:
            out[s.name] = s.parse(raw)
        except ValueError as exc:
            raise SystemExit(f"setting COMPLAINTFLOW_{s.name} is invalid: {exc}") from exc
    out.update(overrides)  # Flask's own keys (TESTING, ...) pass through
    if out["PASSWORD_HASH"] != "scrypt" and not out.get("TESTING"):
        # A weak hash must never reach a real install, whatever the environment says.
        raise SystemExit(f"setting COMPLAINTFLOW_PASSWORD_HASH={out['PASSWORD_HASH']} is only allowed with TESTING")
    return out
