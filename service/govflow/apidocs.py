"""The OpenAPI document as a client generator wants it, and the pages that show it offline.

Every operation gets a hand-chosen ``operationId`` (``listTasks``, ``completeTask`` ...), a
summary, a description and an example request, all from ``OPERATIONS`` below, and every
error response is ``application/problem+json`` with the ``Problem`` schema, so generated
clients type errors. ``/docs`` (Swagger UI) and ``/redoc`` load their scripts from GovFlow
itself (the files of the fastapi-offline package), never from a CDN: they work on a
government network without internet. tests/test_openapi_contract.py holds every route to
an entry here.
"""

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = "/docs-static"
_FILES = Path(fastapi_offline.__file__).parent / "static"

PAGE = ("Pages are asked for with `limit` and either `cursor` (pass the previous page's "
        "`next_cursor`, with the same filters and `sort`: stable while items are added, as "
        "fast deep as on page one) or `offset`; the answer is `{items, next, next_cursor}`, "
        "both null on the last page.")
_OK = {"approved": True, "opinion": "同意"}

# (method, path under the server root) -> operationId, summary, description, example.
# An example is a request line, with a JSON body after it where the operation takes one.
OPERATIONS: dict[tuple[str, str], tuple[str, str, str, str | dict[str, Any]]] = {
    ("get", "/api/v1/tenants"): (
        "listTenants", "List tenants", ("The tenants the caller's token names, each with its "
        "active diagram set."), "GET /api/v1/tenants"),
    ("get", "/api/v1/tenants/{tenant}"): (
        "getTenant", "Get a tenant", "One tenant with its active diagram set.",
        "GET /api/v1/tenants/demo"),
    ("put", "/api/v1/tenants/{tenant}"): (
        "putTenant", "Create or rename a tenant", ("Creates the tenant (global administrator) "
        "or renames it (its administrator); 201 when created."), {"name": "示范县"}),
    ("post", "/api/v1/tenants/{tenant}/diagram-sets"): (
        "uploadDiagramSet", "Upload a diagram set", ("Multipart `.bpmn`/`.dmn` files or one "
        "zip, validated whole: 201 with the new version, 200 with the existing one for "
        "identical content, 422 (`diagram.invalid`) naming file, line and element."),
        "POST /api/v1/tenants/demo/diagram-sets (multipart: files=@project.bpmn ...)"),
    ("get", "/api/v1/tenants/{tenant}/diagram-sets"): (
        "listDiagramSets", "List a tenant's diagram sets", "Versions, newest first.",
        "GET /api/v1/tenants/demo/diagram-sets"),
    ("put", "/api/v1/tenants/{tenant}/active-set"): (
        "activateDiagramSet", "Activate a diagram set", ("New instances start on it; running "
        "instances stay on their own version."), {"diagram_set_id": 2}),
    ("get", "/api/v1/diagram-sets/{set_id}/processes/{process_id}"): (
        "getProcess", "Get a process's metadata", ("Its human tasks with their forms and UI "
        "schemas, its start form, the messages it catches and the set's decisions."),
        "GET /api/v1/diagram-sets/1/processes/project"),
    ("get", "/api/v1/tenants/{tenant}/processes/{process_id}/start-form"): (
        "getStartForm", "Get a process's start form", ("The JSON Schema and react-jsonschema-"
        "form uiSchema of the variables an instance starts with, on the tenant's active set, "
        "before any instance exists."), "GET /api/v1/tenants/demo/processes/project/start-form"),
    ("get", "/api/v1/diagram-sets/{set_id}/processes/{process_id}/bpmn"): (
        "getProcessBpmn", "Get a process's BPMN", "The XML file the process is in.",
        "GET /api/v1/diagram-sets/1/processes/project/bpmn"),
    ("get", "/api/v1/diagram-sets/{set_id}/processes/{process_id}/svg"): (
        "getProcessSvg", "Draw a process", "The diagram as SVG.",
        "GET /api/v1/diagram-sets/1/processes/project/svg"),
    ("post", "/api/v1/tenants/{tenant}/process-instances"): (
        "startInstance", "Start a process instance", ("Runs it to its first wait; 201 with "
        "the instance and its ready tasks. The variables are checked against the start form "
        "(`form.invalid`)."), {"process_id": "project", "business_key": "2027-001",
                              "variables": {"project_name": "政务云迁移"}}),
    ("get", "/api/v1/process-instances"): (
        "listInstances", "List process instances", "Filtered by tenant, state, business key, "
        "process and diagram set. " + PAGE, "GET /api/v1/process-instances?state=running"),
    ("get", "/api/v1/process-instances/{instance_id}"): (
        "getInstance", "Get a process instance", "State, variables, ready tasks, version.",
        "GET /api/v1/process-instances/6f1c…"),
    ("get", "/api/v1/process-instances/{instance_id}/history"): (
        "getInstanceHistory", "Get an instance's history", ("Append-only events: who, when, "
        "which element, what changed; `?offset=<next>` continues."),
        "GET /api/v1/process-instances/6f1c…/history"),
    ("get", "/api/v1/process-instances/{instance_id}/svg"): (
        "getInstanceSvg", "Draw an instance", ("The diagram with completed, active and overdue "
        "elements marked."), "GET /api/v1/process-instances/6f1c…/svg"),
    ("post", "/api/v1/process-instances/{instance_id}/messages"): (
        "sendMessage", "Send a message to an instance", ("Only from the catch's declared "
        "senders (403 `message.sender_forbidden`); 409 when it is not waiting for it."),
        {"name": "annual_plan_approved", "payload": {}}),
    ("post", "/api/v1/tenants/{tenant}/messages"): (
        "correlateMessage", "Send a message tenant-wide", ("To every waiting instance whose "
        "variables equal the correlation; one refusal refuses the whole request."),
        {"name": "annual_plan_approved", "correlation": {"plan_year": 2027}, "payload": {}}),
    ("post", "/api/v1/tenants/{tenant}/signals"): (
        "broadcastSignal", "Broadcast a signal tenant-wide", ("To every instance of the tenant "
        "waiting for the signal, and a new instance of every process whose signal start has "
        "its name; the sender rule of messages applies and one refusal refuses the whole "
        "broadcast."),
        {"name": "policy_changed", "payload": {}}),
    ("post", "/api/v1/process-instances/{instance_id}/suspend"): (
        "suspendInstance", "Suspend an instance", "Tenant administrators only.",
        "POST /api/v1/process-instances/6f1c…/suspend"),
    ("post", "/api/v1/process-instances/{instance_id}/resume"): (
        "resumeInstance", "Resume an instance", "Also retries an instance in `error`.",
        "POST /api/v1/process-instances/6f1c…/resume"),
    ("post", "/api/v1/process-instances/{instance_id}/terminate"): (
        "terminateInstance", "Terminate an instance", ("Tenant administrators only; the "
        "reason is recorded."), {"reason": "项目撤回"}),
    ("get", "/api/v1/tasks"): (
        "listTasks", "List tasks (the inbox)", "Tasks of the caller's tenants, filtered by "
        "state, assignee (`me`), candidate group, instance, key, overdue, due date; sorted by "
        "`created_at` or `due_at`. " + PAGE,
        "GET /api/v1/tasks?state=ready&candidate_group=unit&sort=due_at&limit=20"),
    ("get", "/api/v1/tasks/count"): (
        "countTasks", "Count tasks", "How many tasks the same filters as `listTasks` list.",
        "GET /api/v1/tasks/count?state=ready&assignee=me"),
    ("get", "/api/v1/tasks/{task_id}"): (
        "getTask", "Get a task with its form", ("The task, its `form` (JSON Schema), its "
        "`ui_schema` (react-jsonschema-form) and `data` (the submitted values, or the current "
        "ones while ready, to prefill the form)."), "GET /api/v1/tasks/0b7e…"),
    ("post", "/api/v1/tasks/{task_id}/claim"): (
        "claimTask", "Claim a task", ("Makes the caller its assignee; 409 "
        "`task.already_claimed` when someone else has it."), "POST /api/v1/tasks/0b7e…/claim"),
    ("post", "/api/v1/tasks/{task_id}/unclaim"): (
        "unclaimTask", "Unclaim a task", ("Gives it back to its candidate groups (the assignee "
        "or an administrator)."), "POST /api/v1/tasks/0b7e…/unclaim"),
    ("post", "/api/v1/tasks/{task_id}/complete"): (
        "completeTask", "Complete a task", ("Checks the variables against the task's form "
        "(422 `form.invalid`, one entry per field in `errors`), completes it and runs the "
        "instance on; returns the instance with its next ready tasks."), {"variables": _OK}),
    # Task operations (docs/frontend.md "Task operations")
    ("post", "/api/v1/tasks/{task_id}/transfer"): (
        "transferTask", "Transfer a task (转办)", ("Makes another user its assignee: the "
        "assignee, a candidate of an unclaimed task, or a tenant administrator may. 403 "
        "`task.not_assignee`, 409 `task.delegation_pending`, 422 `task.same_user`."),
        {"to": "lisi", "reason": "出差，请李四代办"}),
    ("post", "/api/v1/tasks/{task_id}/delegate"): (
        "delegateTask", "Delegate a task (委派)", ("The assignee hands it to a delegate and "
        "stays its `owner` (`delegation_state` pending); the delegate cannot complete it, "
        "only resolve it. 409 `task.not_claimed` when unassigned."), {"to": "wangwu"}),
    ("post", "/api/v1/tasks/{task_id}/resolve"): (
        "resolveTask", "Resolve a delegated task", ("The delegate gives it back to its owner; "
        "the values sent become the task's draft (its `data` prefill). 409 "
        "`task.not_delegated`, 403 `task.not_delegate`."),
        {"variables": {"opinion": "建议同意"}}),
    ("post", "/api/v1/tasks/{task_id}/return"): (
        "returnTask", "Return a task to an earlier one (退回)", ("Cancels the ready tasks on "
        "its path and makes the latest completed task `to_key` before it ready again, "
        "prefilled with its submission; returns the instance. 422 `task.return_refused` for "
        "a key not completed earlier on the path, or left out of the task's `return_to` "
        "property."), {"to_key": "declare", "reason": "材料不全，请补充"}),
    ("post", "/api/v1/tasks/{task_id}/withdraw"): (
        "withdrawTask", "Withdraw a completed task (撤回)", ("Only its completer, while "
        "every task after it is untouched (ready, never claimed, transferred or delegated); "
        "it is ready again and those are cancelled. 409 `task.withdraw_refused` naming why."),
        "POST /api/v1/tasks/0b7e…/withdraw"),
    ("post", "/api/v1/tasks/{task_id}/add-signers"): (
        "addSigners", "Add signers to a multi-instance task (加签)", ("On a ready slot of a "
        "running parallel multi-instance task: one new slot per user, assigned to that user; "
        "`nrOfInstances` grows. 422 `task.signers_refused` for a sequential or ordinary "
        "task, a user already holding a slot, or where the diagram sets `add_signers` = "
        "`false`."), {"users": ["expert4"]}),
    ("post", "/api/v1/tasks/{task_id}/urge"): (
        "urgeTask", "Urge a task (催办)", ("The instance's starter or an administrator; at "
        "most once an hour per task (409 `task.urge_too_soon`). Counted in `urged_count`."),
        {"message": "请尽快办理"}),
    ("post", "/api/v1/tasks/{task_id}/cc"): (
        "copyTask", "Copy a task to users (抄送)", ("Read-only copies; they list it with "
        "`GET /tasks?cc=me`. The assignee, owner, completer, a candidate of an unclaimed "
        "task, the starter or an administrator may."), {"users": ["zhaoliu"]}),
    ("get", "/api/v1/tasks/{task_id}/cc"): (
        "listTaskCopies", "List a task's copies", "Who it was copied to, by whom, read when.",
        "GET /api/v1/tasks/0b7e…/cc"),
    ("post", "/api/v1/tasks/{task_id}/cc/read"): (
        "readTaskCopy", "Mark my copy read", ("404 `task.not_copied` when it was not copied "
        "to the caller."), "POST /api/v1/tasks/0b7e…/cc/read"),
    ("post", "/api/v1/process-instances/{instance_id}/cc"): (
        "copyInstance", "Copy an instance to users (抄送)", ("Read-only copies of the whole "
        "instance; they list it with `GET /process-instances?cc=me`. Its starter, whoever "
        "handled one of its tasks, or an administrator may."), {"users": ["zhaoliu"]}),
    ("get", "/api/v1/process-instances/{instance_id}/cc"): (
        "listInstanceCopies", "List an instance's copies", ("Who it was copied to, by whom, "
        "read when."), "GET /api/v1/process-instances/5c1d…/cc"),
    ("post", "/api/v1/process-instances/{instance_id}/cc/read"): (
        "readInstanceCopy", "Mark my copy of an instance read", ("404 `instance.not_copied` "
        "when it was not copied to the caller."),
        "POST /api/v1/process-instances/5c1d…/cc/read"),
    ("post", "/api/v1/tasks/{task_id}/comments"): (
        "commentTask", "Comment on a task", ("Anyone who sees the instance; at most 2,000 "
        "characters."), {"text": "材料第三页缺盖章"}),
    ("get", "/api/v1/tasks/{task_id}/comments"): (
        "listTaskComments", "List a task's comments", "Oldest first; `limit` and `offset`.",
        "GET /api/v1/tasks/0b7e…/comments"),
    ("post", "/api/v1/process-instances/{instance_id}/comments"): (
        "commentInstance", "Comment on an instance", ("Anyone who sees the instance; at most "
        "2,000 characters."), {"text": "请各部门本周内办结"}),
    ("get", "/api/v1/process-instances/{instance_id}/comments"): (
        "listInstanceComments", "List an instance's comments", ("Its own and its tasks', "
        "oldest first; `limit` and `offset`."), "GET /api/v1/process-instances/5c1d…/comments"),
    ("post", "/api/v1/tasks/{task_id}/documents"): (
        "uploadDocument", "Upload a document to a task", ("Multipart (`file`) or the raw "
        "body with `filename`, by whoever may complete the task. Stored with its SHA-256, "
        "size and media type detected from its bytes; 413 `document.too_large`, 422 "
        "`document.type_not_allowed` or `document.empty`, and nothing stored. A `file` form "
        "field then takes the returned `id` (docs/documents.md)."),
        "POST /api/v1/tasks/0b7e…/documents (multipart: file=@验收报告.pdf)"),
    ("get", "/api/v1/tasks/{task_id}/documents"): (
        "listTaskDocuments", "List a task's documents", ("Uploaded to it, and those its "
        "completion named; oldest first; `limit` and `offset`."),
        "GET /api/v1/tasks/0b7e…/documents"),
    ("get", "/api/v1/process-instances/{instance_id}/documents"): (
        "listInstanceDocuments", "List an instance's documents", ("Oldest first, each with "
        "the task completions that used it; anyone who sees the instance."),
        "GET /api/v1/process-instances/5c1d…/documents"),
    ("get", "/api/v1/process-instances/{instance_id}/documents/{document_id}/content"): (
        "getDocumentContent", "Download a document", ("Its bytes, with its media type, "
        "`Content-Disposition: attachment` and `ETag` = its SHA-256; anyone who sees the "
        "instance; 404 otherwise."),
        "GET /api/v1/process-instances/5c1d…/documents/9f2a…/content"),
    ("post", "/api/v1/tenants/{tenant}/decisions/{decision_id}/evaluate"): (
        "evaluateDecision", "Evaluate a decision", ("A DMN table of the active set on the "
        "given inputs: the outputs and the matched rules."),
        {"inputs": {"total_investment": 120}}),
    ("get", "/api/v1/calendar/years/{year}"): (
        "getCalendarYear", "Get a year's holiday arrangement", ("Days off and make-up "
        "working days, and where they come from."), "GET /api/v1/calendar/years/2027"),
    ("put", "/api/v1/calendar/years/{year}"): (
        "putCalendarYear", "Load a year's holiday arrangement", "Global administrators only.",
        {"days_off": ["2027-01-01"], "make_up_workdays": [], "source": "国办发明电〔2026〕1号"}),
    ("delete", "/api/v1/calendar/years/{year}"): (
        "deleteCalendarYear", "Drop a loaded arrangement", ("The year reverts to the "
        "package's data."), "DELETE /api/v1/calendar/years/2027"),
    ("get", "/api/v1/calendar/working-days"): (
        "countWorkingDays", "Count working days", "The n-th working day after a date.",
        "GET /api/v1/calendar/working-days?start=2027-01-04&days=5"),
    ("get", "/api/v1/calendar/due"): (
        "previewDeadline", "Preview a deadline", "What a `camunda:dueDate` gives for a start.",
        "GET /api/v1/calendar/due?spec=P5WD&start=2027-01-04T09:00%2B08:00"),
    ("post", "/api/v1/tenants/{tenant}/external-tasks/fetch-and-lock"): (
        "fetchAndLockExternalTasks", "Fetch and lock external tasks", ("An external worker "
        "(a token in the group `external-worker`) locks up to `max_tasks` ready tasks of the "
        "named topics for `lock_duration` ms; with `async_response_timeout` it waits for work. "
        "A task is never locked by two workers at once."),
        {"worker_id": "finance-1", "max_tasks": 5,
         "topics": [{"topic_name": "fund-check", "lock_duration": 60000}]}),
    ("get", "/api/v1/tenants/{tenant}/external-tasks"): (
        "listExternalTasks", "List external tasks", ("Workers and tenant administrators; "
        "filters `topic`, `locked`, `failed`, `instance_id`; paged by `offset`."),
        "GET /api/v1/tenants/demo/external-tasks?topic=fund-check"),
    ("get", "/api/v1/tenants/{tenant}/external-tasks/{task_id}"): (
        "getExternalTask", "Get an external task", "Its topic, lock, retries and last error.",
        "GET /api/v1/tenants/demo/external-tasks/0b7e…"),
    ("post", "/api/v1/tenants/{tenant}/external-tasks/{task_id}/complete"): (
        "completeExternalTask", "Complete an external task", ("Only the worker holding an "
        "unexpired lock; `variables` limited to the element's declared `outputs`. The "
        "instance moves on in the same transaction."),
        {"worker_id": "finance-1", "variables": {"funds_available": True}}),
    ("post", "/api/v1/tenants/{tenant}/external-tasks/{task_id}/failure"): (
        "reportExternalTaskFailure", "Report a failure", ("Sets the retries left and when "
        "the task may be fetched again; at 0 retries the instance records an incident."),
        {"worker_id": "finance-1", "error_message": "ledger offline", "retries": 2,
         "retry_timeout": 60000}),
    ("post", "/api/v1/tenants/{tenant}/external-tasks/{task_id}/bpmn-error"): (
        "throwExternalTaskBpmnError", "Throw a BPMN error", ("Caught by an error boundary "
        "event of that code on the task; uncaught, 422 and nothing changes."),
        {"worker_id": "finance-1", "error_code": "NO_FUNDS", "variables": {}}),
    ("post", "/api/v1/tenants/{tenant}/external-tasks/{task_id}/extend-lock"): (
        "extendExternalTaskLock", "Extend a lock", "The holder extends its lock.",
        {"worker_id": "finance-1", "new_duration": 60000}),
    ("post", "/api/v1/tenants/{tenant}/external-tasks/{task_id}/unlock"): (
        "unlockExternalTask", "Unlock an external task", ("A worker or tenant administrator "
        "releases the lock; the task is fetchable again."),
        "POST /api/v1/tenants/demo/external-tasks/0b7e…/unlock"),
    ("put", "/api/v1/tenants/{tenant}/external-tasks/{task_id}/retries"): (
        "setExternalTaskRetries", "Set retries", ("Tenant administrators: give a failed "
        "task retries again (and resume its instance from an incident)."), {"retries": 3}),
    ("post", "/api/v1/tenants/{tenant}/migrations"): (
        "startMigration", "Plan or start a migration", ("Tenant administrators: move the "
        "running instances of a set (default: the active one) to `target_set_id`, mapping "
        "elements and variables. `dry_run: true` answers 200 with a report per instance and "
        "changes nothing; otherwise 202 and a batch the worker runs."),
        {"target_set_id": 7, "element_map": {"project": {"old_review": "expert_review"}},
         "variable_map": {}, "due_dates": "keep", "dry_run": True}),
    ("get", "/api/v1/tenants/{tenant}/migrations/{batch_id}"): (
        "getMigration", "Get a migration batch", ("Totals (done, refused, failed, remaining) "
        "and the per-instance results, paged."),
        "GET /api/v1/tenants/demo/migrations/3c9a…"),
    ("post", "/api/v1/tenants/{tenant}/migrations/{batch_id}/rollback"): (
        "rollbackMigration", "Roll a batch back", ("A finished batch's migrated instances "
        "go back to the source set by the inverse plan, as a new batch."),
        "POST /api/v1/tenants/demo/migrations/3c9a…/rollback"),
    ("post", "/api/v1/process-instances/{instance_id}/migrate"): (
        "migrateInstance", "Migrate one instance", ("The same plan for one instance, in one "
        "transaction; `dry_run` supported; 409 naming why it cannot move."),
        {"target_set_id": 7, "element_map": {}, "dry_run": False}),
    ("get", "/api/v1/tenants/{tenant}/diagram-sets/{set_a}/diff/{set_b}"): (
        "compareDiagramSets", "Compare two sets", ("Processes, elements, flows, decisions "
        "and deadlines added, removed or changed from set A to set B."),
        "GET /api/v1/tenants/demo/diagram-sets/6/diff/7"),
    ("get", "/api/v1/events/stream"): (
        "streamEvents", "Stream task and instance events", ("Server-sent events "
        "(`text/event-stream`) of the caller's tenants as they commit: `id:` (the history id), "
        "`event:` (task_created, task_completed, task_claimed, instance_completed ...), `data:` "
        "(JSON naming the task and instance, no variables), and a heartbeat comment every 15 s. "
        "`Last-Event-ID` replays what was missed (bounded; beyond it a `resync` event). "
        "`kinds` filters. 429 (`events.too_many_streams`) beyond the streams a user may "
        "open, 503 (`events.server_busy`) beyond the process's."),
        "GET /api/v1/events/stream?kinds=task_created,task_completed (Last-Event-ID: 1042)"),
    ("post", "/api/v1/tenants/{tenant}/webhooks"): (
        "createWebhook", "Create a webhook", ("Tenant administrators: POST the tenant's "
        "events (all, or the `kinds` named) to `url`, signed with HMAC-SHA256 "
        "(`X-GovFlow-Signature: sha256=<hex>` over `<X-GovFlow-Timestamp>.<body>`). The "
        "answer holds the `secret`, shown this once. Private, loopback and reserved "
        "addresses are refused (`webhook.url_not_allowed`)."),
        {"url": "https://oa.example.gov.cn/govflow-hook",
         "kinds": ["task_created", "instance_completed"]}),
    ("get", "/api/v1/tenants/{tenant}/webhooks"): (
        "listWebhooks", "List webhooks", ("Tenant administrators: the tenant's webhooks, "
        "without their secrets."), "GET /api/v1/tenants/demo/webhooks"),
    ("delete", "/api/v1/tenants/{tenant}/webhooks/{webhook_id}"): (
        "deleteWebhook", "Delete a webhook", ("Tenant administrators: the webhook, its "
        "pending deliveries and its delivery log."),
        "DELETE /api/v1/tenants/demo/webhooks/5d1e…"),
    ("get", "/api/v1/tenants/{tenant}/webhooks/{webhook_id}/deliveries"): (
        "listWebhookDeliveries", "List delivery attempts", ("Tenant administrators: each "
        "attempt, newest first: event, attempt number, status code, error, outcome "
        "(delivered, retrying, failed) and time. `after`: the smallest id of the page "
        "before."), "GET /api/v1/tenants/demo/webhooks/5d1e…/deliveries?limit=50"),
    ("get", "/api/v1/tenants/{tenant}/annual-plans/{year}"): (
        "getAnnualPlan", "Get a plan year", ("The projects that passed review and wait for "
        "this year's plan (business key, name, reviewed amount) and each plan process of the "
        "year with its items, server-computed total and issued flag. The plan tasks' "
        "candidate groups and tenant administrators."), "GET /api/v1/tenants/gaoqing/annual-plans/2027"),
    ("get", "/healthz"): ("healthz", "Liveness", "200 while the process runs.",
                          "GET /healthz"),
    ("get", "/readyz"): ("readyz", "Readiness", "Database reachable and migrations current.",
                         "GET /readyz"),
    ("get", "/metrics"): ("getMetrics", "Prometheus metrics", "Prometheus text format.",
                          "GET /metrics"),
}


def document(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document with the names, words and error bodies above."""
    doc = get_openapi(title=app.title, version=app.version, description=app.description,
                      openapi_version=app.openapi_version, routes=app.routes,
                      tags=app.openapi_tags, servers=app.servers)
    for path, operations in doc.get("paths", {}).items():
        for method, operation in operations.items():
            _describe(operation, OPERATIONS.get((method, path)))
            for status, response in operation.get("responses", {}).items():
                if status[:1] in ("4", "5"):
                    response["content"] = {"application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/Problem"},
                        "example": _problem_example(int(status))}}
    schemas = doc.get("components", {}).get("schemas", {})
    text = str(doc.get("paths"))
    for unused in ("HTTPValidationError", "ValidationError"):  # FastAPI's, replaced above
        if f"/{unused}'" not in text:
            schemas.pop(unused, None)
    return doc


_EXAMPLES = {
    401: ("unauthorized", "Unauthorized", "auth.token_missing",
          "an Authorization: Bearer <token> header is required", None),
    403: ("forbidden", "Forbidden", "task.not_candidate",
          "task 0b7e… is for groups hub; user 'ua' is in none of them", None),
    404: ("not-found", "Not found", "task.not_found", "task 0b7e… does not exist", None),
    409: ("conflict", "Conflict", "task.not_ready", "task 0b7e… is completed", None),
    413: ("content-too-large", "Content too large", "request.too_large",
          "the request body is larger than 1048576 bytes", None),
    422: ("invalid", "Invalid input", "form.invalid",
          "the variables do not match the form: approved: is required",
          [{"loc": "variables.approved", "msg": "is required", "message": "is required",
            "code": "required", "field": "approved"}]),
}


def _problem_example(status: int) -> dict[str, Any]:
    slug, title, code, detail, errors = _EXAMPLES.get(
        status, ("internal", "Internal error", "internal.error",
                 "an unexpected error occurred; nothing was changed", None))
    example = {"type": f"https://govflow.dev/problems/{slug}", "title": title,
               "status": status, "detail": detail, "code": code}
    return example | ({"errors": errors} if errors else {})


def _describe(operation: dict[str, Any],
              entry: tuple[str, str, str, str | dict[str, Any]] | None) -> None:
    if entry is None:  # a route without an entry keeps FastAPI's names (the test fails)
        return
    operation_id, summary, description, example = entry
    operation["operationId"], operation["summary"] = operation_id, summary
    if isinstance(example, dict):
        operation["description"] = description
        for media in operation.get("requestBody", {}).get("content", {}).values():
            media["example"] = example
    else:
        operation["description"] = f"{description}\n\nExample: `{example}`"


def install(app: FastAPI) -> None:
    """Serve the document above at /openapi.json and the offline /docs and /redoc."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.mount(STATIC, StaticFiles(directory=_FILES), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC}/favicon.png",
            swagger_ui_parameters={"validatorUrl": None})

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url="/openapi.json", title=f"{app.title} - ReDoc",
                              redoc_js_url=f"{STATIC}/redoc.standalone.js",
                              redoc_favicon_url=f"{STATIC}/favicon.png",
                              with_google_fonts=False)
