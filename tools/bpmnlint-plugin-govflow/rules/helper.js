// Helpers that work both in the bpmnlint CLI (plain bpmn-moddle: camunda attributes in
// $attrs, extension elements generic) and in Camunda Modeler (camunda-bpmn-moddle loaded).

function is(node, type) {
  return typeof node.$instanceOf === 'function' ? node.$instanceOf(type) : node.$type === type;
}

function isAny(node, types) {
  return types.some(type => is(node, type));
}

function attr(node, name) {
  const value = typeof node.get === 'function' ? node.get(name) : undefined;
  if (value !== undefined && value !== null) {
    return value;
  }
  return (node.$attrs || {})[name];
}

// The first line of the element's bpmn:documentation, trimmed ('' when there is none).
function clause(node) {
  const docs = node.documentation || [];
  const text = docs.length ? (docs[0].text || '') : '';
  return text.split('\n')[0].trim();
}

// The camunda:property entries (name -> value) of the element's extension elements.
function camundaProperties(node) {
  const found = {};
  const values = (node.extensionElements && node.extensionElements.values) || [];
  for (const ext of values) {
    if (!ext.$type || ext.$type.toLowerCase() !== 'camunda:properties') {
      continue;
    }
    for (const property of ext.values || ext.$children || []) {
      if (property.name !== undefined) {
        found[property.name] = property.value;
      }
    }
  }
  return found;
}

module.exports = { is, isAny, attr, clause, camundaProperties };
