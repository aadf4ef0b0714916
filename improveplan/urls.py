from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from improveplan import oidc, two_factor, views
from improveplan.forms import SignInForm
from improveplan.shell import views as shell

core_patterns = [
    path("", shell.home, name="home"),
    path("partnerships/<int:pk>/", views.partnership_detail, name="partnership"),
    path(
        "partnerships/<int:pk>/organisations/new/",
        views.organisation_create,
        name="organisation_create",
    ),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path(
        "partnerships/<int:pk>/invitations/new/",
        views.invitation_create,
        name="invitation_create",
    ),
    path("invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("invitations/<int:pk>/cancel/", views.invitation_cancel, name="invitation_cancel"),
    path("join/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("members/<int:pk>/edit/", views.membership_edit, name="membership_edit"),
    path("members/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
    path("partnerships/<int:pk>/plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", shell.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/history/", views.plan_history, name="plan_history"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("plans/<int:pk>/agree/", shell.plan_agree, name="plan_agree"),
    path("plans/<int:pk>/archive/", views.plan_archive, name="plan_archive"),
    path("plans/<int:pk>/reopen/", views.plan_reopen, name="plan_reopen"),
    path("plans/<int:pk>/versions/", shell.plan_versions, name="plan_versions"),
    path("plans/<int:pk>/sign-up/", shell.plan_sign_up, name="plan_sign_up"),
    path("plans/<int:pk>/versions/<int:number>/", shell.plan_version, name="plan_version"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path(
        "partnerships/<int:pk>/two-factor/",
        two_factor.partnership_requirement,
        name="two_factor_requirement",
    ),
]

account_patterns = [
    path(
        "sign-in/",
        oidc.SignInPage.as_view(authentication_form=SignInForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # Issue 23: two-factor sign-in, and signing in through one's organisation
    path("two-factor/", two_factor.overview, name="two_factor"),
    path("two-factor/set-up/", two_factor.set_up, name="two_factor_set_up"),
    path("two-factor/verify/", two_factor.verify, name="two_factor_verify"),
    path("two-factor/recovery-codes/", two_factor.new_codes, name="two_factor_new_codes"),
    path("two-factor/turn-off/", two_factor.turn_off, name="two_factor_turn_off"),
    path("sso/start/", oidc.Start.as_view(), name="oidc_authentication_init"),
    path("sso/return/", oidc.Return.as_view(), name="oidc_authentication_callback"),
]

urlpatterns = [
    path("", include((core_patterns, "improveplan"))),
    path("", include("outcomes.urls")),
    path("", include("actions.urls")),
    path("", include("reviews.urls")),
    path("", include("reports.urls")),
    path("", include("methods.urls")),
    path("", include("comments.urls")),
    path("", include("publishing.urls")),
    path("", include("api.urls")),
    path("account/", include(account_patterns)),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
    path("admin/", admin.site.urls),
]
