/**
 * `npm run spread`: the shared source files that know a specific cloud. It lists every tracked
 * source file outside the clouds' own folders and files (`<anything>/<cloud>/…`, `…/<cloud>.ts`), the table files and the
 * tests that names a cloud's provider ids, store ids, endpoint variables or SDK packages, as the
 * table of clouds (core/clouds.ts) declares them. The goal is that it lists at most the tables.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { clouds } from '../core/clouds.js';
import { ROOT } from './bundle.js';

const TABLES = ['core/clouds.ts', 'handlers/functions.ts', 'dev/clouds.ts', 'bench/clouds.ts'];

/** What names a cloud: each pattern with the cloud it belongs to and what it is. */
function namings(): Array<{ cloud: string; what: string; pattern: RegExp }> {
  const quoted = (id: string) => new RegExp(`['"\`]${escape(id)}['"\`]|\\b${escape(id)}:[a-z]{2}-`);
  return clouds().flatMap((c) => [
    ...c.providers.map((p) => ({ cloud: c.id, what: `provider ${p.id}`, pattern: quoted(p.id) })),
    ...c.stores.map((s) => ({ cloud: c.id, what: `store ${s}`, pattern: quoted(s) })),
    ...c.endpointVariables.map((v) => ({ cloud: c.id, what: v, pattern: new RegExp(`\\b${escape(v)}\\b`) })),
    ...c.sdkPackages.map((p) => ({ cloud: c.id, what: p, pattern: new RegExp(escape(p)) })),
  ]);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** Code only: a comment or an @example that mentions a cloud documents it, it does not know it. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** Tracked source files that are shared: not in a cloud's folder, not a table, not a test. */
export function sharedSources(): string[] {
  const ids = clouds().map((c) => c.id);
  const files = execFileSync('git', ['ls-files', '*.ts', '*.cjs', '*.mjs', '*.js'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  return files.filter((f) => {
    const parts = f.split('/');
    const own = parts.slice(0, -1).some((d) => ids.includes(d)) || ids.includes(parts.at(-1)!.replace(/\.[a-z]+$/, '')); // <cloud>/… or …/<cloud>.ts
    return !own && !TABLES.includes(f) && !f.endsWith('.test.ts') && !f.startsWith('test/');
  });
}

/** Each shared file that names a specific cloud, with what it names. */
export function spread(): Array<{ file: string; names: string[] }> {
  const patterns = namings();
  return sharedSources()
    .map((file) => {
      const text = withoutComments(readFileSync(`${ROOT}/${file}`, 'utf8'));
      return { file, names: [...new Set(patterns.filter((p) => p.pattern.test(text)).map((p) => `${p.cloud}: ${p.what}`))] };
    })
    .filter((r) => r.names.length > 0);
}

if (process.argv[1]?.endsWith('spread.ts')) {
  const rows = spread();
  for (const r of rows) console.log(`${r.file}\t${r.names.join(', ')}`);
  console.log(`${rows.length} shared file(s) outside the tables name a specific cloud (${sharedSources().length} shared source files read)`);
}
