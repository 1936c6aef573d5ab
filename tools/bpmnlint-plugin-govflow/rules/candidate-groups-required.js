// A user task names the groups (lane roles) whose members may work on it:
// camunda:candidateGroups, literals or ${expression}s, comma separated.
const { is, attr } = require('./helper');

module.exports = function() {
  function check(node, reporter) {
    if (!is(node, 'bpmn:UserTask')) {
      return;
    }
    const groups = String(attr(node, 'camunda:candidateGroups') || '')
      .split(',').map(group => group.trim()).filter(Boolean);
    if (!groups.length) {
      reporter.report(node.id, 'User task has no candidate groups (camunda:candidateGroups): name the groups that may work on it');
    }
  }
  return { check };
};
