"""The API: read a partnership's plans and all that hangs off them; write readings in bulk and
actions' updates. And the pages where a person makes and revokes their access tokens.

Access is the pages' access: a person sees the partnerships they are a member of, and a
token only the one partnership it was made for; anything else answers 404, as an id that
does not exist. Writes ask the same questions as the pages (outcomes.access,
actions.access), and are refused once the plan is archived. Peer reviewers have no API.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action as api_action
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from actions import services as action_services
from actions.access import may_update_action
from actions.models import Action, Milestone, Update
from api import filters, serializers
from api.forms import TokenForm
from api.models import AccessToken
from api.readings import import_items
from api.services import token_create, token_revoke
from improveplan import access, once, security
from improveplan.models import Membership, Organisation, Partnership, Plan, Role, SecurityEvent
from outcomes import readings_io
from outcomes.models import Comparator, Indicator, Outcome, Reading, Target

ID = r"[0-9]{1,18}"  # longer ids are no id: 404 before the database is asked


def exception_handler(exc, context):
    """Django's own refusals answered as the API answers: 400 for a service's ValidationError."""
    if isinstance(exc, DjangoValidationError):
        return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def partnership_ids(request):
    """The partnerships the request may reach: the token's one, or the person's."""
    if isinstance(request.auth, AccessToken):
        return [request.auth.partnership_id]
    return Membership.objects.filter(user=request.user).values("partnership_id")


def membership_for(request, partnership_id: int) -> Membership:
    if isinstance(request.auth, AccessToken):
        return request.auth.membership
    return access.membership_of(request.user, partnership_id)


NOT_FOUND = OpenApiResponse(serializers.ProblemSerializer, description="No such thing for you.")
REFUSED = OpenApiResponse(serializers.ProblemSerializer, description="Your role may not.")


class Scoped(viewsets.ReadOnlyModelViewSet):
    """A list and a detail of one kind of thing, inside the request's partnerships."""

    to_partnership = "partnership"  # the lookup from the model to its partnership
    lookup_value_regex = ID

    def get_queryset(self):
        return self.queryset.filter(**{f"{self.to_partnership}__in": partnership_ids(self.request)})


@extend_schema_view(list=extend_schema(summary="Your partnerships"))
class PartnershipViewSet(Scoped):
    queryset = Partnership.objects.prefetch_related(
        Prefetch("organisations", queryset=Organisation.objects.order_by("name"))
    ).order_by("pk")
    serializer_class = serializers.PartnershipSerializer
    to_partnership = "pk"


@extend_schema_view(list=extend_schema(summary="The plans of your partnerships"))
class PlanViewSet(Scoped):
    queryset = Plan.objects.order_by("pk")
    serializer_class = serializers.PlanSerializer
    filterset_class = filters.PlanFilter

    @extend_schema(
        summary="Add or change readings, all or none",
        description="Each reading is checked as a row of the readings import (the same "
        "columns, values as text, the same rules on periods and values); if any is wrong, "
        "none is saved and every problem is listed. A reading of an indicator, period and "
        "breakdown that is already saved is updated.",
        request=serializers.ReadingsWriteSerializer,
        responses={
            200: serializers.ReadingsSavedSerializer,
            400: serializers.ReadingsRefusedSerializer,
            403: REFUSED,
            404: NOT_FOUND,
        },
    )
    @api_action(detail=True, methods=["post"], url_path="readings", url_name="readings")
    def readings(self, request, pk=None):
        plan = self.get_object()
        membership = membership_for(request, plan.partnership_id)
        if membership.role == Role.BOARD:
            access.refuse(
                request, f"readings of plan {plan.pk} by a board member", plan.partnership_id
            )
            raise PermissionDenied("Board members read the plan; they do not enter readings.")
        access.check_plan_not_archived(request, plan.status, plan.partnership_id, manage=False)
        given = serializers.ReadingsWriteSerializer(data=request.data)
        if not given.is_valid():
            return _readings_refused(_problems(given.errors.get("readings", given.errors)))
        result = import_items(
            plan=plan,
            items=given.validated_data["readings"],
            user=request.user,
            membership=membership,
        )
        if not result.ok:
            return _readings_refused(
                [
                    {"row": error.row, "column": error.column, "message": error.message}
                    for error in result.errors
                ]
            )
        security.record(
            SecurityEvent.Kind.IMPORT,
            request=request,
            user=request.user,
            partnership_id=plan.partnership_id,
            detail=f"By the API. {readings_io.logged_detail(plan, result)}",
        )
        return Response(
            {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        )


def _readings_refused(errors: list[dict]) -> Response:
    return Response(
        {"detail": "Nothing was saved: see each reading's problems.", "errors": errors},
        status=status.HTTP_400_BAD_REQUEST,
    )


def _problems(errors, row: int = 0, column: str = "") -> list[dict]:
    """The serializer's errors as the import's: a row (a reading's place in the list, from 1;
    0 for the request as a whole), a column, a message."""
    if isinstance(errors, dict):
        # A list's errors are keyed by each item's place in it, from 0.
        return [
            problem
            for name, inner in errors.items()
            for problem in (
                _problems(inner, name + 1, column)
                if isinstance(name, int)
                else _problems(inner, row, "" if name == "non_field_errors" else name)
            )
        ]
    if isinstance(errors, list):
        if row == 0 and errors and all(isinstance(item, dict) for item in errors):
            return [
                problem
                for number, item in enumerate(errors, start=1)
                for problem in _problems(item, number, column)
            ]
        return [problem for item in errors for problem in _problems(item, row, column)]
    return [{"row": row, "column": column, "message": str(errors)}]


class OutcomeViewSet(Scoped):
    queryset = Outcome.objects.order_by("pk")
    serializer_class = serializers.OutcomeSerializer
    filterset_class = filters.OutcomeFilter
    to_partnership = "plan__partnership"


class IndicatorViewSet(Scoped):
    queryset = Indicator.objects.order_by("pk")
    serializer_class = serializers.IndicatorSerializer
    filterset_class = filters.IndicatorFilter
    to_partnership = "plan__partnership"


class ReadingViewSet(Scoped):
    queryset = Reading.objects.order_by("pk")
    serializer_class = serializers.ReadingSerializer
    filterset_class = filters.ReadingFilter
    to_partnership = "indicator__plan__partnership"


class TargetViewSet(Scoped):
    queryset = Target.objects.order_by("pk")
    serializer_class = serializers.TargetSerializer
    filterset_class = filters.TargetFilter
    to_partnership = "indicator__plan__partnership"


class ComparatorViewSet(Scoped):
    queryset = Comparator.objects.prefetch_related("readings").order_by("pk")
    serializer_class = serializers.ComparatorSerializer
    filterset_class = filters.ComparatorFilter
    to_partnership = "indicator__plan__partnership"


class ActionViewSet(Scoped):
    queryset = (
        Action.objects.select_related("owner")
        .prefetch_related("outcomes", "supporting_organisations")
        .order_by("pk")
    )
    serializer_class = serializers.ActionSerializer
    filterset_class = filters.ActionFilter
    to_partnership = "plan__partnership"

    @extend_schema(
        summary="Post an update to an action",
        description="The same as the action's update form: status, progress and what has "
        "happened; marking it complete needs the evidence of completion and the lessons "
        "learned. Recorded as yours.",
        request=serializers.UpdateWriteSerializer,
        responses={
            201: serializers.UpdateSerializer,
            400: OpenApiResponse(description="What is wrong with each field."),
            403: REFUSED,
            404: NOT_FOUND,
            409: OpenApiResponse(
                serializers.ProblemSerializer,
                description="The action takes no update now (closed, or its period closed), "
                "or the same update was just posted.",
            ),
        },
    )
    @api_action(detail=True, methods=["post"], url_path="updates", url_name="updates")
    def updates(self, request, pk=None):
        action = self.get_object()
        partnership_id = action.plan.partnership_id
        membership = membership_for(request, partnership_id)
        if not may_update_action(membership, action):
            access.refuse(request, f"updating action {action.pk}", partnership_id)
            raise PermissionDenied(
                "Only leads, and partners from the organisations that lead or support this "
                "action, may update it."
            )
        access.check_plan_not_archived(request, action.plan.status, partnership_id, manage=False)
        given = serializers.UpdateWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        if refusal := action_services.update_refusal(action, today=timezone.localdate()):
            return Response({"detail": refusal}, status=status.HTTP_409_CONFLICT)
        try:
            update = action_services.update_post(
                action=action, author=request.user, **given.validated_data
            )
        except action_services.AlreadyPosted:
            return Response(
                {"detail": "The same update was posted a moment ago; it is saved once."},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(serializers.UpdateSerializer(update).data, status=status.HTTP_201_CREATED)


class MilestoneViewSet(Scoped):
    queryset = Milestone.objects.order_by("pk")
    serializer_class = serializers.MilestoneSerializer
    filterset_class = filters.MilestoneFilter
    to_partnership = "action__plan__partnership"


class UpdateViewSet(Scoped):
    queryset = Update.objects.select_related("author").order_by("pk")
    serializer_class = serializers.UpdateSerializer
    filterset_class = filters.UpdateFilter
    to_partnership = "action__plan__partnership"


# The tokens' pages --------------------------------------------------------------------------

# The session keeps a new token's secret until its page shows it, once.
NEW_TOKEN = "api.new_token"  # noqa: S105


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """The person's tokens, a form to make one, and a new token's secret, shown once."""
    memberships = Membership.objects.filter(user=request.user).select_related("partnership")
    form = TokenForm(request.POST or None, memberships=memberships)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = once.save_once(
                request,
                lambda: token_create(
                    user=request.user,
                    partnership=form.cleaned_data["partnership"],
                    name=form.cleaned_data["name"],
                    scope=form.cleaned_data["scope"],
                    days=int(form.cleaned_data["days"]),
                    request=request,
                ),
            )
        except once.AlreadySaved:
            messages.info(request, "That token was made already; its secret was shown once.")
            return redirect("api:tokens")
        request.session[NEW_TOKEN] = {"pk": token.pk, "secret": raw}
        return redirect("api:tokens")
    new = request.session.pop(NEW_TOKEN, None)
    listed = AccessToken.objects.filter(user=request.user).select_related("partnership")
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "tokens": listed,
            "new_token": new,
            "now": timezone.now(),
            "has_memberships": memberships.exists(),
        },
        status=422 if form.is_bound else 200,
    )


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Only the token's own person may revoke it; anyone else's id is 404."""
    token = get_object_or_404(AccessToken.objects.filter(user=request.user), pk=pk)
    if token_revoke(token=token, request=request):
        messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    else:
        messages.info(request, f"The token “{token.name}” was already revoked.")
    return redirect("api:tokens")
