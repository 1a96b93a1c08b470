// The console's shell: the admin secret prompt, the navigation, and the page in view.
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { adminSecret, metadataApi, onSecretRefused } from './api.js';
import { SecretPrompt } from './SecretPrompt.jsx';
import { ErrorBox } from './ui.jsx';
import { DataPage } from './pages/DataPage.jsx';
import { PermissionsPage } from './pages/PermissionsPage.jsx';
import { RelationshipsPage } from './pages/RelationshipsPage.jsx';
import { EventsPage } from './pages/EventsPage.jsx';
import { CronPage } from './pages/CronPage.jsx';
import { ActionsPage } from './pages/ActionsPage.jsx';
import { MetadataPage } from './pages/MetadataPage.jsx';

// GraphiQL is most of the bundle: it is loaded only when its page is opened.
const GraphiQLPage = lazy(() => import('./pages/GraphiQLPage.jsx'));

const PAGES = [
  ['graphiql', 'GraphiQL', GraphiQLPage],
  ['data', 'Data', DataPage],
  ['permissions', 'Permissions', PermissionsPage],
  ['relationships', 'Relationships', RelationshipsPage],
  ['events', 'Events', EventsPage],
  ['cron', 'Cron', CronPage],
  ['actions', 'Actions', ActionsPage],
  ['metadata', 'Metadata', MetadataPage],
];

/** ``#/data/users`` -> ["data", "users"]. */
function readHash() {
  const parts = window.location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const page = PAGES.some(([id]) => id === parts[0]) ? parts[0] : 'graphiql';
  return [page, parts.slice(1).join('/')];
}

export function App() {
  const [hasSecret, setHasSecret] = useState(adminSecret.get() !== null);
  const [refusal, setRefusal] = useState(null);
  const [route, setRoute] = useState(readHash);
  const [metadata, setMetadata] = useState(null);
  const [loadError, setLoadError] = useState(null);

  useEffect(() => {
    const onHash = () => setRoute(readHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  useEffect(() => onSecretRefused((error) => {
    adminSecret.clear();
    setRefusal(error.message);
    setHasSecret(false);
  }), []);

  const reloadMetadata = useCallback(async () => {
    try {
      setMetadata(await metadataApi('export_metadata', {}));
      setLoadError(null);
    } catch (error) {
      setLoadError(error);
    }
  }, []);

  useEffect(() => {
    if (hasSecret) reloadMetadata();
  }, [hasSecret, reloadMetadata]);

  if (!hasSecret) {
    return <SecretPrompt refusal={refusal} onAccepted={() => { setRefusal(null); setHasSecret(true); }} />;
  }
  const [page, detail] = route;
  const Page = PAGES.find(([id]) => id === page)[2];
  const navigate = (target, sub = '') => {
    window.location.hash = `#/${target}${sub ? `/${encodeURIComponent(sub)}` : ''}`;
  };
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Engine console</span>
        <nav>
          {PAGES.map(([id, label]) => (
            <a key={id} href={`#/${id}`} className={id === page ? 'active' : ''} data-page={id}>{label}</a>
          ))}
        </nav>
        <button
          type="button"
          className="link"
          onClick={() => { adminSecret.clear(); setHasSecret(false); }}
          title="Forget the admin secret kept in this tab"
        >
          Forget secret
        </button>
      </header>
      <main className={page === 'graphiql' ? 'page page-full' : 'page'} data-testid={`page-${page}`}>
        {loadError && <ErrorBox error={loadError} />}
        {page !== 'graphiql' && !metadata && !loadError && <p className="muted">Loading metadata…</p>}
        <Suspense fallback={<p className="muted">Loading GraphiQL…</p>}>
          {(page === 'graphiql' || metadata) && (
            <Page metadata={metadata} reloadMetadata={reloadMetadata} detail={detail} navigate={navigate} />
          )}
        </Suspense>
      </main>
    </div>
  );
}
