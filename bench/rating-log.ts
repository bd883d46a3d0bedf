/**
 * Synthetic rating logs shaped like the public ones `sibyl eval` is judged on, not like an exchange:
 * a catalogue that stays (old titles plus a stream of releases whose attention fades), users who
 * arrive over the span and rate in bursts (most once, some come back), tastes in a latent space.
 * A proxy for held-out logs that the market simulator does not cover: spans of months or decades,
 * where a fixed half-life in days means something else (BENCHMARKS.md, "Then logs that span years").
 *
 *   npx tsx bench/rating-log.ts PROFILE SEED OUT.csv [TASTE=2]
 *
 * PROFILE `months`: 943 users, 1,682 titles over 215 days (MovieLens-100K's size and span);
 * `decades`: 610 users, 6,000 titles over 22 years (MovieLens latest-small's). TASTE scales how
 * much the latent tastes weigh against attention. Writes `userId,ticker,ts` (epoch seconds).
 */
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { Rng } from '../src/util/rng.js';

const DAY_S = 86_400;
const DIM = 8;

const PROFILES = {
  months: { users: 943, items: 1682, spanDays: 215, oldShare: 0.75, fadeDays: 45, maxRatings: 700 },
  decades: { users: 610, items: 6000, spanDays: 22 * 365, oldShare: 0.35, fadeDays: 400, maxRatings: 2000 },
};
export type RatingProfile = keyof typeof PROFILES;

/** Rows `[user, item, epoch seconds]`, sorted by time. */
export function ratingLog(profile: RatingProfile, seed: number, taste = 2): [number, number, number][] {
  const p = PROFILES[profile];
  const rng = Rng.of(seed, 'rating-log', profile);
  const start = 880_000_000;
  const span = p.spanDays * DAY_S;
  const vector = () => Array.from({ length: DIM }, () => (1.6 * rng.normal()) / Math.sqrt(DIM));
  const items = Array.from({ length: p.items }, () => ({
    v: vector(),
    appeal: rng.lognormal(0, 1.3),
    // Old titles were out before the log starts; the rest come out during it.
    release: rng.chance(p.oldShare) ? start - rng.next() * 5 * span : start + rng.next() * span,
  }));
  const rows: [number, number, number][] = [];
  for (let u = 0; u < p.users; u++) {
    const userTaste = vector();
    const arrive = start + rng.next() * span * 0.97;
    const ratings = Math.min(p.maxRatings, Math.round(20 + rng.lognormal(Math.log(40), 1)));
    // The first session at arrival; one user in five comes back one to four times.
    const sessions = [arrive];
    if (rng.chance(0.2)) {
      for (let k = 1 + rng.int(4); k > 0; k--) sessions.push(arrive + rng.next() * (start + span - arrive));
    }
    sessions.sort((a, b) => a - b);
    const shares = sessions.length > 1 ? rng.dirichlet(sessions.map(() => 2)) : [1];
    const seen = new Uint8Array(p.items);
    const affinity = items.map((it) => taste * it.v.reduce((a, x, d) => a + x * userTaste[d]!, 0));
    sessions.forEach((t0, s) => {
      // Attention: appeal, tripled-and-more while new, fading over `fadeDays` to a quarter.
      const keys: [number, number][] = [];
      for (let i = 0; i < p.items; i++) {
        const age = t0 - items[i]!.release;
        if (age < 0 || seen[i]) continue;
        const attention = items[i]!.appeal * (0.25 + 3 * Math.exp(-age / (p.fadeDays * DAY_S)));
        // Gumbel top-k: a draw without replacement, proportional to attention × e^affinity.
        keys.push([Math.log(attention) + affinity[i]! + rng.gumbel(), i]);
      }
      keys.sort((a, b) => b[0] - a[0]);
      const picked = keys.slice(0, Math.max(1, Math.round(shares[s]! * ratings)));
      const length = Math.min(3 * 3600, 40 * picked.length);
      const times = picked.map(() => t0 + rng.next() * length).sort((a, b) => a - b);
      picked.forEach(([, i], k) => {
        seen[i] = 1;
        rows.push([u, i, Math.floor(times[k]!)]);
      });
    });
  }
  return rows.sort((a, b) => a[2] - b[2]);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [profile, seed, out, taste] = process.argv.slice(2);
  if (!profile || !(profile in PROFILES) || !seed || !out) {
    console.error('usage: tsx bench/rating-log.ts months|decades SEED OUT.csv [TASTE]');
    process.exit(2);
  }
  const rows = ratingLog(profile as RatingProfile, Number(seed), taste ? Number(taste) : undefined);
  await writeFile(
    out,
    ['userId,ticker,ts', ...rows.map(([u, i, t]) => `u${u},m${i},${t}`)].join('\n') + '\n',
  );
  console.log(`${out}: ${rows.length.toLocaleString('en-US')} rows`);
}
