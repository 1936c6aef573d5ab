// Gates (docs/diagrams.md "Gates and separation of duties"): a camunda property whose name
// starts with "gate:" names the clause and what it requires after the colon, and holds the
// condition as its value; it belongs on a user or manual task, where GovFlow checks it before
// a completion. A process's separationOfDuties property is "true" or "false".
const { is, isAny } = require('./helper');

function properties(node) {
  const found = [];
  const values = (node.extensionElements && node.extensionElements.values) || [];
  for (const ext of values) {
    if (ext.$type && ext.$type.toLowerCase() === 'camunda:properties') {
      found.push(...(ext.values || ext.$children || []).filter(p => p.name !== undefined));
    }
  }
  return found;
}

module.exports = function() {
  function check(node, reporter) {
    for (const property of properties(node)) {
      const name = String(property.name || '').trim();
      const value = String(property.value || '').trim();
      if (name.toLowerCase().startsWith('gate:')) {
        if (!isAny(node, ['bpmn:UserTask', 'bpmn:ManualTask'])) {
          reporter.report(node.id, `Gate "${name}" is only checked on a user or manual task`);
        } else if (!name.slice(5).trim()) {
          reporter.report(node.id, 'Gate has no clause: write "gate: <clause and what it requires>" as the property name');
        } else if (!value) {
          reporter.report(node.id, `Gate "${name}" has no condition: write the expression as the property value`);
        }
      } else if (name === 'separationOfDuties' && is(node, 'bpmn:Process')
                 && !['true', 'false'].includes(value.toLowerCase())) {
        reporter.report(node.id, 'separationOfDuties must be "true" or "false"');
      }
    }
  }
  return { check };
};
