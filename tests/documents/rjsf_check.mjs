// Runs a task's form as GovFlow serves it through react-jsonschema-form's own validator
// (ajv8, as tests/frontend uses it): prints {defaults, untouched, chosen} as JSON.
// Usage: node rjsf_check.mjs <tests/frontend dir> <form.json> <a document id to choose>
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const [frontend, formFile, chosenId] = process.argv.slice(2);
const require = createRequire(`${frontend}/package.json`);
const validatorModule = require("@rjsf/validator-ajv8");
const validator = validatorModule.default ?? validatorModule;
const { getDefaultFormState } = require("@rjsf/utils");
const { form, field } = JSON.parse(readFileSync(formFile, "utf8"));
const errors = (data) => validator.validateFormData(data, form).errors.map((e) => e.stack);
const defaults = getDefaultFormState(validator, form, {}, form);
console.log(JSON.stringify({
  defaults,
  untouched: errors(defaults),
  chosen: errors({ ...defaults, [field]: chosenId, security_report: chosenId }),
}));
