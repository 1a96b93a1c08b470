// Events: each event trigger, its recent events and delivery attempts
// (pg_get_event_logs, pg_get_event_invocation_logs), redelivery of one event, and the
// manual invocation of a trigger that allows it.
import { useCallback, useEffect, useState } from 'react';
import { metadataApi } from '../api.js';
import { tableKey } from '../schema.js';
import {
  Badge, ErrorBox, Json, ListAndDetail, Notice, headerSource, time, useAction, webhookSource,
} from '../ui.jsx';

const REFRESH_MS = 3000;

/** Every event trigger of every source, with its source and table. */
export function eventTriggers(metadata) {
  const out = [];
  for (const source of metadata.sources || []) {
    for (const entry of source.tables || []) {
      for (const trigger of entry.event_triggers || []) out.push({ source: source.name, table: entry.table, trigger });
    }
  }
  return out;
}

function status(event) {
  if (event.delivered) return <Badge kind="full">delivered</Badge>;
  if (event.error) return <Badge kind="none">failed</Badge>;
  if (event.locked) return <Badge kind="partial">delivering</Badge>;
  return <Badge kind="partial">{event.tries ? 'retrying' : 'pending'}</Badge>;
}

export function EventsPage({ metadata, detail, navigate }) {
  const triggers = eventTriggers(metadata);
  const items = triggers.map((t) => ({ key: t.trigger.name, label: t.trigger.name, hint: tableKey(t.table), ...t }));
  const selected = items.find((t) => t.key === detail) || null;
  return (
    <ListAndDetail title="Event triggers" items={items} selected={selected}
      onSelect={(key) => navigate('events', key)} empty="No event triggers in the metadata."
      hint="Pick an event trigger to see its events and deliveries.">
      <TriggerView key={detail} item={selected} />
    </ListAndDetail>
  );
}

function TriggerView({ item }) {
  const { trigger, source, table } = item;
  const def = trigger.definition || {};
  const [events, setEvents] = useState([]);
  const [invocations, setInvocations] = useState([]);
  const [notice, setNotice] = useState(null);
  const action = useAction();

  const refresh = useCallback(async () => {
    try {
      const args = { name: trigger.name, source, limit: 20, offset: 0 };
      const [e, i] = await Promise.all([
        metadataApi('pg_get_event_logs', args),
        metadataApi('pg_get_event_invocation_logs', args),
      ]);
      setEvents(e);
      setInvocations(i);
    } catch (error) {
      action.setError(error);
    }
  }, [trigger.name, source]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  const redeliver = (id) => action.run(async () => {
    await metadataApi('pg_redeliver_event', { event_id: id, source });
    setNotice(`Event ${id} queued for delivery again.`);
    await refresh();
  });

  return (
    <div>
      <div className="toolbar">
        <h2>{trigger.name}</h2>
        <span className="muted">on {tableKey(table)}</span>
        <span className="spacer" />
        <button type="button" onClick={refresh}>Refresh</button>
      </div>
      <dl className="facts">
        <dt>operations</dt>
        <dd>
          {['insert', 'update', 'delete'].filter((op) => def[op]).map((op) => (
            <span key={op} className="tag">{op} <Json value={def[op].columns} /></span>
          ))}
          {def.enable_manual && <span className="tag">manual</span>}
        </dd>
        <dt>webhook</dt><dd>{webhookSource(trigger)}</dd>
        <dt>headers</dt>
        <dd>{(trigger.headers || []).map((h) => <div key={h.name}>{h.name}: {headerSource(h)}</div>)}{!(trigger.headers || []).length && '—'}</dd>
        <dt>retries</dt><dd><Json value={trigger.retry_conf || {}} /></dd>
        {trigger.comment && (<><dt>comment</dt><dd>{trigger.comment}</dd></>)}
      </dl>
      <ErrorBox error={action.error} onClose={() => action.setError(null)} />
      <Notice>{notice}</Notice>
      {def.enable_manual && <ManualInvoke name={trigger.name} source={source} onInvoked={(id) => { setNotice(`Invoked: event ${id}.`); refresh(); }} />}

      <h3>Recent events</h3>
      <table className="grid" data-testid="events">
        <thead><tr><th>event</th><th>created</th><th>status</th><th>tries</th><th>next retry</th><th>payload</th><th /></tr></thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id} data-event-id={e.id}>
              <td><code title={e.id}>{e.id.slice(0, 8)}</code></td>
              <td>{time(e.created_at)}</td>
              <td>{status(e)}</td>
              <td>{e.tries}</td>
              <td>{time(e.next_retry_at)}</td>
              <td><Json value={e.payload} /></td>
              <td><button type="button" className="link" onClick={() => redeliver(e.id)} disabled={action.busy}>redeliver</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      {events.length === 0 && <p className="muted">No events logged yet.</p>}

      <h3>Delivery attempts</h3>
      <table className="grid" data-testid="invocations">
        <thead><tr><th>event</th><th>at</th><th>HTTP status</th><th>request</th><th>response</th></tr></thead>
        <tbody>
          {invocations.map((i) => (
            <tr key={i.id} data-invocation-id={i.id} data-event-id={i.event_id}>
              <td><code title={i.event_id}>{i.event_id.slice(0, 8)}</code></td>
              <td>{time(i.created_at)}</td>
              <td>{i.status ? <Badge kind={i.status < 300 ? 'full' : 'none'}>{i.status}</Badge> : <Badge kind="none">no answer</Badge>}</td>
              <td><Json value={i.request} /></td>
              <td><Json value={i.response} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      {invocations.length === 0 && <p className="muted">No delivery attempts yet.</p>}
    </div>
  );
}

function ManualInvoke({ name, source, onInvoked }) {
  const [payload, setPayload] = useState('{}');
  const action = useAction();
  const invoke = (e) => {
    e.preventDefault();
    action.run(async () => {
      let row;
      try { row = JSON.parse(payload); } catch { throw new Error('The row is not valid JSON'); }
      const answer = await metadataApi('pg_invoke_event_trigger', { name, source, payload: row });
      onInvoked(answer.event_id);
    });
  };
  return (
    <form className="inline-form manual" onSubmit={invoke} data-testid="manual-invoke">
      <label>Invoke by hand with the row <input name="payload" size={60} value={payload} onChange={(e) => setPayload(e.target.value)} /></label>
      <button type="submit" disabled={action.busy}>Invoke</button>
      <ErrorBox error={action.error} />
    </form>
  );
}
