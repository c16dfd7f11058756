/**
 * osls reads serverless.yml, not TypeScript: this keeps its functions the ones AWS ships
 * (handlers/aws/functions.ts), as the other clouds' deploy plans read them from there.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AWS_FUNCTIONS } from '../../handlers/aws/functions.js';
import { ROOT } from '../../scripts/bundle.js';

/** `functions:` of serverless.yml as [name, handler module]: each entry's key and its `handler: <module>.handler`. */
function serverlessFunctions(): Array<[string, string]> {
  const yml = readFileSync(`${ROOT}/serverless.yml`, 'utf8');
  const block = /^functions:\n((?:(?: .*)?\n)*)/m.exec(yml)?.[1] ?? '';
  return [...block.matchAll(/^ {2}([A-Za-z][\w-]*):\n(?: {4}.*\n)*? {4}handler: (\S+)\.handler$/gm)].map((m) => [m[1]!, m[2]!]);
}

describe('serverless.yml', () => {
  it('deploys exactly the functions of handlers/aws/functions.ts, each from its entry', () => {
    expect(serverlessFunctions()).toEqual(Object.values(AWS_FUNCTIONS).map((h) => [h.name, h.entry.replace(/\.ts$/, '')]));
  });
});
