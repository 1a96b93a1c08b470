// Metadata: export (download), reload, inconsistencies (with drop), and the migration
// state kept in hdb_catalog.hdb_version.
import { useCallback, useEffect, useState } from 'react';
import { metadataApi, runSql } from '../api.js';
import { Badge, ErrorBox, Json, Notice, time, useAction } from '../ui.jsx';

function download(metadata) {
  const blob = new Blob([JSON.stringify(metadata, null, 2)], { type: 'application/json' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = `metadata-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.json`;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

export function MetadataPage({ reloadMetadata }) {
  const [inconsistency, setInconsistency] = useState(null);
  const [versions, setVersions] = useState(null);
  const [notice, setNotice] = useState(null);
  const action = useAction();

  const refresh = useCallback(() => action.run(async () => {
    setInconsistency(await metadataApi('get_inconsistent_metadata'));
    setVersions(await runSql(
      'SELECT version, upgraded_on, cli_state::text AS cli_state FROM hdb_catalog.hdb_version',
    ));
  }), []); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => { refresh(); }, [refresh]);

  const exportIt = () => action.run(async () => {
    download(await metadataApi('export_metadata'));
    setNotice('Metadata exported (downloaded as JSON).');
  });
  const reload = () => action.run(async () => {
    const answer = await metadataApi('reload_metadata', { reload_remote_schemas: true, reload_sources: true });
    setNotice(answer.is_consistent === false ? 'Metadata reloaded, with inconsistencies (below).' : 'Metadata reloaded.');
    await reloadMetadata();
    await refresh();
  });
  const drop = () => action.run(async () => {
    if (!window.confirm('Drop every inconsistent object from the metadata?')) return;
    await metadataApi('drop_inconsistent_metadata');
    setNotice('Inconsistent objects dropped.');
    await reloadMetadata();
    await refresh();
  });

  const objects = (inconsistency && inconsistency.inconsistent_objects) || [];
  return (
    <section className="content wide">
      <div className="toolbar">
        <h2>Metadata</h2>
        <span className="spacer" />
        <button type="button" onClick={exportIt} disabled={action.busy}>Export (download)</button>
        <button type="button" onClick={reload} disabled={action.busy}>Reload</button>
      </div>
      <ErrorBox error={action.error} onClose={() => action.setError(null)} />
      <Notice>{notice}</Notice>

      <h3>Consistency</h3>
      {inconsistency && inconsistency.is_consistent && <p data-testid="consistency"><Badge kind="full">consistent</Badge> every object of the metadata is in force.</p>}
      {objects.length > 0 && (
        <>
          <p data-testid="consistency"><Badge kind="none">{objects.length} inconsistent</Badge> these objects are left out of the schema.</p>
          <table className="grid" data-testid="inconsistencies">
            <thead><tr><th>type</th><th>name</th><th>reason</th><th>definition</th></tr></thead>
            <tbody>
              {objects.map((o, i) => (
                <tr key={i}><td>{o.type}</td><td>{o.name || ''}</td><td>{o.reason}</td><td><Json value={o.definition} /></td></tr>
              ))}
            </tbody>
          </table>
          <button type="button" className="danger" onClick={drop} disabled={action.busy}>Drop inconsistent objects</button>
        </>
      )}

      <h3>Migrations</h3>
      {versions && versions.length === 0 && <p className="muted">hdb_catalog.hdb_version has no row yet.</p>}
      {versions && versions.map((v) => <MigrationState key={v.version} row={v} />)}
    </section>
  );
}

function MigrationState({ row }) {
  let state = {};
  try { state = JSON.parse(row.cli_state || '{}'); } catch { /* shown raw below */ }
  const sources = Object.entries(state.migrations || {});
  return (
    <div data-testid="migrations">
      <dl className="facts">
        <dt>catalog version</dt><dd>{row.version}</dd>
        <dt>upgraded on</dt><dd>{time(row.upgraded_on)}</dd>
        <dt>migration mode</dt><dd>{(state.settings && state.settings.migration_mode) || '—'}</dd>
      </dl>
      {sources.length === 0 && <p className="muted">No migration applied through the CLI state yet.</p>}
      {sources.map(([source, applied]) => (
        <div key={source}>
          <h4>{source}: {Object.keys(applied).length} applied</h4>
          <table className="grid">
            <thead><tr><th>version</th><th>state</th></tr></thead>
            <tbody>
              {Object.entries(applied).sort(([a], [b]) => (a < b ? 1 : -1)).map(([version, dirty]) => (
                <tr key={version}><td><code>{version}</code></td><td>{dirty ? <Badge kind="none">dirty</Badge> : <Badge kind="full">applied</Badge>}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </div>
  );
}
