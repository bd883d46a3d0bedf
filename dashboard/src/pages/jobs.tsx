import { useEffect, useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import { Status, useAction, useLoad } from '../components/load.js';
import { duration, when } from '../format.js';
import type { JobRuns } from '../types.js';

/** Runs are re-read this often while the page is open, so a triggered run is seen to finish. */
const REFRESH_MS = 5_000;

export function JobsPage() {
  const loaded = useLoad(() => api.get<JobRuns>('/v1/job-runs?limit=50'));
  const [job, setJob] = useState('');
  const [message, setMessage] = useState<string>();
  const { error, run } = useAction();
  useEffect(() => {
    const timer = setInterval(() => void loaded.reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [loaded.reload]);
  const data = loaded.data;
  const chosen = job || data?.jobs[0] || '';

  const trigger = async (e: Event) => {
    e.preventDefault();
    await run(async () => {
      const queued = await api.post<{ id: string }>(`/v1/jobs/${enc(chosen)}`, {});
      setMessage(`Queued ${chosen} (job ${queued.id}).`);
      await loaded.reload();
    });
  };

  return (
    <>
      <div class="page-title">
        <h1>Jobs</h1>
        <button type="button" onClick={() => void loaded.reload()}>
          Refresh
        </button>
      </div>
      <Status loaded={loaded}>
        {data && (
          <form class="inline-form" onSubmit={trigger}>
            <div class="field">
              <label for="job-name">Job</label>
              <select id="job-name" value={chosen} onChange={(e) => setJob(e.currentTarget.value)}>
                {data.jobs.map((name) => (
                  <option value={name}>{name}</option>
                ))}
              </select>
            </div>
            <button type="submit" class="primary">
              Run now
            </button>
          </form>
        )}
        {message && (
          <p role="status" class="notice">
            {message}
          </p>
        )}
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        {data && (
          <table>
            <caption>Recent runs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Status</th>
                <th scope="col">Started</th>
                <th scope="col">Duration</th>
                <th scope="col">Attempt</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {data.runs.map((run) => (
                <tr key={run._id} data-run={run.name}>
                  <th scope="row">{run.name}</th>
                  <td>
                    <span class={`badge ${run.status}`}>{run.status}</span>
                  </td>
                  <td>{when(run.startedAt)}</td>
                  <td>{duration(run.durationMs)}</td>
                  <td>{run.attempt}</td>
                  <td class="reason">{run.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {data && data.runs.length === 0 && <p>No runs yet.</p>}
      </Status>
    </>
  );
}
