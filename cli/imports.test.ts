/**
 * A cache hit must load no cloud SDK: everything `cli/main.ts` imports statically (transitively)
 * is a node built-in or our own module. The cloud signers are reached only by `import()`.
 * (test/e2e/client.test.ts checks the same of the shipped bundle at run time.)
 */
import { describe, expect, it } from 'vitest';
import { reachable } from '../test/support/import-graph.js';

/** What loads with `entry`: static value imports and re-exports (not `import type`, not `import()`). */
const graph = (entry: string) => reachable(entry);

describe('the credential helper\'s hit path', () => {
  it('imports node built-ins only', () => {
    const { files, packages } = graph('cli/main.ts');
    expect(packages.every((p) => p.startsWith('node:')), packages.join(', ')).toBe(true);
    expect(files.filter((f) => f.startsWith('cli/sign/'))).toEqual(['cli/sign/index.ts']);
  });

  it('imports neither node:crypto nor node:child_process: each would cost a cache hit a tenth or more of Node\'s start-up', () => {
    const { packages } = graph('cli/main.ts');
    expect(packages.filter((p) => ['node:crypto', 'node:child_process', 'node:net', 'node:stream'].includes(p))).toEqual([]);
  });

  it('--invoke (cli/invoke.ts, loaded by import()) imports no SDK either: it reaches the Alibaba signer through the lazy table', () => {
    const { files, packages } = graph('cli/invoke.ts');
    expect(packages.every((p) => p.startsWith('node:')), packages.join(', ')).toBe(true);
    expect(files.filter((f) => f.startsWith('cli/sign/'))).toEqual(['cli/sign/index.ts']);
  });

  it('sees through the check: a signer does import its SDK', () => {
    expect(graph('cli/sign/aws.ts').packages).toContain('@aws-sdk/credential-provider-node');
  });
});
