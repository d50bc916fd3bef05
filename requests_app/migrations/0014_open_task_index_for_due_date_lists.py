from django.db import migrations

# The inbox and the queue sort by the case's due date: the database walks the cases in that order
# (request_agency_due_idx) and, for each, looks for the open human tasks of its process. This
# partial index holds only those tasks (a process keeps every task it ever had), with the
# columns that say whose inbox or which role's queue a task is in.
OPEN_TASK_INDEX = (
    "CREATE INDEX IF NOT EXISTS gk_task_open_idx"
    " ON viewflow_task (process_id, status, owner_id, owner_permission)"
    " WHERE flow_task_type = 'HUMAN' AND status IN ('NEW', 'ASSIGNED')"
)
DROP_OPEN_TASK_INDEX = "DROP INDEX IF EXISTS gk_task_open_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("viewflow", "0015_task_scheduled"),
        ("requests_app", "0013_notice_service"),
    ]

    operations = [migrations.RunSQL(OPEN_TASK_INDEX, DROP_OPEN_TASK_INDEX)]
