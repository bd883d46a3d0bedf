/**
 * Writes src/client/generated/sibyl-api.ts, the TypeScript types of the API (`paths`,
 * `components`), from the OpenAPI document the server serves (src/api/openapi), with
 * openapi-typescript. `npm run client:types`; a test fails when the file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';
import { openApiDocument } from '../src/api/openapi/document.js';

const ROOT = join(import.meta.dirname, '..');
export const CLIENT_TYPES = join(ROOT, 'src/client/generated/sibyl-api.ts');

const BANNER = `// Generated from the OpenAPI document (src/api/openapi) by \`npm run client:types\`: do not edit.
`;

/** The types file as it should read now, formatted as the repository's Prettier settings format it. */
export async function renderClientTypes(): Promise<string> {
  const ast = await openapiTS(openApiDocument() as unknown as OpenAPI3, { alphabetize: false });
  const options = (await resolveConfig(CLIENT_TYPES)) ?? {};
  return format(BANNER + astToString(ast), { ...options, parser: 'typescript' });
}

export const clientTypesAreCurrent = async () =>
  readFileSync(CLIENT_TYPES, 'utf8') === (await renderClientTypes());

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(CLIENT_TYPES, await renderClientTypes());
  console.log(`wrote ${CLIENT_TYPES}`);
}
