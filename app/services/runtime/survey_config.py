"""The runtime's survey rules (config/surveys.toml, setting SURVEYS_CONFIG), read once per runtime."""

from __future__ import annotations

from pathlib import Path

from ...domain.survey_rules import SurveyConfigError, SurveyRules
from . import Runtime

DEFAULT = Path(__file__).resolve().parents[2] / "config" / "surveys.toml"


def survey_rules(rt: Runtime) -> SurveyRules:
    """The rules the runtime's SURVEYS_CONFIG file sets; a bad file stops with a message naming the setting."""
    found = vars(rt).get("_survey_rules")  # cached on the runtime: one per app
    if found is None:
        path = rt.settings.get("SURVEYS_CONFIG") or DEFAULT
        try:
            found = SurveyRules.load(path)
        except SurveyConfigError as exc:
            raise SystemExit(f"setting COMPLAINTFLOW_SURVEYS_CONFIG: {exc}") from exc
        vars(rt)["_survey_rules"] = found
    return found
