from __future__ import annotations

from django.contrib import admin, messages

from reviews import services
from reviews.models import DigestClaim


@admin.register(DigestClaim)
class DigestClaimAdmin(admin.ModelAdmin):
    """Which reminder emails went, and which did not and why; failed ones can be sent again
    once the cause is fixed (as `send_reminders --retry-failed DATE` does for a day)."""

    list_display = ["day", "user", "key", "status", "attempts", "claimed_at", "sent_at"]
    list_filter = ["status", "day", "key"]
    search_fields = ["user__email", "last_error"]
    list_select_related = ["user"]
    date_hierarchy = "day"
    actions = ["send_again"]
    readonly_fields = [field.name for field in DigestClaim._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Send the failed ones again", permissions=["view"])
    def send_again(self, request, queryset) -> None:
        result = services.digests_send_again(queryset)
        if result.not_queued:
            self.message_user(request, result.queue_error, messages.WARNING)
        self.message_user(
            request,
            f"{result.held} failed reminder email{'s' * (result.held != 1)} queued to be sent "
            "again. Only failed ones are sent; those with delivery uncertain are not.",
        )
