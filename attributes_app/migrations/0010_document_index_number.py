"""The 索引号 of published documents: the column, the counter per agency and year, and the
numbers of the documents already published, given in the order of their publication."""

import sys

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from workflow import index_numbers

PROGRESS_EVERY = 1000


def number_published_documents(apps, schema_editor):
    Agency = apps.get_model("workflow", "Agency")
    Document = apps.get_model("attributes_app", "Document")
    Counter = apps.get_model("attributes_app", "IndexNumberCounter")
    done = 0
    for agency in Agency.objects.order_by("pk").iterator():
        scheme = agency.index_number_scheme
        yearly = index_numbers.uses_year(scheme)
        counters: dict[int, int] = {}
        published = (
            Document.objects.filter(
                agency=agency,
                attribute_state="published",
                index_number="",
                publication__published_on__isnull=False,
            )
            .order_by("publication__published_on", "publication__pk")
            .values_list("pk", "publication__published_on")
        )
        for pk, published_on in published.iterator():
            key = published_on.year if yearly else 0
            counters[key] = counters.get(key, 0) + 1
            number = index_numbers.format_number(
                scheme, agency_code=agency.code, year=published_on.year, sequence=counters[key]
            )
            Document.objects.filter(pk=pk).update(index_number=number)
            done += 1
            if done % PROGRESS_EVERY == 0:
                sys.stdout.write(f"  索引号：已编排 {done} 件\n")
        for year, last in counters.items():
            Counter.objects.create(agency=agency, year=year, last=last)
    if done:
        sys.stdout.write(f"  索引号：共为 {done} 件已公开的文件编排了索引号\n")


class Migration(migrations.Migration):
    dependencies = [
        ("attributes_app", "0009_catalogue_standard_columns_and_versions"),
        ("workflow", "0018_agency_index_number_scheme"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="IndexNumberCounter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField()),
                ("last", models.PositiveIntegerField(default=0)),
            ],
            options={
                "verbose_name": "索引号计数",
                "verbose_name_plural": "索引号计数",
            },
        ),
        migrations.AddField(
            model_name="document",
            name="index_number",
            field=models.CharField(
                blank=True, editable=False, max_length=100, verbose_name="索引号"
            ),
        ),
        migrations.AddConstraint(
            model_name="document",
            constraint=models.UniqueConstraint(
                condition=models.Q(("index_number", ""), _negated=True),
                fields=("agency", "index_number"),
                name="document_index_number_unique",
                violation_error_message="本机关已有使用该索引号的文件。",
            ),
        ),
        migrations.AddField(
            model_name="indexnumbercounter",
            name="agency",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="workflow.agency"
            ),
        ),
        migrations.AddConstraint(
            model_name="indexnumbercounter",
            constraint=models.UniqueConstraint(
                fields=("agency", "year"), name="index_number_counter_unique"
            ),
        ),
        migrations.RunPython(number_published_documents, migrations.RunPython.noop),
    ]
