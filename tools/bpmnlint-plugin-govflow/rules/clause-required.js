// Every step a process owner answers for cites the regulation clause it enforces in the first
// line of its documentation (served as the task's `clause`): user, manual and business rule
// tasks, call activities, gateways that decide (more than one outgoing flow) and every
// conditional sequence flow.
const { is, isAny, clause } = require('./helper');

const TASKS = ['bpmn:UserTask', 'bpmn:ManualTask', 'bpmn:BusinessRuleTask', 'bpmn:CallActivity'];
const GATEWAYS = ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway', 'bpmn:EventBasedGateway'];

module.exports = function() {
  function check(node, reporter) {
    if (isAny(node, TASKS)) {
      if (!clause(node)) {
        reporter.report(node.id, 'Task cites no clause: the first line of its documentation must name the regulation clause it enforces');
      }
    } else if (isAny(node, GATEWAYS)) {
      if ((node.outgoing || []).length > 1 && !clause(node)) {
        reporter.report(node.id, 'Gateway cites no clause: the first line of its documentation must name the clause the decision follows');
      }
    } else if (is(node, 'bpmn:SequenceFlow') && node.conditionExpression && !clause(node)) {
      reporter.report(node.id, 'Conditional flow cites no clause: the first line of its documentation must name the clause of the condition');
    }
  }
  return { check };
};
