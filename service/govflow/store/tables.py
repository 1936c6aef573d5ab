"""The relational schema, as SQLAlchemy Core tables.

Core rather than ORM on purpose: a step writes a handful of rows by primary key and the
hot path cannot afford identity-map bookkeeping. Alembic migrations mirror this file.
"""

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

TS = sa.DateTime(timezone=True)

tenants = sa.Table(
    "tenants",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    # No foreign key: diagram_sets references tenants, and the cycle buys nothing.
    sa.Column("active_set_id", sa.Integer, nullable=True),
    sa.Column("created_at", TS, nullable=False),
)

diagram_sets = sa.Table(
    "diagram_sets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant_id", sa.String(64), sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("main_process_id", sa.String(200), nullable=False),
    # JSON list of {"id", "name", "file"} and of decision ids: read by listings without parsing.
    sa.Column("processes", sa.Text, nullable=False),
    sa.Column("decisions", sa.Text, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", TS, nullable=False),
    sa.UniqueConstraint("tenant_id", "content_hash", name="uq_diagram_sets_tenant_hash"),
    sa.UniqueConstraint("tenant_id", "version", name="uq_diagram_sets_tenant_version"),
)

diagram_files = sa.Table(
    "diagram_files",
    metadata,
    sa.Column("set_id", sa.Integer, sa.ForeignKey("diagram_sets.id"), primary_key=True),
    sa.Column("name", sa.String(300), primary_key=True),
    sa.Column("content", sa.LargeBinary, nullable=False),
)

process_instances = sa.Table(
    "process_instances",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("tenant_id", sa.String(64), sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("diagram_set_id", sa.Integer, sa.ForeignKey("diagram_sets.id"), nullable=False),
    sa.Column("process_id", sa.String(200), nullable=False),
    sa.Column("business_key", sa.String(200), nullable=True),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("outcome", sa.String(50), nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    # Optimistic locking: every command bumps it in `UPDATE ... WHERE version = :seen`.
    sa.Column("version", sa.Integer, nullable=False),
    # Row storage bypasses SpiffWorkflow's own migrations: record what wrote the rows.
    sa.Column("serializer_version", sa.String(40), nullable=False),
    sa.Column("started_by", sa.String(200), nullable=False),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("updated_at", TS, nullable=False),
    sa.Column("ended_at", TS, nullable=True),
    # What lists show for the instance: the variable its process's label_variable names.
    sa.Column("label", sa.String(200), nullable=True),
    sa.Index("ix_process_instances_tenant_state", "tenant_id", "state"),
    sa.Index("ix_process_instances_business_key", "business_key"),
    # Listings sort by (created_at, id), newest first: one index per filter they lead with.
    sa.Index("ix_process_instances_created", "created_at", "id"),
    sa.Index("ix_process_instances_tenant_created", "tenant_id", "created_at", "id"),
    sa.Index("ix_process_instances_tenant_state_created", "tenant_id", "state", "created_at",
             "id"),
    # Room in each page for the version bump of every step as a HOT update (revision 0014).
    postgresql_with={"fillfactor": 85},
)

# One row per SpiffWorkflow task, and one per (sub)workflow: a step rewrites only the rows
# whose serialized form changed, so its cost does not grow with the instance's length.
engine_rows = sa.Table(
    "engine_rows",
    metadata,
    sa.Column("instance_id", sa.String(36), sa.ForeignKey("process_instances.id"),
              primary_key=True),
    sa.Column("row_id", sa.String(80), primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("hash", sa.String(32), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    # Room in each page: the rows a step rewrites are updated in place (HOT) and their dead
    # versions pruned from the page, without new index entries or VACUUM (revision 0014).
    postgresql_with={"fillfactor": 85},
)

variables = sa.Table(
    "variables",
    metadata,
    sa.Column("instance_id", sa.String(36), sa.ForeignKey("process_instances.id"),
              primary_key=True),
    sa.Column("name", sa.String(200), primary_key=True),
    # Canonical JSON (sorted keys, no spaces) so correlation can compare text.
    sa.Column("value", sa.Text, nullable=False),
    postgresql_with={"fillfactor": 85},  # changed variables updated in place (revision 0014)
)

tasks = sa.Table(
    "tasks",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("instance_id", sa.String(36), sa.ForeignKey("process_instances.id"),
              nullable=False),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("diagram_set_id", sa.Integer, nullable=False),
    sa.Column("process_id", sa.String(200), nullable=False),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("name", sa.String(300), nullable=True),
    sa.Column("lane", sa.String(200), nullable=True),
    sa.Column("candidate_groups", sa.Text, nullable=False),
    sa.Column("assignee", sa.String(200), nullable=True),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("clause", sa.Text, nullable=True),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("due_at", TS, nullable=True),
    # The due date falls in a year whose official holiday arrangement is not known yet.
    sa.Column("due_estimated", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("completed_at", TS, nullable=True),
    sa.Column("completed_by", sa.String(200), nullable=True),
    sa.Column("data", sa.Text, nullable=True),
    # JSON list of the users who may work on it (camunda:candidateUsers), resolved when it
    # became ready; queryable in task_candidate_users. NULL: none named.
    sa.Column("candidate_users", sa.Text, nullable=True),
    sa.Column("slot", sa.Integer, nullable=True),  # its index in a multi-instance task
    # Task operations (taskops/): delegation (Camunda's owner and DelegationState: 'pending'
    # while the delegate has it, 'resolved' once given back), the delegate's values (JSON),
    # and urging.
    sa.Column("owner", sa.String(200), nullable=True),
    sa.Column("delegation_state", sa.String(20), nullable=True),
    sa.Column("draft", sa.Text, nullable=True),
    sa.Column("urged_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_urged_at", TS, nullable=True),
    sa.Index("ix_tasks_instance", "instance_id"),
    sa.Index("ix_tasks_assignee", "assignee"),
    sa.Index("ix_tasks_due_at", "due_at"),
    # The inbox sorts by (created_at, id) or (due_at, id) after filtering by tenant and state:
    # an index per shape walks the page in order and stops, whatever the history's size.
    sa.Index("ix_tasks_created", "created_at", "id"),
    sa.Index("ix_tasks_state_created", "state", "created_at", "id"),
    sa.Index("ix_tasks_tenant_state_created", "tenant_id", "state", "created_at", "id"),
    sa.Index("ix_tasks_tenant_state_due", "tenant_id", "state", "due_at", "id"),
    sa.Index("ix_tasks_tenant_created", "tenant_id", "created_at", "id"),
    # Overdue is a question about ready tasks only: completed history never enters it.
    sa.Index("ix_tasks_ready_due", "due_at", "id", postgresql_where=sa.text("state = 'ready'"),
             sqlite_where=sa.text("state = 'ready'")),
)

task_candidates = sa.Table(
    "task_candidates",
    metadata,
    sa.Column("task_id", sa.String(36), sa.ForeignKey("tasks.id"), primary_key=True),
    sa.Column("group_name", sa.String(100), primary_key=True),
    sa.Index("ix_task_candidates_group", "group_name"),
)

task_candidate_users = sa.Table(
    "task_candidate_users",
    metadata,
    sa.Column("task_id", sa.String(36), sa.ForeignKey("tasks.id"), primary_key=True),
    sa.Column("user_name", sa.String(100), primary_key=True),
    sa.Index("ix_task_candidate_users_user", "user_name"),
)

message_subscriptions = sa.Table(
    "message_subscriptions",
    metadata,
    sa.Column("instance_id", sa.String(36), sa.ForeignKey("process_instances.id"),
              primary_key=True),
    sa.Column("task_id", sa.String(36), primary_key=True),
    sa.Column("message_name", sa.String(200), primary_key=True),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Index("ix_message_subscriptions_tenant_name", "tenant_id", "message_name"),
)

# One row per waiting timer: the worker's queue (SELECT ... FOR UPDATE SKIP LOCKED).
timers = sa.Table(
    "timers",
    metadata,
    sa.Column("instance_id", sa.String(36), sa.ForeignKey("process_instances.id"),
              primary_key=True),
    sa.Column("task_id", sa.String(36), primary_key=True),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("due_at", TS, nullable=False),
    # The waiting element (an event-based gateway for the timers it races), for incidents.
    sa.Column("element_id", sa.String(200), nullable=True),
    # Firing failed this many times since it last fired or an admin resumed the instance;
    # the worker tries again at next_attempt_at, or never (NULL) once retries ran out.
    sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", TS, nullable=True),
    sa.Index("ix_timers_due_at", "due_at"),
)

history = sa.Table(
    "history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("instance_id", sa.String(36), sa.ForeignKey("process_instances.id"),
              nullable=False),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("at", TS, nullable=False),
    sa.Column("actor", sa.String(200), nullable=True),
    sa.Column("event", sa.String(40), nullable=False),
    sa.Column("element_id", sa.String(200), nullable=True),
    sa.Column("element_name", sa.String(300), nullable=True),
    sa.Column("task_id", sa.String(36), nullable=True),
    sa.Column("data", sa.Text, nullable=True),
    sa.Index("ix_history_instance", "instance_id", "id"),
)

# One row per calendar year whose holiday arrangement an admin loaded or corrected: replaces
# the ``holidays`` package's data for that year (see calendar/workdays.py).
calendar_years = sa.Table(
    "calendar_years",
    metadata,
    # Never a sequence: the year is the key.
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    # JSON lists of ISO dates, sorted.
    sa.Column("days_off", sa.Text, nullable=False),
    sa.Column("make_up_workdays", sa.Text, nullable=False),
    # The notice it transcribes, e.g. 国办发明电〔2025〕7号.
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("loaded_by", sa.String(200), nullable=False),
    sa.Column("loaded_at", TS, nullable=False),
)

# One row per ready external task (docs/external-tasks.md): the queue workers fetch from
# (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL), deleted once it is completed or
# cancelled. A lock is (worker_id, locked_by, lock_expires_at); after a failure with retries
# left, lock_expires_at without a worker is when it may be fetched again.
external_tasks = sa.Table(
    "external_tasks",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("instance_id", sa.String(36), sa.ForeignKey("process_instances.id"),
              nullable=False),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("process_id", sa.String(200), nullable=False),
    sa.Column("element_id", sa.String(200), nullable=False),
    sa.Column("element_name", sa.String(300), nullable=True),
    sa.Column("topic", sa.String(200), nullable=False),
    sa.Column("priority", sa.Integer, nullable=False, server_default="0"),
    # JSON list of the variable names a worker may set (the element's ``outputs``).
    sa.Column("outputs", sa.Text, nullable=False),
    sa.Column("worker_id", sa.String(200), nullable=True),
    sa.Column("locked_by", sa.String(200), nullable=True),  # the token's user
    sa.Column("lock_expires_at", TS, nullable=True),
    # NULL until a worker reports a failure; 0: an incident, never fetched until reset.
    sa.Column("retries", sa.Integer, nullable=True),
    sa.Column("error_message", sa.Text, nullable=True),
    sa.Column("error_details", sa.Text, nullable=True),
    sa.Column("created_at", TS, nullable=False),
    sa.Index("ix_external_tasks_fetch", "tenant_id", "topic", "priority", "created_at"),
    sa.Index("ix_external_tasks_instance", "instance_id"),
)

# A diagram-set swap applied to running instances (docs/migration.md): the plan, and one
# item per instance, each moved in a transaction of its own, so a batch resumes after a crash.
migration_batches = sa.Table(
    "migration_batches",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("tenant_id", sa.String(64), sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("source_set_id", sa.Integer, sa.ForeignKey("diagram_sets.id"), nullable=False),
    sa.Column("target_set_id", sa.Integer, sa.ForeignKey("diagram_sets.id"), nullable=False),
    # JSON: element_map, variable_map, due_dates.
    sa.Column("plan", sa.Text, nullable=False),
    # running | done
    sa.Column("state", sa.String(20), nullable=False),
    # The batch this one undoes (POST .../rollback), and the one that undid this.
    sa.Column("rollback_of", sa.String(36), nullable=True),
    sa.Column("rolled_back_by", sa.String(36), nullable=True),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", TS, nullable=False),
    sa.Column("finished_at", TS, nullable=True),
    sa.Index("ix_migration_batches_tenant_created", "tenant_id", "created_at"),
)

migration_items = sa.Table(
    "migration_items",
    metadata,
    sa.Column("batch_id", sa.String(36), sa.ForeignKey("migration_batches.id"),
              primary_key=True),
    sa.Column("instance_id", sa.String(36), sa.ForeignKey("process_instances.id"),
              primary_key=True),
    # Work order within the batch.
    sa.Column("seq", sa.Integer, nullable=False),
    # pending | migrated | refused | failed
    sa.Column("state", sa.String(20), nullable=False),
    # JSON: moves, warnings, refusals or the error.
    sa.Column("detail", sa.Text, nullable=True),
    sa.Column("updated_at", TS, nullable=True),
    sa.Index("ix_migration_items_batch_state", "batch_id", "state", "seq"),
)

# A tenant's webhook: where its change feed is POSTed (docs/frontend.md, feed/).
webhooks = sa.Table(
    "webhooks",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("tenant_id", sa.String(64), sa.ForeignKey("tenants.id"), nullable=False),
    sa.Column("url", sa.String(2000), nullable=False),
    # JSON list of event kinds it wants; null: all of them.
    sa.Column("kinds", sa.Text, nullable=True),
    # HMAC-SHA256 key of its deliveries' signatures (shown once, at creation).
    sa.Column("secret", sa.String(100), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", TS, nullable=False),
    sa.Index("ix_webhooks_tenant", "tenant_id"),
)

# One row per (webhook, event) to deliver, written in the transaction of the change itself:
# a rolled-back change has none, a committed one is never lost.
webhook_outbox = sa.Table(
    "webhook_outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("webhook_id", sa.String(36), nullable=False),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("event", sa.String(40), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    # pending | delivered | failed
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    # When a worker may (next) try it; a claim moves it a lease ahead.
    sa.Column("next_at", TS, nullable=False),
    sa.Column("created_at", TS, nullable=False),
    sa.Index("ix_webhook_outbox_state_next", "state", "next_at"),
    sa.Index("ix_webhook_outbox_webhook", "webhook_id"),
)

# Every delivery attempt, for GET .../webhooks/{id}/deliveries.
webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("webhook_id", sa.String(36), nullable=False),
    sa.Column("outbox_id", sa.Integer, nullable=False),
    sa.Column("event", sa.String(40), nullable=False),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("status_code", sa.Integer, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    # delivered | retrying | failed
    sa.Column("outcome", sa.String(20), nullable=False),
    sa.Column("at", TS, nullable=False),
    sa.Index("ix_webhook_deliveries_webhook", "webhook_id", "id"),
)

# Read-only copies of a task (抄送): who it was copied to, by whom, and when they read it.
task_copies = sa.Table(
    "task_copies",
    metadata,
    sa.Column("task_id", sa.String(36), sa.ForeignKey("tasks.id"), primary_key=True),
    sa.Column("user_name", sa.String(200), primary_key=True),
    sa.Column("instance_id", sa.String(36), nullable=False),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("copied_by", sa.String(200), nullable=False),
    sa.Column("copied_at", TS, nullable=False),
    sa.Column("read_at", TS, nullable=True),
    sa.Index("ix_task_copies_user", "user_name", "copied_at"),
)

# Read-only copies of a whole instance (抄送), as task_copies for one task.
instance_copies = sa.Table(
    "instance_copies",
    metadata,
    sa.Column("instance_id", sa.String(36), sa.ForeignKey("process_instances.id"),
              primary_key=True),
    sa.Column("user_name", sa.String(200), primary_key=True),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("copied_by", sa.String(200), nullable=False),
    sa.Column("copied_at", TS, nullable=False),
    sa.Column("read_at", TS, nullable=True),
    sa.Index("ix_instance_copies_user", "user_name", "copied_at"),
)

# Comments on an instance, or on one of its tasks (task_id set).
comments = sa.Table(
    "comments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("instance_id", sa.String(36), sa.ForeignKey("process_instances.id"),
              nullable=False),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("task_id", sa.String(36), nullable=True),
    sa.Column("author", sa.String(200), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("created_at", TS, nullable=False),
    sa.Index("ix_comments_instance", "instance_id", "id"),
    sa.Index("ix_comments_task", "task_id", "id"),
)

# Documents uploaded to a task (docs/documents.md): the row is the document; its contents
# are a blob under ``storage_key`` in the configured store (documents/storage.py).
documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("instance_id", sa.String(36), sa.ForeignKey("process_instances.id"),
              nullable=False),
    sa.Column("tenant_id", sa.String(64), nullable=False),
    sa.Column("task_id", sa.String(36), nullable=True),
    sa.Column("task_key", sa.String(200), nullable=True),
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("media_type", sa.String(200), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("storage_key", sa.String(300), nullable=False),
    sa.Column("uploaded_by", sa.String(200), nullable=False),
    sa.Column("uploaded_at", TS, nullable=False),
    sa.Index("ix_documents_instance", "instance_id", "uploaded_at"),
    sa.Index("ix_documents_task", "task_id"),
)

# Which task's completion named a document in which `file` field.
document_uses = sa.Table(
    "document_uses",
    metadata,
    sa.Column("document_id", sa.String(36), sa.ForeignKey("documents.id"), primary_key=True),
    sa.Column("task_id", sa.String(36), primary_key=True),
    sa.Column("field", sa.String(200), primary_key=True),
    sa.Column("instance_id", sa.String(36), sa.ForeignKey("process_instances.id"),
              nullable=False),
    sa.Column("used_by", sa.String(200), nullable=False),
    sa.Column("used_at", TS, nullable=False),
    sa.Index("ix_document_uses_task", "task_id"),
)
