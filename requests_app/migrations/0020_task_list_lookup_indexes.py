from django.db import migrations

# The task lists join task → process → case through the process's artifact key, an integer
# column, while the case's id is a bigint: PostgreSQL compares ``case.id::integer``, which the
# primary key cannot answer. For a list that starts from the user's tasks (a big inbox: the
# database counts the first thousand of them) each task's case is looked up by that expression;
# with the case's agency in the index, the agency check needs no visit to the table. SQLite
# compares the columns as they are and needs no such index.
CASE_BY_ARTIFACT_KEY = (
    "CREATE INDEX IF NOT EXISTS request_artifact_key_idx"
    " ON requests_app_informationrequest ((CAST(id AS integer)), agency_id)"
)
DROP_CASE_BY_ARTIFACT_KEY = "DROP INDEX IF EXISTS request_artifact_key_idx"

# 已办 and its count in the menu: the user's finished tasks, newest first. viewflow's owner index
# holds every task the user ever had, open or done; this one holds only the done ones.
DONE_TASK_INDEX = (
    "CREATE INDEX IF NOT EXISTS gk_task_done_idx"
    " ON viewflow_task (owner_id, finished) WHERE finished IS NOT NULL"
)
DROP_DONE_TASK_INDEX = "DROP INDEX IF EXISTS gk_task_done_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CASE_BY_ARTIFACT_KEY)
        # The planner knows the expression's values only once the table is analysed.
        schema_editor.execute("ANALYZE requests_app_informationrequest")
    schema_editor.execute(DONE_TASK_INDEX)


def drop(apps, schema_editor):
    schema_editor.execute(DROP_CASE_BY_ARTIFACT_KEY)
    schema_editor.execute(DROP_DONE_TASK_INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("viewflow", "0015_task_scheduled"),
        ("requests_app", "0019_request_concluded_outcome"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
