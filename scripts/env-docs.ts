/**
 * Writes docs/configuration.md, the reference of every environment variable, from the config schema
 * (src/config/env.ts): each variable's doc comment, its default (parsed by the schema itself) and
 * whether its value is kept out of error messages. `npm run docs:env`; a test fails when the file
 * is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';
import ts from 'typescript';
import { CONFIG_DEFAULTS, envSchema, isSecret } from '../src/config/env.js';

const ROOT = join(import.meta.dirname, '..');
const ENV_SOURCE = join(ROOT, 'src/config/env.ts');
export const CONFIGURATION_DOC = join(ROOT, 'docs/configuration.md');

/** Each property's doc comment in the object literal passed to `envSchema`'s z.object(…). */
function docComments(source: string): Map<string, string> {
  const file = ts.createSourceFile('env.ts', source, ts.ScriptTarget.Latest, true);
  const docs = new Map<string, string>();
  const visit = (node: ts.Node) => {
    if (
      ts.isVariableDeclaration(node) &&
      node.name.getText(file) === 'envSchema' &&
      node.initializer &&
      ts.isCallExpression(node.initializer)
    ) {
      const shape = node.initializer.arguments[0];
      if (shape && ts.isObjectLiteralExpression(shape)) {
        for (const property of shape.properties) {
          const comment = ts
            .getJSDocCommentsAndTags(property)
            .filter(ts.isJSDoc)
            .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '')
            .join(' ');
          if (property.name) docs.set(property.name.getText(file), comment.replace(/\s+/g, ' ').trim());
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return docs;
}

function formatDefault(value: unknown): string {
  if (value === undefined) return '(unset)';
  if (Array.isArray(value)) return value.length ? `\`${value.join(',')}\`` : '(none)';
  return `\`${String(value)}\``;
}

/** Markdown table cells cannot hold a bare `|`. */
const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The reference as it should read now, formatted as the repository's Prettier settings format it. */
export async function renderConfigurationDoc(): Promise<string> {
  const docs = docComments(readFileSync(ENV_SOURCE, 'utf8'));
  const rows = Object.keys(envSchema.shape).map((name) => {
    const doc = docs.get(name);
    if (!doc) throw new Error(`${name} has no doc comment in src/config/env.ts`);
    const defaults = CONFIG_DEFAULTS as Record<string, unknown>;
    return `| \`${name}\`${isSecret(name) ? ' 🔒' : ''} | ${formatDefault(defaults[name])} | ${cell(doc)} |`;
  });
  const markdown = [
    '# Configuration',
    '',
    '<!-- Generated from src/config/env.ts by `npm run docs:env`; edit the doc comments there, not this file. -->',
    '',
    'Every setting is an environment variable, read and validated in one place (`src/config/env.ts`) when',
    'a process starts: a bad value stops it with a message naming the variable. An empty value counts as',
    'unset. 🔒 marks variables whose values may hold credentials: errors name them but never echo their',
    'value.',
    '',
    '| Variable | Default | What it does |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  const options = (await resolveConfig(CONFIGURATION_DOC)) ?? {};
  return format(markdown, { ...options, parser: 'markdown' });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(CONFIGURATION_DOC, await renderConfigurationDoc());
  console.log(`wrote ${CONFIGURATION_DOC}`);
}
