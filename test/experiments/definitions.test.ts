import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { DefinitionError, formatIssue } from '../../src/experiments/definitions/issues.js';
import { loadDefinitions } from '../../src/experiments/definitions/load.js';
import { validatePayload } from '../../src/experiments/definitions/validate.js';
import { TEST_END } from '../helpers/fixed-clock.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A directory holding `files` (name → JSON value, or raw text). */
async function definitionsDir(files: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sibyl-experiments-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files))
    await writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

function experimentRule(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    key: 'ranker-test',
    variations: ['popularity', 'trending'],
    weights: [0.5, 0.5],
    coverage: 1,
    hashAttribute: 'id',
    hashVersion: 2,
    ...overrides,
  };
}

function rankerFile(rules: unknown[], defaultValue: unknown = 'popularity') {
  return { features: { 'feed-ranker': { defaultValue, rules } } };
}

/** The formatted issues `loadDefinitions` throws for `files`. */
async function issuesOf(files: Record<string, unknown>): Promise<string[]> {
  const dir = await definitionsDir(files);
  const err: unknown = await loadDefinitions(dir).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DefinitionError);
  return (err as DefinitionError).issues.map((issue) => formatIssue(issue).replaceAll(`${dir}/`, ''));
}

/** The issues of a feed-ranker file whose only rule is `rule`. */
const ruleIssues = (rule: Record<string, unknown>) => issuesOf({ 'feed-ranker.json': rankerFile([rule]) });

describe('experiment definitions', () => {
  it('accepts the shipped experiments/ directory', async () => {
    const { payload, experiments } = await loadDefinitions('experiments');
    expect(Object.keys(payload.features)).toEqual(['feed-ranker']);
    expect(experiments).toEqual([
      {
        key: 'ranker-two-tower-vs-popularity',
        feature: 'feed-ranker',
        rule: 0,
        variations: ['popularity', 'two-tower'],
        weights: [0.5, 0.5],
        coverage: 1,
        file: 'experiments/feed-ranker.json',
      },
    ]);
  });

  it('names unknown rankers in variations and in the default value', async () => {
    const issues = await issuesOf({
      'feed-ranker.json': rankerFile([experimentRule({ variations: ['popularity', 'trendy'] })], 'popular'),
    });
    expect(issues).toEqual([
      'feed-ranker.json: feature "feed-ranker" defaultValue: unknown ranker "popular"; rankers are popularity, trending, category-affinity, popularity-global, two-tower, ease, bpr-mf',
      'feed-ranker.json: feature "feed-ranker" rules[0].variations[1]: unknown ranker "trendy"; rankers are popularity, trending, category-affinity, popularity-global, two-tower, ease, bpr-mf',
    ]);
  });

  it('checks forced values of the ranker feature too, but not the values of other features', async () => {
    expect(await ruleIssues({ force: 'nope' })).toEqual([
      'feed-ranker.json: feature "feed-ranker" rules[0].force: unknown ranker "nope"; rankers are popularity, trending, category-affinity, popularity-global, two-tower, ease, bpr-mf',
    ]);
    const dir = await definitionsDir({
      'banner.json': {
        features: { banner: { defaultValue: 'blue', rules: [experimentRule({ variations: ['a', 'b'] })] } },
      },
    });
    await expect(loadDefinitions(dir)).resolves.toMatchObject({ experiments: [{ feature: 'banner' }] });
  });

  it('rejects weights that do not sum to 1 or do not match the variations', async () => {
    expect(await ruleIssues(experimentRule({ weights: [0.5, 0.4] }))).toEqual([
      'feed-ranker.json: feature "feed-ranker" rules[0].weights: they sum to 0.9, not 1',
    ]);
    expect(await ruleIssues(experimentRule({ weights: [0.2, 0.3, 0.5] }))).toEqual([
      'feed-ranker.json: feature "feed-ranker" rules[0].weights: 3 weights for 2 variations',
    ]);
    expect(await ruleIssues(experimentRule({ weights: [1.5, -0.5] }))).toEqual([
      'feed-ranker.json: feature "feed-ranker" rules[0].weights: 1.5 is outside [0, 1]',
    ]);
    // Rounding error is not a mistake.
    const dir = await definitionsDir({
      'feed-ranker.json': rankerFile([experimentRule({ weights: [1 / 3, 2 / 3 + 1e-7] })]),
    });
    await expect(loadDefinitions(dir)).resolves.toBeDefined();
  });

  it('rejects coverage outside [0, 1]', async () => {
    expect(await ruleIssues(experimentRule({ coverage: 1.2 }))).toEqual([
      'feed-ranker.json: feature "feed-ranker" rules[0].coverage: 1.2 is outside [0, 1]',
    ]);
    expect(await ruleIssues(experimentRule({ coverage: -0.1 }))).toEqual([
      'feed-ranker.json: feature "feed-ranker" rules[0].coverage: -0.1 is outside [0, 1]',
    ]);
  });

  it('requires hash version 2, the unbiased hash', async () => {
    expect(await ruleIssues(experimentRule({ hashVersion: 1 }))).toEqual([
      'feed-ranker.json: feature "feed-ranker" rules[0].hashVersion: must be 2 (got 1)',
    ]);
    expect(await ruleIssues(experimentRule({ hashVersion: undefined }))).toEqual([
      'feed-ranker.json: feature "feed-ranker" rules[0].hashVersion: must be 2 (missing)',
    ]);
  });

  it('rejects malformed namespaces', async () => {
    for (const namespace of [['ns', 0.5, 0.2], ['ns', 0, 1.5], ['', 0, 0.5], 'ns', ['ns', 0]])
      expect(await ruleIssues(experimentRule({ namespace }))).toEqual([
        `feed-ranker.json: feature "feed-ranker" rules[0].namespace: expected [id, start, end] with a non-empty id and 0 <= start < end <= 1, got ${JSON.stringify(namespace)}`,
      ]);
    const dir = await definitionsDir({
      'feed-ranker.json': rankerFile([experimentRule({ namespace: ['ns', 0, 0.5] })]),
    });
    await expect(loadDefinitions(dir)).resolves.toMatchObject({
      experiments: [{ namespace: ['ns', 0, 0.5] }],
    });
  });

  it('rejects an experiment key used twice, across files', async () => {
    const issues = await issuesOf({
      'feed-ranker.json': rankerFile([experimentRule({ key: 'shared' })]),
      'banner.json': {
        features: {
          banner: { defaultValue: 'a', rules: [experimentRule({ key: 'shared', variations: ['a', 'b'] })] },
        },
      },
    });
    expect(issues).toEqual([
      'feed-ranker.json: feature "feed-ranker" rules[0].key: experiment key "shared" is already used by feature "banner" in banner.json',
    ]);
  });

  it('reports misspelt fields, broken JSON and files not named after their feature', async () => {
    expect(await ruleIssues(experimentRule({ coverag: 0.5 }))).toEqual([
      'feed-ranker.json: feature "feed-ranker" rules[0]: Unrecognized key: "coverag"',
    ]);
    expect(await issuesOf({ 'feed-ranker.json': '{ "features": ' })).toEqual([
      expect.stringMatching(/^feed-ranker\.json: not valid JSON: /),
    ]);
    expect(await issuesOf({ 'ranker.json': rankerFile([experimentRule()]) })).toEqual([
      'ranker.json: holds features "feed-ranker"; a file holds one feature, named like the file ("ranker")',
    ]);
  });

  it('reports every issue of every file at once', async () => {
    const issues = await issuesOf({
      'feed-ranker.json': rankerFile([
        experimentRule({ coverage: 2 }),
        experimentRule({ key: 'other', weights: [1] }),
      ]),
      'banner.json': '[',
    });
    expect(issues).toEqual([
      expect.stringMatching(/^banner\.json: not valid JSON/),
      'feed-ranker.json: feature "feed-ranker" rules[0].coverage: 2 is outside [0, 1]',
      'feed-ranker.json: feature "feed-ranker" rules[1].weights: 1 weights for 2 variations',
    ]);
  });
});

describe('targeting conditions', () => {
  const conditionIssues = (condition: unknown) => ruleIssues(experimentRule({ condition }));
  const at = (field: string, message: string) =>
    `feed-ranker.json: feature "feed-ranker" rules[0].${field}: ${message}`;

  it('accepts every operator of the GrowthBook condition syntax', async () => {
    const condition = {
      country: { $in: ['US', 'CA'], $nin: ['FR'] },
      tier: 'pro',
      age: { $gte: 18, $lt: 99, $gt: 0, $lte: 98, $ne: 50, $eq: 30 },
      email: { $regex: '@example\\.com$', $exists: true, $type: 'string' },
      appVersion: { $vgte: '1.2.0', $vlt: '2.0.0', $vgt: '1.0', $vlte: '3', $veq: '1.5', $vne: '1.4' },
      tags: { $all: ['a', 'b'], $size: { $gt: 1 }, $elemMatch: { $eq: 'a' } },
      orders: { $elemMatch: { status: 'open' } },
      name: { $not: { $regex: '^test' } },
      id: { $inGroup: 'beta-testers', $notInGroup: 'staff' },
      $or: [{ platform: 'ios' }, { platform: { $in: ['android'] } }],
      $and: [{ verified: true }],
      $nor: [{ banned: true }],
      $not: { country: 'KP' },
    };
    const dir = await definitionsDir({ 'feed-ranker.json': rankerFile([experimentRule({ condition })]) });
    await expect(loadDefinitions(dir)).resolves.toMatchObject({ experiments: [{ condition }] });
  });

  it('rejects unknown operators, at any depth', async () => {
    expect(await conditionIssues({ country: { $foo: 'US' } })).toEqual([
      at('condition.country.$foo', 'unknown operator "$foo"'),
    ]);
    expect(await conditionIssues({ $or: [{ age: { $gt: 1 } }, { $and: [{ $bar: 1 }] }] })).toEqual([
      at('condition.$or[1].$and[0].$bar', 'unknown operator "$bar"'),
    ]);
    expect(await conditionIssues({ $in: ['US'] })).toEqual([
      at('condition.$in', 'unknown operator "$in" here; it applies to an attribute'),
    ]);
  });

  it('rejects operands of the wrong type', async () => {
    expect(await conditionIssues({ country: { $in: 'US' } })).toEqual([
      at('condition.country.$in', 'expects an array of strings or numbers, got "US"'),
    ]);
    expect(await conditionIssues({ email: { $exists: 'yes' } })).toEqual([
      at('condition.email.$exists', 'expects true or false, got "yes"'),
    ]);
    expect(await conditionIssues({ age: { $gt: [18] } })).toEqual([
      at('condition.age.$gt', 'expects a string or number, got an array'),
    ]);
    expect(await conditionIssues({ age: { $type: 'integer' } })).toEqual([
      at(
        'condition.age.$type',
        'expects one of string, number, boolean, array, object, null, undefined, got "integer"',
      ),
    ]);
    expect(await conditionIssues({ $or: { country: 'US' } })).toEqual([
      at('condition.$or', 'expects an array of conditions, got an object'),
    ]);
    expect(await conditionIssues({ country: { $eq: 'US', name: 'x' } })).toEqual([
      at(
        'condition.country',
        'mixes operators and fields ($eq, name); the SDK would compare it as a literal',
      ),
    ]);
    expect(await conditionIssues(['US'])).toEqual([
      at('condition', 'a condition is an object, got an array'),
    ]);
  });

  it('rejects regular expressions that do not compile', async () => {
    expect(await conditionIssues({ email: { $regex: '(unclosed' } })).toEqual([
      expect.stringMatching(
        /rules\[0\]\.condition\.email\.\$regex: invalid regular expression: .*Unterminated group/,
      ),
    ]);
  });
});

describe('validatePayload (a payload from a GrowthBook server)', () => {
  const serverPayload = {
    status: 200,
    dateUpdated: TEST_END.toISOString(),
    features: rankerFile([experimentRule({ condition: { id: { $inGroup: 'beta' } } })]).features,
    savedGroups: { beta: ['u1', 'u2'] },
  };

  it('accepts what a server sends and keeps its saved groups for the SDK', () => {
    const { payload, experiments } = validatePayload(serverPayload, 'https://growthbook.example');
    expect(payload.savedGroups).toEqual({ beta: ['u1', 'u2'] });
    expect(experiments.map((e) => e.file)).toEqual(['https://growthbook.example']);
  });

  it('rejects duplicate keys within one payload, and encrypted payloads it cannot check', () => {
    const duplicated = {
      features: {
        ...rankerFile([experimentRule({ key: 'x' })]).features,
        banner: { rules: [experimentRule({ key: 'x', variations: ['a', 'b'] })] },
      },
    };
    expect(() => validatePayload(duplicated, 'server')).toThrow(
      'server: feature "banner" rules[0].key: experiment key "x" is already used by feature "feed-ranker" in server',
    );
    expect(() => validatePayload({ features: {}, encryptedFeatures: 'abc' }, 'server')).toThrow(
      'server: encryptedFeatures: encrypted payloads are not supported',
    );
  });
});

describe('sibyl experiments', () => {
  async function run(...args: string[]): Promise<{ out: string; exitCode: number }> {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const before = process.exitCode;
    try {
      await buildProgram().parseAsync(['node', 'sibyl', 'experiments', ...args]);
      return { out: lines.join('\n'), exitCode: Number(process.exitCode ?? 0) };
    } finally {
      process.exitCode = before;
      log.mockRestore();
    }
  }

  it('validate prints a count for good definitions and every issue for bad ones', async () => {
    expect(await run('validate')).toEqual({ out: 'ok: 1 features, 1 experiments', exitCode: 0 });
    const dir = await definitionsDir({
      'feed-ranker.json': rankerFile([experimentRule({ coverage: 2, hashVersion: 1 })]),
    });
    const { out, exitCode } = await run('validate', '--dir', dir);
    expect(exitCode).toBe(1);
    expect(out.split('\n')).toEqual([
      `${dir}/feed-ranker.json: feature "feed-ranker" rules[0].coverage: 2 is outside [0, 1]`,
      `${dir}/feed-ranker.json: feature "feed-ranker" rules[0].hashVersion: must be 2 (got 1)`,
    ]);
  });

  it('list shows each experiment with its split and coverage', async () => {
    const dir = await definitionsDir({
      'feed-ranker.json': rankerFile([
        experimentRule({ weights: [0.2, 0.8], coverage: 0.5, condition: { country: 'US' } }),
      ]),
    });
    expect(await run('list', '--dir', dir)).toEqual({
      out: 'ranker-test (feed-ranker): popularity 20%, trending 80%; coverage 50%; if {"country":"US"}',
      exitCode: 0,
    });
  });

  it('a missing directory is a usage error', async () => {
    await expect(run('validate', '--dir', '/nonexistent/sibyl')).rejects.toThrow(
      'no such directory: /nonexistent/sibyl',
    );
  });
});
