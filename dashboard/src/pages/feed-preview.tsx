import { useState } from 'preact/hooks';
import { api, enc } from '../api.js';
import { Status, useAction, useLoad } from '../components/load.js';
import { decimal } from '../format.js';
import type { ExperimentList, FeedPreview } from '../types.js';

/** One arm's feed for the user. */
function Column(props: { title: string; feed: FeedPreview }) {
  return (
    <section class="feed-column" aria-label={props.title} data-ranker={props.feed.ranker}>
      <h2>{props.title}</h2>
      <p class="muted">
        ranked by <code>{props.feed.ranker}</code>
        {props.feed.model ? ` with model ${props.feed.model}` : ''}
      </p>
      <ol>
        {props.feed.items.map((item) => (
          <li key={item.ticker}>
            <div class="item-title">{item.title}</div>
            <div class="muted">
              {item.category} · <code>{item.ticker}</code> · score {decimal(item.score, 3)}
            </div>
            {item.reasons.length > 0 && <div class="reasons">{item.reasons.join(' · ')}</div>}
          </li>
        ))}
      </ol>
      {props.feed.items.length === 0 && <p>No markets for this user.</p>}
    </section>
  );
}

export function FeedPreviewPage() {
  const experiments = useLoad(() => api.get<ExperimentList>('/v1/experiments'));
  const [userId, setUserId] = useState('user-1');
  const [experimentKey, setExperimentKey] = useState('');
  const [feeds, setFeeds] = useState<{ title: string; feed: FeedPreview }[]>();
  const { error, run } = useAction();
  const list = experiments.data;
  const chosen = list?.experiments.find((e) => e.key === experimentKey) ?? list?.experiments[0];

  const show = async (e: Event) => {
    e.preventDefault();
    if (!chosen) return;
    await run(async () => {
      setFeeds(
        await Promise.all(
          chosen.variations.map(async (v) => ({
            title: v.name ?? `Arm ${v.id}`,
            feed: await api.get<FeedPreview>(
              `/v1/users/${enc(userId.trim())}/feed/preview?ranker=${enc(v.ranker)}&limit=10`,
            ),
          })),
        ),
      );
    });
  };

  return (
    <>
      <h1>Feed preview</h1>
      <p class="help">
        What each arm of an experiment would show a user now. Previews assign nobody and log no exposure, so
        they never enter results.
      </p>
      <Status loaded={experiments}>
        {list && list.experiments.length === 0 && <p>No experiments to compare.</p>}
        {chosen && (
          <form class="inline-form" onSubmit={show}>
            <div class="field">
              <label for="preview-user">User id</label>
              <input
                id="preview-user"
                required
                value={userId}
                onInput={(e) => setUserId(e.currentTarget.value)}
              />
            </div>
            <div class="field">
              <label for="preview-experiment">Experiment</label>
              <select
                id="preview-experiment"
                value={chosen.key}
                onChange={(e) => setExperimentKey(e.currentTarget.value)}
              >
                {list!.experiments.map((x) => (
                  <option value={x.key}>{x.name ?? x.key}</option>
                ))}
              </select>
            </div>
            <button type="submit" class="primary">
              Show feeds
            </button>
          </form>
        )}
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        {feeds && (
          <div class="feed-columns">
            {feeds.map((f) => (
              <Column key={f.title} title={f.title} feed={f.feed} />
            ))}
          </div>
        )}
      </Status>
    </>
  );
}
