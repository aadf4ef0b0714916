from __future__ import annotations

from django.urls import path

from actions import from_email, views
from improveplan import items

app_name = "actions"

urlpatterns = [
    path("my-actions/", views.my_actions, name="my_actions"),
    # Issue 23: a reminder's link to post one update without signing in.
    path("update/<str:token>/", from_email.update_from_email, name="update_from_email"),
    path("plans/<int:pk>/actions/", views.action_plan, name="plan"),
    path("plans/<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("plans/<int:pk>/actions/smart-check/", views.smart_preview, name="smart_preview"),
    path("plans/<int:pk>/timeline/", views.plan_timeline, name="timeline"),
    path("plans/<int:pk>/golden-thread/", views.golden_thread, name="golden_thread"),
    path(
        "plans/<int:pk>/action-plan.xlsx",
        views.action_plan_export,
        {"file_format": "xlsx"},
        name="export_xlsx",
    ),
    path(
        "plans/<int:pk>/action-plan.csv",
        views.action_plan_export,
        {"file_format": "csv"},
        name="export_csv",
    ),
    path("plans/<int:pk>/action-plan/import/", views.action_plan_import, name="import_xlsx"),
    path("plans/<int:pk>/money/", views.plan_money, name="money"),
    path("plans/<int:pk>/money/budget/", views.budget_edit, name="budget_edit"),
    path("plans/<int:pk>/money/move/", views.money_move, name="money_move"),
    path("plans/<int:pk>/money/history/", views.money_history, name="money_history"),
    path("plans/<int:pk>/risks/", views.risk_register, name="risk_register"),
    path("plans/<int:pk>/criteria/", views.criteria, name="criteria"),
    path("plans/<int:pk>/criteria/suggested/", views.criteria_defaults, name="criteria_defaults"),
    path("outcomes/<int:pk>/options/", views.appraisal_page, name="appraisal"),
    path("options/<int:pk>/scores/", views.option_scores, name="option_scores"),
    path("options/<int:pk>/decision/", views.option_decision, name="option_decision"),
    path("options/<int:pk>/actions/", views.option_to_actions, name="option_to_actions"),
    path("evidence/<int:pk>/action/", views.gap_to_action, name="gap_to_action"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/history/", views.action_history, name="action_history"),
    path("actions/<int:pk>/delete/", views.action_delete, name="action_delete"),
    path("actions/<int:pk>/updates/", views.update_create, name="update_create"),
    path("actions/<int:pk>/update-form/", views.update_form, name="update_form"),
    path("actions/<int:pk>/updates/live/", views.updates_live, name="updates_live"),
    path("actions/<int:pk>/spend/", views.spend_record, name="spend_record"),
    path("actions/<int:pk>/due-date/", views.due_date_propose, name="due_date_propose"),
    path("due-date-requests/<int:pk>/answer/", views.due_date_answer, name="due_date_answer"),
    path("actions/<int:pk>/close/", views.closure_confirm, name="closure_confirm"),
    path("actions/<int:pk>/return/", views.closure_return, name="closure_return"),
    path("milestones/<int:pk>/done/", views.milestone_toggle, name="milestone_toggle"),
    path("updates/<int:pk>/evidence/", views.evidence_download, name="evidence"),
    *items.crud("criteria", "plans", "criterion"),
    *items.crud("options", "outcomes", "option"),
    *items.crud("milestones", "actions", "milestone"),
    *items.crud("plan-risks", "plans", "plan_risk"),
    *items.crud("effects", "actions", "expected_effect"),
    *items.crud("option-effects", "options", "option_effect"),
    *items.crud("scenarios", "plans", "scenario"),
    *items.crud("contributions", "plans", "contribution"),
    *items.crud("allocations", "plans", "allocation"),
    path("plans/<int:pk>/scenarios/", views.scenarios, name="scenarios"),
    # Issue 24: the plan's frame
    path("plans/<int:pk>/frame/", views.plan_frame, name="plan_frame"),
    path("plans/<int:pk>/frame/history/", views.plan_frame_history, name="plan_frame_history"),
    *items.crud("stakeholders", "plans", "stakeholder"),
    *items.crud("communications", "plans", "communication"),
    path(
        "communications/<int:pk>/action/",
        views.communication_to_action,
        name="communication_to_action",
    ),
    path("plans/<int:pk>/declarations/new/", views.declaration_create, name="declaration_create"),
    path(
        "declarations/<int:pk>/withdraw/", views.declaration_withdraw, name="declaration_withdraw"
    ),
    path("declarations/<int:pk>/exclude/", views.declaration_exclude, name="declaration_exclude"),
]
