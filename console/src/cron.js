// The next times of a cron schedule, in UTC as Hasura reads it: five fields (minute hour
// day-of-month month day-of-week), or six with seconds first. Runs are recorded by the
// engine when they fall due, so upcoming ones are computed here from the schedule.

const NAMES = {
  month: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  dow: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
};

function values(field, min, max, names) {
  const out = new Set();
  for (const part of field.toLowerCase().split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText ? Number(stepText) : 1;
    let lo = min;
    let hi = max;
    if (range !== '*') {
      const toNumber = (t) => {
        const named = names ? names.indexOf(t) : -1;
        return named >= 0 ? named + (min === 1 ? 1 : 0) : Number(t);
      };
      const [a, b] = range.split('-');
      lo = toNumber(a);
      hi = b === undefined ? (stepText ? max : lo) : toNumber(b);
    }
    if ([lo, hi, step].some((n) => Number.isNaN(n)) || step < 1) throw new Error(`bad cron field "${field}"`);
    for (let v = lo; v <= hi; v += step) out.add(v === 7 && max === 6 ? 0 : v);
  }
  return out;
}

/** The next ``count`` times (Date objects) after ``from``, or [] if none within a year. */
export function nextRuns(expression, count = 5, from = new Date()) {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) throw new Error(`bad cron expression "${expression}"`);
  const withSeconds = fields.length === 6;
  const [sec, min, hour, dom, month, dow] = withSeconds ? fields : ['0', ...fields];
  const sets = {
    sec: values(sec, 0, 59), min: values(min, 0, 59), hour: values(hour, 0, 23),
    dom: values(dom, 1, 31), month: values(month, 1, 12, NAMES.month), dow: values(dow, 0, 6, NAMES.dow),
  };
  const domAny = dom === '*' || dom === '?';
  const dowAny = dow === '*' || dow === '?';
  const dayMatches = (d) => {
    const byDom = sets.dom.has(d.getUTCDate());
    const byDow = sets.dow.has(d.getUTCDay());
    if (domAny && dowAny) return true;
    if (domAny) return byDow;
    if (dowAny) return byDom;
    return byDom || byDow;
  };
  const out = [];
  const t = new Date(Math.floor(from.getTime() / 1000) * 1000 + 1000);
  const limit = from.getTime() + 366 * 24 * 3600 * 1000;
  while (out.length < count && t.getTime() < limit) {
    if (!sets.month.has(t.getUTCMonth() + 1) || !dayMatches(t)) {
      t.setUTCHours(0, 0, 0, 0);
      t.setUTCDate(t.getUTCDate() + 1);
    } else if (!sets.hour.has(t.getUTCHours())) {
      t.setUTCMinutes(0, 0, 0);
      t.setUTCHours(t.getUTCHours() + 1);
    } else if (!sets.min.has(t.getUTCMinutes())) {
      t.setUTCSeconds(0, 0);
      t.setUTCMinutes(t.getUTCMinutes() + 1);
    } else if (!sets.sec.has(t.getUTCSeconds())) {
      t.setUTCSeconds(t.getUTCSeconds() + 1, 0);
    } else {
      out.push(new Date(t));
      t.setUTCSeconds(t.getUTCSeconds() + 1, 0);
    }
  }
  return out;
}
