/**
 * The parameter checks and choices of deploy/aws/alarms.cjs, called the way osls calls it: with a
 * resolveVariable over the stack's params. What osls makes of it is checked in
 * test/e2e/aws-package.test.ts.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
interface Glue {
  resources: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>; extensions?: Record<string, unknown> };
  destinations: { onFailure?: string };
}
const alarms = require('./alarms.cjs') as (ctx: { resolveVariable: (name: string) => Promise<unknown> }) => Promise<Glue>;

const DEFAULTS = { alarmTopic: '', failureDestination: '', upstreamErrorThreshold: 10, validityFloorSeconds: 900 };
const withParams = (values: Partial<Record<keyof typeof DEFAULTS, string | number>>) => {
  const all: Record<string, unknown> = { 'self:service': 'regcred', 'sls:stage': 'prod' };
  for (const [k, v] of Object.entries({ ...DEFAULTS, ...values })) all[`param:${k}`] = v;
  return { resolveVariable: async (name: string) => all[name] };
};
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:regcred-oncall';
const grantOf = (glue: Glue) => (glue.resources.Resources.RegcredRefreshFailureDestinationPolicy?.Properties.PolicyDocument as { Statement: unknown[] } | undefined)?.Statement;

describe('alarms.cjs', () => {
  it('adds nothing, and no destination, when neither alarmTopic nor failureDestination is set', async () => {
    expect(await alarms(withParams({}))).toEqual({ resources: { Resources: {} }, destinations: {} });
  });

  it('sends failed refresh events to failureDestination, with the one action its kind needs, and creates no alarm without alarmTopic', async () => {
    // Prepare
    const queue = 'arn:aws:sqs:us-east-1:123456789012:regcred-dead-letters';
    // Act
    const glue = await alarms(withParams({ failureDestination: queue }));
    // Assess
    expect(glue.destinations).toEqual({ onFailure: queue });
    expect(grantOf(glue)).toEqual([{ Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: queue }]);
    expect(Object.values(glue.resources.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm')).toEqual([]);
  });

  it('prefers failureDestination over alarmTopic for the destination, and still alarms to the topic', async () => {
    // Prepare
    const bus = 'arn:aws:events:us-east-1:123456789012:event-bus/ops';
    // Act
    const glue = await alarms(withParams({ alarmTopic: TOPIC, failureDestination: bus }));
    // Assess
    expect(glue.destinations).toEqual({ onFailure: bus });
    expect(grantOf(glue)).toEqual([{ Effect: 'Allow', Action: ['events:PutEvents'], Resource: bus }]);
    expect(Object.values(glue.resources.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm')).toHaveLength(4);
  });

  it('applies the upstreamErrorThreshold and validityFloorSeconds params', async () => {
    // Act
    const { resources } = await alarms(withParams({ alarmTopic: TOPIC, upstreamErrorThreshold: '3', validityFloorSeconds: '1800' }));
    // Assess
    expect(resources.Resources.RegcredUpstreamErrorsAlarm?.Properties.Threshold).toBe(3);
    expect(resources.Resources.RegcredServedValidityLowAlarm?.Properties.Threshold).toBe(1800);
  });

  it.each([
    ['alarmTopic', 'arn:aws:sns:us-east-1:123456789012:oncall.fifo', /param alarmTopic/],
    ['alarmTopic', 'arn:aws:sns:us-east-1:123456789012:*', /param alarmTopic/],
    ['alarmTopic', 'oncall', /param alarmTopic/],
    ['failureDestination', 'arn:aws:s3:::bucket', /param failureDestination/],
    ['failureDestination', 'arn:aws:sqs:us-east-1:123456789012:*', /param failureDestination/],
    ['upstreamErrorThreshold', '0', /param upstreamErrorThreshold/],
    ['validityFloorSeconds', '15m', /param validityFloorSeconds/],
  ] as const)('rejects %s = %s', async (name, value, message) => {
    await expect(alarms(withParams({ alarmTopic: TOPIC, [name]: value }))).rejects.toThrow(message);
  });
});
