// Cron triggers: their definitions, their latest runs with status (get_cron_triggers,
// get_scheduled_events) and their next runs (from the schedule).
import { useCallback, useEffect, useState } from 'react';
import { metadataApi } from '../api.js';
import { nextRuns } from '../cron.js';
import {
  Badge, ErrorBox, Json, ListAndDetail, headerSource, time, useAction, webhookSource,
} from '../ui.jsx';

const STATUS_KIND = { delivered: 'full', error: 'none', dead: 'none', scheduled: 'partial', locked: 'partial' };

export function CronPage({ detail, navigate }) {
  const [triggers, setTriggers] = useState([]);
  const action = useAction();
  useEffect(() => {
    action.run(async () => setTriggers((await metadataApi('get_cron_triggers')).cron_triggers));
  }, []); // eslint-disable-line react-hooks/exhaustive-deps
  const items = triggers.map((t) => ({ key: t.name, label: t.name, hint: t.schedule, trigger: t }));
  const selected = items.find((t) => t.key === detail) || null;
  return (
    <ListAndDetail title="Cron triggers" items={items} selected={selected}
      onSelect={(key) => navigate('cron', key)} empty="No cron triggers."
      hint="Pick a cron trigger to see its runs." top={<ErrorBox error={action.error} />}>
      <CronView key={detail} trigger={selected && selected.trigger} />
    </ListAndDetail>
  );
}

function RunTable({ runs, testid }) {
  return (
    <table className="grid" data-testid={testid}>
      <thead><tr><th>scheduled for</th><th>status</th><th>tries</th><th>next retry</th><th>id</th></tr></thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id}>
            <td>{time(r.scheduled_time)}</td>
            <td><Badge kind={STATUS_KIND[r.status] || 'partial'}>{r.status}</Badge></td>
            <td>{r.tries}</td>
            <td>{time(r.next_retry_at)}</td>
            <td><code>{r.id.slice(0, 8)}</code></td>
          </tr>
        ))}
        {runs.length === 0 && <tr><td colSpan={5} className="muted">None.</td></tr>}
      </tbody>
    </table>
  );
}

function CronView({ trigger }) {
  const [runs, setRuns] = useState([]);
  const [count, setCount] = useState(null);
  const action = useAction();
  const refresh = useCallback(() => action.run(async () => {
    const answer = await metadataApi('get_scheduled_events', {
      type: 'cron', trigger_name: trigger.name, limit: 50, offset: 0, get_rows_count: true,
    });
    setRuns(answer.events);
    setCount(answer.count);
  }), [trigger.name]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => { refresh(); }, [refresh]);

  let upcoming = [];
  let scheduleError = null;
  try {
    upcoming = nextRuns(trigger.schedule, 5);
  } catch (error) {
    scheduleError = error;
  }
  const latest = runs.slice(0, 20);
  return (
    <div>
      <div className="toolbar">
        <h2>{trigger.name}</h2>
        <code>{trigger.schedule}</code>
        <span className="spacer" />
        <button type="button" onClick={refresh} disabled={action.busy}>Refresh</button>
      </div>
      <dl className="facts">
        <dt>webhook</dt><dd>{webhookSource(trigger)}</dd>
        <dt>payload</dt><dd><Json value={trigger.payload || {}} /></dd>
        <dt>headers</dt>
        <dd>{(trigger.headers || []).map((h) => <div key={h.name}>{h.name}: {headerSource(h)}</div>)}{!(trigger.headers || []).length && '—'}</dd>
        <dt>retries</dt><dd><Json value={trigger.retry_conf || {}} /></dd>
        <dt>in metadata</dt><dd>{trigger.include_in_metadata ? 'yes' : 'no (created through the API)'}</dd>
        {trigger.comment && (<><dt>comment</dt><dd>{trigger.comment}</dd></>)}
      </dl>
      <ErrorBox error={action.error} />
      <h3>Next runs <span className="muted small">(from the schedule, UTC)</span></h3>
      <ErrorBox error={scheduleError} />
      <table className="grid" data-testid="next-runs">
        <thead><tr><th>scheduled for</th><th>UTC</th></tr></thead>
        <tbody>
          {upcoming.map((d) => <tr key={d.toISOString()}><td>{time(d.toISOString())}</td><td><code>{d.toISOString()}</code></td></tr>)}
        </tbody>
      </table>
      <h3>Latest runs {count !== null && <span className="muted small">({count} runs kept)</span>}</h3>
      <RunTable runs={latest} testid="latest-runs" />
    </div>
  );
}
