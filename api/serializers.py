"""What the API says of each thing: the fields its pages show members, read only, except the
two kinds of write (readings in bulk, an action's update)."""

from __future__ import annotations

from rest_framework import serializers

from actions.forms import UpdateForm
from actions.models import Action, Milestone, Update
from improveplan.models import Organisation, Partnership, Plan
from outcomes import readings_io
from outcomes.models import Comparator, ComparatorReading, Indicator, Outcome, Reading, Target


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "kind"]


class PartnershipSerializer(serializers.ModelSerializer):
    organisations = OrganisationSerializer(many=True, read_only=True)

    class Meta:
        model = Partnership
        fields = ["id", "name", "description", "organisations"]


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = [
            "id",
            "partnership",
            "title",
            "period_start",
            "period_end",
            "vision",
            "method",
            "status",
            "created_at",
            "updated_at",
        ]


class OutcomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outcome
        fields = [
            "id",
            "plan",
            "statement",
            "why_it_matters",
            "priority",
            "target_groups",
            "places",
        ]


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "id",
            "plan",
            "outcome",
            "code",
            "name",
            "definition",
            "kind",
            "unit",
            "rate_per",
            "direction",
            "frequency",
            "source",
            "owner",
            "minimum",
            "maximum",
        ]


READING_FIELDS = [
    "period_start",
    "period",
    "period_label",
    "value",
    "suppression_mark",
    "lower",
    "upper",
    "confidence_level",
    "count",
    "denominator",
    "value_note",
    "series_break",
    "breakdown",
]


class ReadingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reading
        fields = ["id", "indicator", *READING_FIELDS, "source_note", "entered_at"]


class TargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Target
        fields = [
            "id",
            "indicator",
            "kind",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_date",
        ]


class ComparatorReadingSerializer(serializers.ModelSerializer):
    class Meta:
        model = ComparatorReading
        fields = ["id", *(name for name in READING_FIELDS if hasattr(ComparatorReading, name))]


class ComparatorSerializer(serializers.ModelSerializer):
    readings = ComparatorReadingSerializer(many=True, read_only=True)

    class Meta:
        model = Comparator
        fields = ["id", "indicator", "name", "kind", "area_code", "readings"]


class ActionSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.full_name", default="", read_only=True)

    class Meta:
        model = Action
        fields = [
            "id",
            "plan",
            "reference",
            "title",
            "description",
            "outcomes",
            "lead_organisation",
            "owner",
            "owner_name",
            "supporting_organisations",
            "start",
            "due",
            "term",
            "status",
            "progress",
            "closure",
            "success_indicator",
            "created_at",
            "updated_at",
        ]


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "action", "title", "due", "done", "done_at"]


class UpdateSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.full_name", default="", read_only=True)
    has_evidence_file = serializers.SerializerMethodField()

    class Meta:
        model = Update
        fields = [
            "id",
            "action",
            "author",
            "author_name",
            "created_at",
            "status",
            "progress",
            "note",
            "evidence_link",
            "has_evidence_file",
        ]

    def get_has_evidence_file(self, update: Update) -> bool:
        return bool(update.evidence_file)


# Writes -----------------------------------------------------------------------------------

MAX_READINGS = 10_000  # in one request; a larger batch goes as a file to the import page


def _reading_item_fields() -> dict:
    """A reading as the import takes it: every column as text, as a file would have it."""
    fields = {}
    for name in readings_io.COLUMNS:
        fields[name] = serializers.CharField(
            max_length=400,
            required=name in readings_io.REQUIRED,
            allow_blank=name not in readings_io.REQUIRED,
            trim_whitespace=False,
        )
    return fields


ReadingItemSerializer = type(
    "ReadingItemSerializer", (serializers.Serializer,), _reading_item_fields()
)


class ReadingsWriteSerializer(serializers.Serializer):
    readings = ReadingItemSerializer(many=True, allow_empty=False, max_length=MAX_READINGS)


class ReadingsSavedSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The reading's place in the list, from 1; 0: all.")
    column = serializers.CharField(help_text="The field it concerns; empty for the whole reading.")
    message = serializers.CharField()


class ReadingsRefusedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = RowErrorSerializer(many=True)


class UpdateWriteSerializer(serializers.Serializer):
    """An action's update, checked by the same form as the update page (actions.forms)."""

    status = serializers.ChoiceField(choices=Action.Status.choices)
    progress = serializers.IntegerField(min_value=0, max_value=100)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    evidence_link = serializers.URLField(max_length=200, required=False, allow_blank=True)
    completion_evidence = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    lessons_learned = serializers.CharField(max_length=5000, required=False, allow_blank=True)

    def validate(self, attrs: dict) -> dict:
        form = UpdateForm(dict(attrs))
        if not form.is_valid():
            raise serializers.ValidationError(
                {
                    ("non_field_errors" if name == "__all__" else name): list(errors)
                    for name, errors in form.errors.items()
                }
            )
        return {name: form.cleaned_data[name] for name in self.fields}


class ProblemSerializer(serializers.Serializer):
    detail = serializers.CharField()
