// The main process (camunda property main=true) says how each instance ended: every end event
// a run can finish on carries an `outcome` camunda property (served as the instance's
// outcome). Ends that only a non-interrupting boundary event leads to (an escalation branch
// beside a task that stays open) and ends inside sub-processes are exempt. An outcome must be
// one of docs/contract.md's (configurable: ["error", { "outcomes": [...] }]).
const { is, camundaProperties } = require('./helper');

function endsThatFinishTheRun(process) {
  const elements = process.flowElements || [];
  const boundaries = elements.filter(el => is(el, 'bpmn:BoundaryEvent'));
  const queue = elements.filter(el => is(el, 'bpmn:StartEvent'));
  const seen = new Set(queue);
  const ends = [];
  while (queue.length) {
    const node = queue.shift();
    if (is(node, 'bpmn:EndEvent')) {
      ends.push(node);
    }
    const next = (node.outgoing || []).map(flow => flow.targetRef).filter(Boolean);
    for (const boundary of boundaries) {
      if (boundary.attachedToRef === node && boundary.cancelActivity !== false) {
        next.push(boundary);
      }
    }
    for (const target of next) {
      if (!seen.has(target) && target.$parent === process) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return ends;
}

const CONTRACT_OUTCOMES = ['rejected', 'filed_only', 'not_in_plan', 'accepted', 'terminated',
  'out_of_scope'];

module.exports = function(config) {
  const outcomes = (config && config.outcomes) || CONTRACT_OUTCOMES;

  function check(node, reporter) {
    if (!is(node, 'bpmn:Process') || camundaProperties(node).main !== 'true') {
      return;
    }
    for (const end of endsThatFinishTheRun(node)) {
      const outcome = camundaProperties(end).outcome;
      if (!outcome) {
        reporter.report(end.id, 'End event of the main process has no outcome: add the camunda property "outcome"');
      } else if (!outcomes.includes(outcome)) {
        reporter.report(end.id, `Outcome "${outcome}" is not one of the contract's: ${outcomes.join(', ')}`);
      }
    }
  }
  return { check };
};
