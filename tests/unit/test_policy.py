"""The one permission policy: its table and the task rules every service and page use."""

import pytest

from app.domain import policy
from app.domain.groups import GROUPS
from app.domain.policy import TaskSeat

BILLING_TASK = TaskSeat("handler_billing", None)


def test_every_group_in_the_table_is_a_standard_group():
    codes = {g.code for g in GROUPS}
    for capability, holders in policy.CAPABILITIES.items():
        assert holders <= codes, capability


def test_an_unknown_capability_is_a_bug_not_a_refusal():
    with pytest.raises(KeyError, match="unknown capability"):
        policy.allows({"manager"}, "complaint.delete")


def test_process_owners_see_diagrams_not_customers():
    for capability in (
        "complaint.follow_any",
        "personal_data.reveal",
        "task.oversee",
        "report.read",
        "access_log.read",
    ):
        assert not policy.allows({"process_owner"}, capability)
    assert policy.allows({"process_owner"}, "model.edit")


def test_a_department_reads_and_works_only_its_own_tasks():
    assert policy.may_read_task(7, {"handler_billing"}, BILLING_TASK)
    for outsider in ({"dispatcher"}, {"agent"}, {"handler_network"}, {"process_owner"}):
        assert not policy.may_read_task(7, outsider, BILLING_TASK)
        assert not policy.task_offers(7, outsider, BILLING_TASK)["note"]  # no note on what one cannot read
    assert policy.may_read_task(7, {"manager"}, BILLING_TASK)  # overseers read every task...
    assert not policy.may_work_task(7, {"manager"}, BILLING_TASK)  # ...and work only their own


def test_the_holder_acts_and_a_supervisor_acts_on_any_task():
    held = TaskSeat("handler_billing", 3)
    assert policy.may_act_on_task(3, {"handler_billing"}, held)
    assert not policy.may_act_on_task(4, {"handler_billing"}, held)
    assert policy.may_act_on_task(4, {"supervisor"}, held)


def test_the_task_page_offers_follow_the_rules():
    offers = policy.task_offers(3, {"handler_billing"}, TaskSeat("handler_billing", 3))
    assert offers["work"] and offers["release"] and offers["note"] and not offers["urge"]
    supervisor = policy.task_offers(9, {"supervisor"}, TaskSeat("handler_billing", 3), has_complaint=True)
    assert supervisor["urge"] and supervisor["suspend"] and supervisor["transfer"] and not supervisor["work"]
