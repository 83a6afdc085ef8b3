"""The satisfaction analysis against the hand count of satisfaction_data.py (its table is the data).

Period 2026-02-01..2026-02-28 holds K1..K11; K11 never answered and K12 is in January: neither counts.

Satisfied or basically satisfied / answered, per band:
- handling time: < 24 h K1 K2 2/2; 1-3 d K3 K4 K5 3/3; 3-7 d K6 K7 2/2; 7-15 d K8 0/1; 15 d + K9 K10 0/2
- breaches: none K1 K2 K3 K4 K7 5/5; one K5 K6 K9 2/3; two or more K8 K10 0/2
- transfers: none K1 K2 K3 K5 K7 K9 5/6; one K4 K6 K10 2/3; two or more K8 0/1
- reopenings: none K1..K6 6/6; one K7 K8 K10 1/3; two or more K9 0/1

Spearman's rho, handling time: H rises K1..K10, so its ranks are 1..10; the answers rank satisfied 8.5 (4 of
them share ranks 7-10), basically 5 (4-6), unsatisfied 2 (1-3). About the mean 5.5: products sum to
3·(-12) - 0.5·1.5 - 3.5·10.5 = -73.5, squares 82.5 and 73.5, so rho = -73.5 / sqrt(82.5 · 73.5) = -0.944.
Transfers: T ranks 3.5 (six 0), 8 (three 1), 10 (the 2); products sum to -27.25, squares 63 and 73.5:
rho = -27.25 / sqrt(63 · 73.5) = -0.400.
"""

from __future__ import annotations

import math
from datetime import date

import pytest

from app.domain.actors import Viewer
from app.errors import Forbidden, Invalid
from app.services.reporting.dashboard import ReportFilter
from app.services.reporting.satisfaction import rating_dimensions
from app.services.reporting.satisfaction_factors import satisfaction_factors

from . import satisfaction_data

FEBRUARY = ReportFilter(date(2026, 2, 1), date(2026, 2, 28))
SUPERVISOR = Viewer(1, "supervisor", frozenset({"supervisor"}))


@pytest.mark.also_postgres
def test_satisfaction_by_band_of_each_factor_with_n_and_rho(rt):
    satisfaction_data.load(rt)
    out = satisfaction_factors(rt, SUPERVISOR, FEBRUARY)
    factors = {f["factor"]: f for f in out["factors"]}
    assert {k: [(b["answered"], b["satisfied"]) for b in f["bands"]] for k, f in factors.items()} == {
        "handling_hours": [(2, 2), (3, 3), (2, 2), (1, 0), (2, 0)],
        "breaches": [(5, 5), (3, 2), (2, 0)],
        "transfers": [(6, 5), (3, 2), (1, 0)],
        "reopenings": [(6, 6), (3, 1), (1, 0)],
    }
    assert {k: f["n"] for k, f in factors.items()} == dict.fromkeys(factors, 10)
    assert factors["handling_hours"]["rho"] == round(-73.5 / math.sqrt(82.5 * 73.5), 3) == -0.944
    assert factors["transfers"]["rho"] == round(-27.25 / math.sqrt(63 * 73.5), 3) == -0.4
    assert factors["breaches"]["rho"] < 0 and factors["reopenings"]["rho"] < 0
    assert factors["breaches"]["bands"][1]["rate"] == 0.6667


def test_below_the_minimum_sample_there_is_no_coefficient(rt):
    satisfaction_data.load(rt)
    out = satisfaction_factors(rt, SUPERVISOR, FEBRUARY, "phone")  # K1..K5 only
    assert out["min_sample"] == 10 and out["filters"]["channel"] == "phone"
    for f in out["factors"]:
        assert (f["n"], f["rho"]) == (5, None)
    assert [(b["answered"], b["satisfied"]) for b in out["factors"][0]["bands"]] == [
        (2, 2),
        (3, 3),
        (0, 0),
        (0, 0),
        (0, 0),
    ]


@pytest.mark.also_postgres
def test_the_four_ratings_filtered_by_channel(rt):
    satisfaction_data.load(rt)

    def means(rows):
        return {
            r["value"]: (
                r["answered"],
                r["rating_timeliness"],
                r["rating_attitude"],
                r["rating_result"],
                r["rating_process"],
            )
            for r in rows
        }

    out = rating_dimensions(rt, SUPERVISOR, FEBRUARY)
    # network K1 K2 K3 K7 K9: 19/5, 19/5, 18/5, 18/5; billing K4 K5 K8 K10 (K6 gave no ratings): 9/4, 11/4, 9/4, 10/4
    assert means(out["department"]) == {"network": (5, 3.8, 3.8, 3.6, 3.6), "billing": (4, 2.25, 2.75, 2.25, 2.5)}
    phone = rating_dimensions(rt, SUPERVISOR, FEBRUARY, "phone")
    assert means(phone["channel"]) == {"phone": (5, 4.2, 4.4, 4.2, 4.2)}
    assert means(phone["department"]) == {"network": (3, 4.67, 4.67, 4.67, 4.67), "billing": (2, 3.5, 4.0, 3.5, 3.5)}


def test_only_team_leaders_read_the_analysis_and_a_bad_channel_is_refused(rt):
    for group in ("agent", "handler_billing", "dispatcher", "process_owner"):
        with pytest.raises(Forbidden):
            satisfaction_factors(rt, Viewer(2, group, frozenset({group})), FEBRUARY)
        with pytest.raises(Forbidden):
            rating_dimensions(rt, Viewer(2, group, frozenset({group})), FEBRUARY)
    for group in ("director", "manager"):
        assert satisfaction_factors(rt, Viewer(2, group, frozenset({group})), FEBRUARY)["factors"]
    with pytest.raises(Invalid):
        satisfaction_factors(rt, SUPERVISOR, FEBRUARY, "fax")


def test_the_api_answers_the_figures_and_its_errors(api, rt):
    satisfaction_data.load(rt)
    r = api.get("manager", "/reports/satisfaction/factors?from=2026-02-01&to=2026-02-28")
    assert r.status_code == 200
    assert {f["factor"]: f["rho"] for f in r.get_json()["factors"]}["handling_hours"] == -0.944
    r = api.get("supervisor", "/reports/satisfaction?from=2026-02-01&to=2026-02-28&channel=online")
    assert {row["value"]: row["answered"] for row in r.get_json()["channel"]} == {"online": 4}
    assert api.get("agent", "/reports/satisfaction/factors").status_code == 403
    bad = api.get("manager", "/reports/satisfaction/factors?channel=fax")
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "channel"
    assert api.get("manager", "/reports/satisfaction/factors?from=2026-13-01").status_code == 422


def test_the_page_and_its_csv_for_a_supervisor_not_for_an_agent(app, rt, demo_users):
    from .web_client import Web

    satisfaction_data.load(rt)
    web = Web(app).login("supervisor")
    page = web.text("/reports/satisfaction?from=2026-02-01&to=2026-02-28")
    assert "ρ = -0.944" in page and "n = 10" in page and "态度与专业素养" in page
    table = page[page.index('data-testid="ratings-department"') :]
    assert "3.80" in table[: table.index("</table>")]
    few = web.text("/reports/satisfaction?from=2026-02-01&to=2026-02-28&channel=phone")
    assert "ρ = —" in few and "样本不足 10 个" in few
    csv = web.get("/reports/satisfaction/export.csv?from=2026-02-01&to=2026-02-28")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("分组,分组值,评价数,处理时效")
    assert "处理部门,网络部,5,3.80,3.80,3.60,3.60" in lines
    assert Web(app).login("agent").get("/reports/satisfaction").status_code == 403
    assert Web(app).login("agent").get("/reports/satisfaction/export.csv").status_code == 403
    assert "/reports/satisfaction" in Web(app).login("manager").text("/reports/team")
