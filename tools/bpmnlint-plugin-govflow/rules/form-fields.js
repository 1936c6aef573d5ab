// Forms-tab fields (camunda:formField) use the types GovFlow serves as JSON Schema
// (docs/diagrams.md): string, long, integer, number, double, boolean, date, array, object,
// enum, and file (a document uploaded to the instance, docs/documents.md; not on a start
// event, which has no instance to upload to yet). A file field's `accept` property names
// media types or known extensions; only file fields have one.
const { is, isAny } = require('./helper');

const TYPES = ['string', 'long', 'integer', 'number', 'double', 'boolean', 'date', 'array',
  'object', 'enum', 'file'];
// The extensions the service maps to media types (engine/forms.py ACCEPT_EXTENSIONS).
const EXTENSIONS = ['.pdf', '.ofd', '.jpg', '.jpeg', '.png', '.tif', '.tiff', '.doc', '.xls',
  '.ppt', '.docx', '.xlsx', '.pptx', '.odt', '.ods', '.zip'];
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

function typeOf(node) {
  return String(node.$type || '').toLowerCase();
}

function children(node, key) {
  return node[key] || node.$children || [];
}

// The formFields of a task, with camunda-bpmn-moddle (Modeler) or without it (CLI).
function formFields(node) {
  const found = [];
  const values = (node.extensionElements && node.extensionElements.values) || [];
  for (const ext of values) {
    if (typeOf(ext) === 'camunda:formdata') {
      found.push(...children(ext, 'fields').filter(f => typeOf(f) === 'camunda:formfield'));
    }
  }
  return found;
}

function fieldProperties(field) {
  const found = {};
  const containers = field.properties ? [field.properties]
    : (field.$children || []).filter(c => typeOf(c) === 'camunda:properties');
  for (const container of containers) {
    for (const property of children(container, 'values')) {
      if (property.id !== undefined) {
        found[property.id] = property.value;
      }
    }
  }
  return found;
}

module.exports = function() {
  function check(node, reporter) {
    if (!isAny(node, ['bpmn:UserTask', 'bpmn:ManualTask', 'bpmn:StartEvent'])) {
      return;
    }
    for (const field of formFields(node)) {
      const type = field.type || 'string';
      if (!TYPES.includes(type)) {
        reporter.report(node.id, `Form field "${field.id}" has type "${type}", which GovFlow does not serve: use one of ${TYPES.join(', ')}`);
        continue;
      }
      if (type === 'file' && is(node, 'bpmn:StartEvent')) {
        reporter.report(node.id, `Start form field "${field.id}" is a file field: a document is uploaded to a task, so ask for it in the first user task`);
        continue;
      }
      const accept = fieldProperties(field).accept;
      if (accept === undefined) {
        continue;
      }
      if (type !== 'file') {
        reporter.report(node.id, `Form field "${field.id}" has an "accept" property but is not of type file`);
        continue;
      }
      for (const item of String(accept).split(',').map(s => s.trim().toLowerCase()).filter(Boolean)) {
        const extension = item.startsWith('.') ? item : '.' + item;
        if (!EXTENSIONS.includes(extension) && !MEDIA_TYPE.test(item)) {
          reporter.report(node.id, `File field "${field.id}" accepts "${item}": name media types (application/pdf) or extensions (${EXTENSIONS.join(' ')})`);
        }
      }
    }
  }
  return { check };
};
