import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../src/config/env.js';
import { CONFIGURATION_DOC, renderConfigurationDoc } from '../../scripts/env-docs.js';

describe('docs/configuration.md', () => {
  it('is what `npm run docs:env` generates from the config schema now (run it after changing src/config/env.ts)', async () => {
    expect(readFileSync(CONFIGURATION_DOC, 'utf8')).toBe(await renderConfigurationDoc());
  });

  it('lists every variable the schema reads', () => {
    const doc = readFileSync(CONFIGURATION_DOC, 'utf8');
    for (const name of Object.keys(envSchema.shape)) expect(doc).toContain(`| \`${name}\``);
  });
});
