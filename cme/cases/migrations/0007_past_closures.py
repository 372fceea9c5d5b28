"""Past closures: the closures later undone by reopening, kept as rows so that the DfE return can
tell a reopened case's closed days without reading every case's timeline.

The rows are worked out once from the timeline (a closure followed by a stage move is a closure
undone on the day of that move); then the partial index on stage moves, which only the old way of
counting read, is dropped.
"""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.utils import timezone

BATCH = 5_000


def fill_past_closures(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    case_event = apps.get_model("cases", "CaseEvent")
    past_closure = apps.get_model("cases", "PastClosure")
    reopened_cases = case_event.objects.filter(kind="closed").values("case_id")
    moves = (
        case_event.objects.filter(kind__in=["closed", "stage"], case_id__in=reopened_cases)
        # Backwards along the partial index on stage moves (case, -occurred_at, -id).
        .order_by("-case_id", "occurred_at", "id")
        .values_list("case_id", "kind", "occurred_at")
    )
    batch = []
    case_id, closed_on = None, None
    for move_case, kind, occurred_at in moves.iterator(chunk_size=BATCH):
        if move_case != case_id:
            case_id, closed_on = move_case, None
        day = timezone.localtime(occurred_at).date()
        if kind == "closed":
            closed_on = day
        elif closed_on is not None:
            batch.append(past_closure(case_id=case_id, closed_on=closed_on, reopened_on=day))
            closed_on = None
        if len(batch) >= BATCH:
            past_closure.objects.bulk_create(batch)
            batch = []
    past_closure.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_index_stage_moves_for_the_dfe_return"),
    ]

    operations = [
        migrations.CreateModel(
            name="PastClosure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("closed_on", models.DateField()),
                ("reopened_on", models.DateField()),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE,
                        related_name="past_closures",
                        to="cases.case",
                    ),
                ),
            ],
            options={
                "ordering": ["closed_on", "pk"],
            },
        ),
        migrations.RunPython(fill_past_closures, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="caseevent", name="case_event_move_idx"),
    ]
