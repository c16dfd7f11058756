/**
 * The parameter checks of the AWS packaging glue (iam.cjs, events.cjs), called the way osls calls
 * them: with a resolveVariable over the stack's params.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
type Glue = (ctx: { resolveVariable: (name: string) => Promise<unknown> }) => Promise<Record<string, unknown>>;
const iam = require('./iam.cjs') as Glue;
const events = require('./events.cjs') as Glue;

const params = (values: Record<string, string>) => ({
  resolveVariable: async (name: string) => ({ 'self:service': 'regcred', 'sls:stage': 'prod', 'param:registries': 'ecr:us-east-1', ...values })[name],
});
const withParams = (values: Record<string, string>) =>
  params(Object.fromEntries(Object.entries(values).map(([k, v]) => [`param:${k}`, v])));

describe('iam.cjs secretArns', () => {
  it.each([
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:team/pull-??????',
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:team/pull-AbCdEf',
  ])('accepts %s', async (arn) => {
    const { roles } = (await iam(withParams({ secretArns: arn }))) as { roles: Record<string, unknown> };
    expect(JSON.stringify(roles.RefreshRole)).toContain(arn);
  });

  it.each([
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:?*',
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:*',
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:team/*',
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:team/pull-???????',
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:-??????',
    'arn:aws:secretsmanager:*:123456789012:secret:team/pull-??????',
  ])('rejects %s, which would match secrets nobody listed', async (arn) => {
    await expect(iam(withParams({ secretArns: arn }))).rejects.toThrow(`param secretArns: '${arn}' is not a Secrets Manager secret ARN`);
  });
});

describe('events.cjs refreshSources', () => {
  it('matches regcred.refresh events from the listed sources only', async () => {
    expect(await events(withParams({ refreshSources: 'regcred.operator, ci.pipeline' }))).toEqual({
      refreshPattern: { source: ['regcred.operator', 'ci.pipeline'], 'detail-type': ['regcred.refresh'] },
    });
  });

  it.each(['', 'aws.events', 'bad source'])('rejects refreshSources %j', async (value) => {
    await expect(events(withParams({ refreshSources: value }))).rejects.toThrow(/param refreshSources/);
  });
});
