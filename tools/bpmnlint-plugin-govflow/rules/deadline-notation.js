// Deadlines in GovFlow's notation (docs/diagrams.md "Deadline notation"; the service's
// grammar is calendar/due.py and engine/iso_timers.py, checked again at upload):
//   camunda:dueDate, timeDuration, timeDate:
//     10WD, P20D, P1M, P3Y, P2W, --09-30, --09-30@plan_year-1, --12-31@plan_year+P1M,
//     5WD@contract_signed_on, P6M@completed_on, @rectification_due (legal days), or exact
//     ISO time: PT2H, P1DT12H, 2026-12-01T09:00:00+08:00
//   timeCycle (non-interrupting boundary timers only): R3/PT1H, R/PT1H,
//     R3/2026-12-01T09:00:00+08:00/PT1H
// ${...} expressions are not read in deadlines: count from a variable with @variable.
const { is, attr } = require('./helper');

const VARIABLE = /^[A-Za-z_]\w*$/;
const WORKING = /^(\d{1,4})WD$/i;
const PERIOD = /^P(?:(\d{1,4})W|(?:(\d{1,3})Y)?(?:(\d{1,4})M)?(?:(\d{1,5})D)?)$/i;
const YEARLY = /^--(\d\d)-(\d\d)(?:@([A-Za-z_]\w*)(?:[+-]\d{1,3})?)?(?:\+(P\w+))?$/;
const EXACT = /^P(?:(\d{1,5})D)?T(?=\d)(?:(\d{1,6})H)?(?:(\d{1,7})M)?(?:(\d{1,9})S)?$/i;
const INTERVAL = /^P(?:(\d{1,4})W|(?:(\d{1,5})D)?(?:T(?=\d)(?:(\d{1,6})H)?(?:(\d{1,7})M)?(?:(\d{1,9})S)?)?)$/i;
const MOMENT = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.\d{1,6})?)?(?:Z|[+-]\d\d:\d\d)?$/i;
const CYCLE = /^R(\d{0,4})\/(?:([^/]+)\/)?([^/]+)$/i;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const TEN_YEARS = 10 * 366 * 86400;

const numbers = groups => groups.map(g => parseInt(g || '0', 10));

function period(text) {
  const m = PERIOD.exec(text);
  return Boolean(m) && numbers(m.slice(1)).some(n => n > 0);
}

function legalDays(text) {
  if (text.includes('@') && !text.startsWith('--')) {
    const [head, variable] = [text.slice(0, text.indexOf('@')), text.slice(text.indexOf('@') + 1)];
    return VARIABLE.test(variable) && (head === '' || (legalDays(head) && !head.includes('@') && !head.startsWith('--')));
  }
  if (/^P.*T/i.test(text)) {
    return false;
  }
  const working = WORKING.exec(text);
  if (working) {
    return parseInt(working[1], 10) >= 1;
  }
  if (period(text)) {
    return true;
  }
  const yearly = YEARLY.exec(text);
  if (yearly) {
    const [month, day] = numbers([yearly[1], yearly[2]]);
    return month >= 1 && month <= 12 && day >= 1 && day <= DAYS_IN_MONTH[month - 1] &&
      (!yearly[4] || period(yearly[4]));
  }
  return false;
}

function seconds(groups, weekFirst) {
  const [w, d, h, min, s] = weekFirst ? numbers(groups) : [0, ...numbers(groups)];
  return (((w * 7 + d) * 24 + h) * 60 + min) * 60 + s;
}

function exactDuration(text) {
  const m = EXACT.exec(text);
  return Boolean(m) && seconds(m.slice(1), false) > 0 && seconds(m.slice(1), false) <= TEN_YEARS;
}

function moment(text) {
  const m = MOMENT.exec(text);
  if (!m) {
    return false;
  }
  const [year, month, day, hour, minute, second] = numbers(m.slice(1));
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  return month >= 1 && month <= 12 && day >= 1 && day <= days && hour < 24 && minute < 60 && second < 60;
}

function cycle(text) {
  const m = CYCLE.exec(text);
  if (!m) {
    return false;
  }
  if (m[1] && !(parseInt(m[1], 10) >= 1 && parseInt(m[1], 10) <= 1000)) {
    return false;
  }
  if (m[2] && !moment(m[2])) {
    return false;
  }
  const interval = INTERVAL.exec(m[3]);
  if (!interval || !interval.slice(1).some(Boolean)) {
    return false;
  }
  const length = seconds(interval.slice(1), true);
  return length >= 60 && length <= TEN_YEARS;
}

function deadline(text) {
  return legalDays(text) || exactDuration(text) || moment(text);
}

const FORMS = '10WD, P20D, P1M, --09-30, --09-30@plan_year-1, 5WD@contract_signed_on, @rectification_due, PT2H or 2026-12-01T09:00:00+08:00';
const CYCLE_FORMS = 'R3/PT1H, R/PT1H or R3/2026-12-01T09:00:00+08:00/PT1H';

module.exports = function() {
  function check(node, reporter) {
    const due = attr(node, 'camunda:dueDate');
    if (due !== undefined && due !== null && !deadline(String(due).trim())) {
      reporter.report(node.id, `Due date "${due}" is not GovFlow deadline notation (${FORMS})`);
    }
    if (!is(node, 'bpmn:TimerEventDefinition')) {
      return;
    }
    const event = node.$parent;
    const id = (event && event.id) || node.id;
    for (const kind of ['timeDuration', 'timeDate']) {
      if (node[kind]) {
        const text = String(node[kind].body || '').trim();
        if (!deadline(text)) {
          reporter.report(id, `Timer ${kind} "${text}" is not GovFlow deadline notation (${FORMS})`);
        }
      }
    }
    if (node.timeCycle) {
      const text = String(node.timeCycle.body || '').trim();
      const nonInterrupting = event && is(event, 'bpmn:BoundaryEvent') && event.cancelActivity === false;
      if (!nonInterrupting) {
        reporter.report(id, 'Timer cycle is only read on a non-interrupting boundary event: use timeDuration or timeDate here');
      } else if (!cycle(text)) {
        reporter.report(id, `Timer cycle "${text}" is not a GovFlow cycle (${CYCLE_FORMS})`);
      }
    }
    if (!node.timeDuration && !node.timeDate && !node.timeCycle) {
      reporter.report(id, 'Timer has no deadline: set timeDuration, timeDate or (on a non-interrupting boundary event) timeCycle');
    }
  }
  return { check };
};

module.exports.deadline = deadline;
module.exports.cycle = cycle;
