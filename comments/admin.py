from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from comments.models import Comment


@admin.register(Comment)
class CommentAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "plan", "created_at", "hidden_at"]
    list_filter = ["hidden_at"]
    search_fields = ["text"]
    raw_id_fields = ["plan", "outcome", "indicator", "action", "review", "parent", "author"]
    readonly_fields = ["created_at", "edited_at", "hidden_at", "hidden_by"]
    filter_horizontal = ["mentioned"]
