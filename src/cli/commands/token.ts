import type { Command } from 'commander';
import { loadConfig } from '../../config/env.js';
import { issueUserToken } from '../../util/user-token.js';
import { UsageError } from '../errors.js';

/** `--ttl 1h`, `90m`, `3600s` or bare seconds. */
export function parseTtl(text: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!m || Number(m[1]) === 0)
    throw new UsageError(`--ttl: expected e.g. 3600, 90m, 12h or 7d, got "${text}"`);
  return Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[m[2]!]!;
}

export function registerToken(program: Command): void {
  program
    .command('token')
    .description(
      "Print a user token (signed with SIBYL_USER_TOKEN_SECRET) that opens that user's feed and feed stream",
    )
    .requiredOption('--user <id>', 'the user the token speaks for')
    .option('--ttl <duration>', 'how long it is valid (seconds, or with s/m/h/d)', '1h')
    .action((opts: { user: string; ttl: string }) => {
      const secret = loadConfig().SIBYL_USER_TOKEN_SECRET;
      if (!secret)
        throw new UsageError('SIBYL_USER_TOKEN_SECRET is unset: set it (32+ characters) to issue tokens');
      if (!opts.user.trim()) throw new UsageError('--user: must not be empty');
      const expiresAt = new Date(Date.now() + parseTtl(opts.ttl) * 1000);
      console.log(issueUserToken(secret, opts.user, expiresAt));
    });
}
