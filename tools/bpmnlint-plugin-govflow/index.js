// GovFlow's diagram conventions as bpmnlint rules (docs/modeler.md, docs/diagrams.md).
// Used by the repository's .bpmnlintrc as "plugin:govflow/recommended".
module.exports = {
  configs: {
    recommended: {
      rules: {
        'clause-required': 'error',
        'candidate-groups-required': 'error',
        'deadline-notation': 'error',
        'end-outcome-required': 'error',
        'form-fields': 'error',
        'gate-well-formed': 'error'
      }
    }
  },
  rules: {
    'clause-required': './rules/clause-required',
    'candidate-groups-required': './rules/candidate-groups-required',
    'deadline-notation': './rules/deadline-notation',
    'end-outcome-required': './rules/end-outcome-required',
    'form-fields': './rules/form-fields',
    'gate-well-formed': './rules/gate-well-formed'
  }
};
