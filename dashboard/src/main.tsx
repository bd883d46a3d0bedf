import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { logOut, resumeSession, whenLoggedOut, type Session } from './api.js';
import { LoginPage } from './pages/login.js';
import { ExperimentsPage } from './pages/experiments.js';
import { ExperimentFormPage } from './pages/experiment-form.js';
import { ResultsPage } from './pages/results.js';
import { ModelsPage } from './pages/models.js';
import { FeedPreviewPage } from './pages/feed-preview.js';
import { JobsPage } from './pages/jobs.js';
import { ReportsPage } from './pages/reports.js';
import { ReportDayPage } from './pages/report-day.js';
import './styles.css';

/** Pages are addressed by the URL's hash (#/experiments, #/experiments/KEY/results, …). */
function useRoute(): string[] {
  const parse = () =>
    (location.hash.replace(/^#\/?/, '') || 'experiments').split('/').map(decodeURIComponent);
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const onChange = () => setRoute(parse());
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

const NAV = [
  ['experiments', 'Experiments'],
  ['models', 'Models'],
  ['feed', 'Feed preview'],
  ['reports', 'Daily reports'],
  ['jobs', 'Jobs'],
] as const;

function Page({ route }: { route: string[] }) {
  const [section, key, action] = route;
  if (section === 'experiments' && key === 'new') return <ExperimentFormPage />;
  if (section === 'experiments' && key && action === 'edit')
    return <ExperimentFormPage experimentKey={key} />;
  if (section === 'experiments' && key && action === 'results') return <ResultsPage experimentKey={key} />;
  if (section === 'experiments') return <ExperimentsPage />;
  if (section === 'models') return <ModelsPage />;
  if (section === 'feed') return <FeedPreviewPage />;
  if (section === 'reports' && key) {
    const version = action ? Number(action) : undefined;
    if (version === undefined || (Number.isInteger(version) && version >= 1))
      return <ReportDayPage date={key} version={version} />;
  }
  if (section === 'reports' && !key) return <ReportsPage />;
  if (section === 'jobs') return <JobsPage />;
  return <p role="alert">No page “{route.join('/')}”.</p>;
}

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const route = useRoute();
  useEffect(() => {
    whenLoggedOut(() => setSession(null));
    resumeSession().then(setSession, () => setSession(null));
  }, []);
  useEffect(() => {
    const title = NAV.find(([path]) => path === route[0])?.[1];
    document.title = title ? `${title} · Sibyl` : 'Sibyl';
  }, [route]);
  if (session === undefined) return <p aria-busy="true">Loading…</p>;
  if (session === null) return <LoginPage onLoggedIn={setSession} />;
  return (
    <>
      <header>
        <span class="brand">Sibyl</span>
        <nav aria-label="Pages">
          {NAV.map(([path, label]) => (
            <a href={`#/${path}`} aria-current={route[0] === path ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <button type="button" onClick={() => logOut().then(() => setSession(null))}>
          Log out
        </button>
      </header>
      <main>
        <Page route={route} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
