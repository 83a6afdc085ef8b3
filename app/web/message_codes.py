"""Message keys built from a code (``t('complaint.status.' ~ c.status)``), listed so that extraction sees them.

``bash scripts/messages.sh update`` keeps in the catalogues only the keys it finds in ``t('...')`` or
``N_('...')``; a key made by joining a prefix and a code is found here, one ``N_`` per code. When a
service gains a code (a status, an audit event type, a contact result), add its key below and run
``update``; ``tests/unit/test_message_catalogue.py`` fails on a key used but missing or present but
unused. Nothing imports these tuples: they exist to be read by the extraction and by people.
"""

from .i18n import N_

# The audit trail: event types in words (i18n.event_label tries event.<type>, then audit.event.<type>)
# and who did it when it was not a person (i18n.actor_name).
EVENTS = (
    N_("event.instance.started"),
    N_("event.instance.completed"),
    N_("event.instance.migrated"),
    N_("event.instance.error"),
    N_("event.task.ready"),
    N_("event.task.claimed"),
    N_("event.task.released"),
    N_("event.task.completed"),
    N_("event.task.cancelled"),
    N_("event.task.transferred"),
    N_("event.task.returned"),
    N_("event.task.urged"),
    N_("event.task.extended"),
    N_("event.note.added"),
    N_("event.contact.attempted"),
    N_("event.complaint.suspended"),
    N_("event.complaint.resumed"),
    N_("event.complaint.reopened"),
    N_("event.complaint.repeat"),
    N_("event.timer.fired"),
    N_("event.compensation.decided"),
    N_("event.compensation.approved"),
    N_("event.compensation.adjusted"),
    N_("event.compensation.rejected"),
    N_("event.outage.linked"),
    N_("event.outage.notice"),
    N_("event.sla.recomputed"),
    N_("audit.event.engine.step"),
    N_("audit.event.sla.warning"),
    N_("audit.event.sla.breached"),
    N_("audit.event.sla.escalated"),
    N_("audit.event.sla.extension_requested"),
    N_("audit.event.sla.extension_approved"),
    N_("audit.event.sla.extension_rejected"),
    N_("audit.event.sla.extended"),
    N_("audit.event.timer.incident"),
    N_("audit.event.timer.retried"),
)
ACTORS = (N_("actor.system"), N_("actor.scheduler"))

# English names of the diagrams' steps (labels.step_name; in Chinese the diagram's own name is shown).
STEPS = (
    N_("step.receive"),
    N_("step.classify"),
    N_("step.register"),
    N_("step.supervisor_review"),
    N_("step.dispatch"),
    N_("step.handle"),
    N_("step.track"),
    N_("step.feedback"),
    N_("step.summarize"),
    N_("step.classify_supervise"),
    N_("step.supervisor_review_supervise"),
    N_("step.dispatch_supervise"),
    N_("step.handle_supervise"),
    N_("step.track_supervise"),
    N_("step.feedback_supervise"),
    N_("step.summarize_supervise"),
)

# States of tasks, complaints, clocks and timers (tasks/show, complaints/*, macros/sla, reports/instance*).
STATES = (
    N_("task.state.ready"),
    N_("task.state.completed"),
    N_("task.state.cancelled"),
    N_("sla.on_time"),
    N_("sla.warning"),
    N_("sla.breached"),
    N_("sla.none"),
    N_("audit.instance_status.running"),
    N_("audit.instance_status.suspended"),
    N_("audit.instance_status.completed"),
    N_("audit.instance_status.error"),
    N_("audit.clock.first_reply"),
    N_("audit.clock.final_reply"),
    N_("audit.state.on_time"),
    N_("audit.state.warning"),
    N_("audit.state.breached"),
    N_("audit.state.met"),
    N_("audit.state.none"),
    N_("audit.kind.warning"),
    N_("audit.kind.breach"),
    N_("audit.kind.timer"),
    N_("audit.timer.waiting"),
    N_("audit.timer.fired"),
    N_("audit.timer.cancelled"),
    N_("audit.timer.paused"),
    N_("audit.timer.incident"),
    N_("audit.shift.pause"),
    N_("audit.shift.extension"),
)

# The audit search's filters and sort (reports/instances.html).
AUDIT_SEARCH = (
    N_("audit.sla.breached"),
    N_("audit.sla.paused"),
    N_("audit.sla.breached_ever"),
    N_("audit.sla.on_time"),
    N_("audit.sort.created_at"),
    N_("audit.sort.closed_at"),
    N_("audit.sort.number"),
    N_("audit.order.desc"),
    N_("audit.order.asc"),
)

# The access log (reports/access_log.html, reports/instance.html).
ACCESS = (
    N_("access.action.appeal.viewed"),
    N_("access.action.appeals.listed"),
    N_("access.action.complaint.viewed"),
    N_("access.action.complaints.listed"),
    N_("access.action.customer.looked_up"),
    N_("access.action.evidence.opened"),
    N_("access.action.inbox.searched"),
    N_("access.action.instance.viewed"),
    N_("access.action.instance.events_viewed"),
    N_("access.action.personal_data.revealed"),
    N_("access.action.search.by_phone"),
    N_("access.action.search.exported"),
    N_("access.action.task.viewed"),
    N_("access.pd.masked"),
    N_("access.pd.shown"),
)

# Contact with the customer (tasks/show.html, macros/history.html).
CONTACT = (
    N_("contact.method.phone"),
    N_("contact.method.sms"),
    N_("contact.method.email"),
    N_("contact.method.wechat"),
    N_("contact.method.visit"),
    N_("contact.result.reached"),
    N_("contact.result.no_answer"),
    N_("contact.result.busy"),
    N_("contact.result.refused"),
    N_("contact.result.unreachable"),
    N_("contact.result.wrong_number"),
)

# Appeals, outages, the calendar (appeals/*, outages/*, calendar/index.html).
BRANCHES = (
    N_("appeal.outcome.investigated"),
    N_("appeal.outcome.settled"),
    N_("outage.service.mobile"),
    N_("outage.service.broadband"),
    N_("outage.service.iptv"),
    N_("outage.service.voice"),
    N_("outage.service.other"),
    N_("outage.notice_kind.progress"),
    N_("outage.notice_kind.resolved"),
    N_("calendar.state.packaged"),
    N_("calendar.state.entered"),
    N_("calendar.state.provisional"),
    N_("calendar.kind.work"),
    N_("calendar.kind.rest"),
    N_("calendar.kind.holiday"),
    N_("calendar.kind.makeup"),
    N_("calendar.source.manual"),
    N_("calendar.source.notice"),
    N_("calendar.form.text"),
    N_("calendar.form.csv"),
    N_("calendar.form.json"),
)

# The workspace: inbox tabs and bulk actions, notices, languages, the model diff, text intelligence.
WORKSPACE = (
    N_("inbox.tab.mine"),
    N_("inbox.tab.group"),
    N_("inbox.tab.all"),
    N_("inbox.tab.overdue"),
    N_("inbox.tab.due_soon"),
    N_("inbox.bulk.claim"),
    N_("inbox.bulk.release"),
    N_("inbox.bulk.transfer"),
    N_("notice.task.assigned_to_me"),
    N_("notice.task.urged"),
    N_("notice.sla.warning"),
    N_("notice.sla.breached"),
    N_("notice.sla.extension_approved"),
    N_("notice.sla.extension_rejected"),
    N_("locale.zh-CN"),
    N_("locale.en"),
    N_("models.process"),
    N_("ti.field.category"),
    N_("ti.field.special_type"),
    N_("ti.field.severity"),
    N_("ti.field.department"),
    N_("ti.burst.status.suggested"),
    N_("ti.burst.status.confirmed"),
    N_("ti.burst.status.dismissed"),
)

# Reports: rating dimensions and the groupings of the team report (reports/team.html).
REPORTS = (
    N_("reports.rating_result"),
    N_("reports.rating_attitude"),
    N_("reports.rating_timeliness"),
    N_("reports.rating_process"),
    N_("reports.ratings_by.department"),
    N_("reports.ratings_by.owner"),
    N_("reports.ratings_by.channel"),
)

# The customer's pages: form fields, stages, satisfaction, survey states (customer/*).
PUBLIC = (
    N_("public.f.customer_name"),
    N_("public.f.customer_phone"),
    N_("public.f.customer_email"),
    N_("public.f.matter"),
    N_("public.f.demand"),
    N_("public.f.place"),
    N_("public.f.rating_result"),
    N_("public.f.rating_attitude"),
    N_("public.f.rating_timeliness"),
    N_("public.f.rating_process"),
    N_("public.stage.received"),
    N_("public.stage.handling"),
    N_("public.stage.replied"),
    N_("public.stage.closed"),
    N_("public.stage_now.received"),
    N_("public.stage_now.handling"),
    N_("public.stage_now.replied"),
    N_("public.stage_now.closed"),
    N_("public.sat.satisfied"),
    N_("public.sat.basically_satisfied"),
    N_("public.sat.unsatisfied"),
    N_("public.survey_used"),
    N_("public.survey_expired"),
    N_("public.survey_closed"),
)

# Evidence files: why one was refused (web/evidence.py), what was done with one (audit, access log).
EVIDENCE = (
    N_("evidence.err.empty"),
    N_("evidence.err.too_large"),
    N_("evidence.err.too_many"),
    N_("evidence.err.type_refused"),
    N_("event.evidence.added"),
    N_("access.action.evidence.viewed"),
    N_("access.action.evidence.downloaded"),
)

# Service incidents (a connector that kept failing) on the instance page (reports/instance.html) and in the audit trail.
INCIDENTS = (
    N_("incident.status.open"),
    N_("incident.status.resolved"),
    N_("audit.event.incident.opened"),
    N_("audit.event.incident.resolved"),
    N_("audit.event.incident.retry_failed"),
)

# Improvement actions and the periodicity report (improvement/*), and the notices they raise.
IMPROVEMENT = (
    N_("improvement.status.open"),
    N_("improvement.status.in_progress"),
    N_("improvement.status.done"),
    N_("improvement.status.evaluated"),
    N_("improvement.status.cancelled"),
    N_("improvement.move.in_progress"),
    N_("improvement.move.done"),
    N_("improvement.move.evaluated"),
    N_("improvement.move.cancelled"),
    N_("improvement.event.action.created"),
    N_("improvement.event.action.updated"),
    N_("improvement.event.action.status_changed"),
    N_("improvement.event.action.supervised"),
    N_("improvement.event.action.due_soon"),
    N_("improvement.field.overdue"),
    N_("improvement.field.reason"),
    N_("improvement.field.version"),
    N_("improvement.field.window_days"),
    N_("improvement.help.complaints"),
    N_("improvement.help.window_days"),
    N_("periodicity.direction.up"),
    N_("periodicity.direction.down"),
    N_("periodicity.weekday.0"),
    N_("periodicity.weekday.1"),
    N_("periodicity.weekday.2"),
    N_("periodicity.weekday.3"),
    N_("periodicity.weekday.4"),
    N_("periodicity.weekday.5"),
    N_("periodicity.weekday.6"),
    N_("notice.baseline.alert"),
    N_("notice.improvement.due_soon"),
    N_("notice.improvement.overdue"),
    N_("notice.improvement.supervised"),
)

# What satisfaction depends on (reports/satisfaction.html, web/satisfaction.py).
SATISFACTION = (
    N_("reports.ratings_by.category"),
    N_("reports.ratings_by.month"),
    N_("satisfaction.by.category"),
    N_("satisfaction.by.channel"),
    N_("satisfaction.by.department"),
    N_("satisfaction.by.month"),
    N_("satisfaction.by.owner"),
    N_("satisfaction.factor.breaches"),
    N_("satisfaction.factor.handling_hours"),
    N_("satisfaction.factor.reopenings"),
    N_("satisfaction.factor.transfers"),
    N_("satisfaction.band.breaches.0"),
    N_("satisfaction.band.breaches.1"),
    N_("satisfaction.band.breaches.ge2"),
    N_("satisfaction.band.handling_hours.lt24h"),
    N_("satisfaction.band.handling_hours.1to3d"),
    N_("satisfaction.band.handling_hours.3to7d"),
    N_("satisfaction.band.handling_hours.7to15d"),
    N_("satisfaction.band.handling_hours.ge15d"),
    N_("satisfaction.band.reopenings.0"),
    N_("satisfaction.band.reopenings.1"),
    N_("satisfaction.band.reopenings.ge2"),
    N_("satisfaction.band.transfers.0"),
    N_("satisfaction.band.transfers.1"),
    N_("satisfaction.band.transfers.ge2"),
)

# The diagram editor's properties panel (web/process_models.py, edit): SLA steps, units, connectors
# and their parameters (engine/connectors.py).
EDITOR = (
    N_("editor.connector.customer/lookup"),
    N_("editor.connector.customer/lookup.phone"),
    N_("editor.connector.email/send"),
    N_("editor.connector.email/send.context"),
    N_("editor.connector.email/send.template"),
    N_("editor.connector.email/send.to"),
    N_("editor.connector.http/get"),
    N_("editor.connector.http/get.headers"),
    N_("editor.connector.http/get.url"),
    N_("editor.connector.http/post"),
    N_("editor.connector.http/post.body"),
    N_("editor.connector.http/post.headers"),
    N_("editor.connector.http/post.url"),
    N_("editor.connector.sms/send"),
    N_("editor.connector.sms/send.context"),
    N_("editor.connector.sms/send.template"),
    N_("editor.connector.sms/send.to"),
    N_("editor.step.antifraud"),
    N_("editor.step.appeal"),
    N_("editor.step.care"),
    N_("editor.step.classify"),
    N_("editor.step.containment"),
    N_("editor.step.dispatch"),
    N_("editor.step.escalate"),
    N_("editor.step.feedback"),
    N_("editor.step.handle"),
    N_("editor.step.investigate"),
    N_("editor.step.receive"),
    N_("editor.step.reply"),
    N_("editor.step.summarize"),
    N_("editor.step.supervise"),
    N_("editor.step.supervisor_review"),
    N_("editor.step.survey_window"),
    N_("editor.step.track"),
    N_("editor.step.visit_retry"),
    N_("editor.unit.civil_days"),
    N_("editor.unit.hours"),
    N_("editor.unit.minutes"),
    N_("editor.unit.seconds"),
    N_("editor.unit.working_days"),
)

# Notices of improvement actions and survey answers (web/notices.py), and the survey in the audit trail.
NOTICES = (
    N_("notice.improvement.assigned"),
    N_("notice.survey.kind.closing"),
    N_("notice.survey.kind.in_progress"),
    N_("notice.survey.answer.satisfied"),
    N_("notice.survey.answer.basically_satisfied"),
    N_("notice.survey.answer.unsatisfied"),
    N_("event.survey.answered"),
)
