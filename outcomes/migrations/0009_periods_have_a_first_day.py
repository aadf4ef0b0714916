"""Readings kept only their period's last day; each now has its first day too.

The first day follows from the indicator's frequency (a quarterly reading ending 31 March began
on 1 January), so an existing reading keeps its meaning. The history's rows get the same.
"""

from django.db import migrations, models

from outcomes.periods import start_for

BATCH = 2_000


def fill(model, frequency_of, indicator_id_of):
    batch = []
    for row in model.objects.filter(period_start__isnull=True).iterator(chunk_size=BATCH):
        row.period_start = start_for(row.period, frequency_of.get(indicator_id_of(row), "annual"))
        batch.append(row)
        if len(batch) == BATCH:
            model.objects.bulk_update(batch, ["period_start"])
            batch = []
    if batch:
        model.objects.bulk_update(batch, ["period_start"])


def give_periods_a_first_day(apps, schema_editor):
    Indicator = apps.get_model("outcomes", "Indicator")
    Comparator = apps.get_model("outcomes", "Comparator")
    frequency_of = dict(Indicator.objects.values_list("pk", "frequency"))
    indicator_of_comparator = dict(Comparator.objects.values_list("pk", "indicator_id"))
    fill(apps.get_model("outcomes", "Reading"), frequency_of, lambda r: r.indicator_id)
    fill(apps.get_model("outcomes", "HistoricalReading"), frequency_of, lambda r: r.indicator_id)
    fill(
        apps.get_model("outcomes", "ComparatorReading"),
        frequency_of,
        lambda r: indicator_of_comparator.get(r.comparator_id),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0008_periods_limits_and_suppression"),
    ]

    operations = [
        migrations.RunPython(give_periods_a_first_day, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="comparatorreading",
            name="period_start",
            field=models.DateField(help_text="The first day of the period the value describes."),
        ),
        migrations.AlterField(
            model_name="historicalreading",
            name="period_start",
            field=models.DateField(help_text="The first day of the period the value describes."),
        ),
        migrations.AlterField(
            model_name="reading",
            name="period_start",
            field=models.DateField(help_text="The first day of the period the value describes."),
        ),
    ]
