// A front end's daily path through GovFlow, written against the client generated from the
// live /openapi.json: inbox (listTasks) -> form (getTask) -> a refused completion with its
// typed Problem -> completion (completeTask). tsc type-checks it first, so a renamed path,
// field or parameter fails the build; then it runs against the server and checks what a
// user would see. The forms are also run through react-jsonschema-form's own validator
// (ajv8): what the renderer reports for an untouched form must be the real errors only.
import createClient from "openapi-fetch";
import { getDefaultFormState, type RJSFSchema } from "@rjsf/utils";
import validator from "@rjsf/validator-ajv8";
import type { components, paths } from "../generated/govflow.js";

type Problem = components["schemas"]["Problem"];
type TaskDetail = components["schemas"]["TaskDetail"];

const baseUrl = process.env.GOVFLOW_URL ?? "";
const token = process.env.GOVFLOW_TOKEN ?? "";
const client = createClient<paths>({
  baseUrl,
  headers: { Authorization: `Bearer ${token}`, "Accept-Language": "zh-CN" },
});

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${what}`);
}

async function main(): Promise<void> {
  // Inbox: my ready tasks (claimed, or offered to my groups), soonest due first, by cursor.
  const inbox = await client.GET("/api/v1/tasks", {
    params: { query: { mine: true, sort: "due_at", limit: 10 } },
  });
  check(inbox.data !== undefined, `listTasks: ${JSON.stringify(inbox.error)}`);
  const summary = inbox.data.items.find((t) => t.key === "declare");
  check(summary !== undefined, "a declare task in the inbox");
  const cursor: string | null | undefined = inbox.data.next_cursor;

  // Form: the JSON Schema and ui_schema the renderer takes.
  const got = await client.GET("/api/v1/tasks/{task_id}", {
    params: { path: { task_id: summary.id } },
  });
  check(got.data !== undefined, "getTask");
  const task: TaskDetail = got.data;
  const schema = task.form as RJSFSchema;
  const order = (task.ui_schema as Record<string, unknown>)["ui:order"];
  check(Array.isArray(order) && order[0] === "project_name", "ui:order starts the form");
  // What the renderer submits untouched: by default it answers a required yes/no with 否
  // (false), never 是; asked to skip that, it leaves the question open.
  const properties = (schema.properties ?? {}) as Record<string, RJSFSchema>;
  const untouched = getDefaultFormState(validator, schema, task.data) as Record<string, unknown>;
  const open = getDefaultFormState(validator, schema, task.data, schema, false,
                                   { requiredBooleanDefault: "skip" }) as Record<string, unknown>;
  const required = schema.required ?? [];
  for (const [name, field] of Object.entries(properties)) {
    check(untouched[name] !== true, `the renderer pre-answers ${name} with true`);
    if (field.type === "boolean" && required.includes(name)) {
      check(!(name in open), `${name} is left open with requiredBooleanDefault skip`);
    }
  }
  const rendererErrors = validator.validateFormData(untouched, schema).errors;
  const openErrors = validator.validateFormData(open, schema).errors;
  const unanswered = (data: Record<string, unknown>) => required.filter((n) => !(n in data));
  // Every error is a required field nobody answered, and nothing else.
  check(rendererErrors.every((e) => e.name === "required") &&
        rendererErrors.length === unanswered(untouched).length,
        `untouched: ${JSON.stringify(rendererErrors)}`);
  check(openErrors.every((e) => e.name === "required") &&
        openErrors.length === unanswered(open).length, `open: ${JSON.stringify(openErrors)}`);

  // A refused completion: the error is a typed Problem with a stable code, in Chinese.
  const refused = await client.POST("/api/v1/tasks/{task_id}/complete", {
    params: { path: { task_id: task.id } },
    body: { variables: { plan_year: "明年" } },
  });
  check(refused.error !== undefined, "an invalid completion is refused");
  const problem: Problem = refused.error;
  check(problem.code === "form.invalid", `code ${problem.code}`);
  check(problem.title === "输入无效", `title ${problem.title}`);
  const fields = (problem.errors ?? []).map((e) => `${e.field}:${e.code}`).sort();
  check(fields.includes("plan_year:type") && fields.includes("project_name:required"),
        `field errors ${fields.join(",")}`);

  // Complete: the values the renderer would submit, checked by it first.
  const variables = { project_name: "政务云迁移", total_investment: 120, plan_year: 2027,
                      crypto_relevant: false };
  check(validator.validateFormData(variables, schema).errors.length === 0,
        "the renderer accepts what the server accepts");
  const done = await client.POST("/api/v1/tasks/{task_id}/complete", {
    params: { path: { task_id: task.id } },
    body: { variables },
  });
  check(done.data !== undefined, `completeTask: ${JSON.stringify(done.error)}`);
  const next = done.data.ready_tasks.map((t) => t.key);
  console.log(JSON.stringify({ task: task.id, next, cursor: cursor ?? null,
                               rendererErrors: rendererErrors.length,
                               openErrors: openErrors.length }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
