/** The API on the feed benchmark's fixture, in its own process so the load generator does not share its CPU. */
import { startBenchApi } from './bench-api.js';
import { feedFixture } from './feed-fixture.js';

const { store } = await feedFixture();
const api = await startBenchApi(store);
console.log(JSON.stringify({ url: api.url, rssMb: process.memoryUsage().rss / 2 ** 20 }));
process.on('SIGTERM', () => process.exit(0));
