/**
 * The policy evaluator behind the test registry's token service: default deny, deny wins, the
 * wildcards' exact boundaries, the four clouds' document shapes, and refusal of what it cannot decide.
 */
import { describe, expect, it } from 'vitest';
import { evaluate, matchesPattern, PolicyError, statementsOf } from './policy.js';

const ARN = (name: string) => `arn:aws:ecr:us-east-1:123456789012:repository/${name}`;
const allow = (Action: unknown, Resource: unknown) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource }] });
const deny = (Action: unknown, Resource: unknown) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action, Resource }] });
const ask = (docs: unknown[], action: string, resource: string) => evaluate(docs, { action, resource });

describe('evaluate: allow, default deny, deny wins', () => {
  it('allows an action on a resource a statement names', () => {
    expect(ask([allow('ecr:BatchGetImage', ARN('team/app'))], 'ecr:BatchGetImage', ARN('team/app'))).toBe('allow');
  });

  it('denies by default what no statement names', () => {
    expect(ask([allow('ecr:BatchGetImage', ARN('team/app'))], 'ecr:PutImage', ARN('team/app'))).toBe('none');
    expect(ask([], 'ecr:BatchGetImage', ARN('team/app'))).toBe('none');
  });

  it.each([
    ['after the allow', [allow('ecr:*', ARN('*')), deny('ecr:BatchGetImage', ARN('team/app'))]],
    ['before the allow', [deny('ecr:BatchGetImage', ARN('team/app')), allow('ecr:*', ARN('*'))]],
    ['in the same document', [{ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'ecr:Batch*', Resource: ARN('team/*') }] }]],
  ])('lets an explicit deny win %s', (_where, docs) => {
    expect(ask(docs, 'ecr:BatchGetImage', ARN('team/app'))).toBe('deny');
  });
});

describe('matchesPattern: wildcard boundaries', () => {
  it.each([
    ['repository/team/app', 'repository/team/app', true],
    ['repository/team/app', 'repository/team/app2', false],
    ['repository/team/app', 'repository/team/ap', false],
    ['repository/team/app', 'prefix/repository/team/app', false],
    ['repository/base/*', 'repository/base/img', true],
    ['repository/base/*', 'repository/base/x/y', true],
    ['repository/base/*', 'repository/base', false],
    ['repository/base/*', 'repository/basement/x', false],
    ['repository/team/ap?', 'repository/team/app', true],
    ['repository/team/ap?', 'repository/team/ap', false],
    ['repository/team/ap?', 'repository/team/appp', false],
    ['repository/a.b', 'repository/aXb', false],
    ['arn:aws:ecr:*:123456789012:repository/*', 'arn:aws:ecr:us-east-1:123456789012:repository/x', true],
    ['arn:aws:ecr:*:123456789012:repository/*', 'arn:aws:ecr:us-east-1:210987654321:repository/x', false],
  ])('%s ~ %s → %s', (pattern, value, expected) => {
    expect(matchesPattern(pattern, value)).toBe(expected);
  });

  it('matches actions case-insensitively and within their service only', () => {
    const docs = [allow('ecr:*', '*')];
    expect([ask(docs, 'ECR:batchgetimage', ARN('x')), ask(docs, 'ecr-public:PutImage', ARN('x'))]).toEqual(['allow', 'none']);
  });

  it('matches resources case-sensitively', () => {
    expect(ask([allow('ecr:BatchGetImage', ARN('team/app'))], 'ecr:BatchGetImage', ARN('Team/app'))).toBe('none');
  });
});

describe('statementsOf: the four shapes', () => {
  it('reads Tencent CAM (lower-case keys, effect allow)', () => {
    const cam = { version: '2.0', statement: [{ effect: 'allow', action: ['tcr:PullRepository'], resource: ['qcs::tcr:ap-guangzhou:uin/1:repository/tcr-a/team/app'] }] };
    expect(ask([cam], 'tcr:PullRepository', 'qcs::tcr:ap-guangzhou:uin/1:repository/tcr-a/team/app')).toBe('allow');
  });

  it('reads a single statement and string values (AWS, RAM)', () => {
    const ram = { Version: '1', Statement: { Effect: 'Allow', Action: 'cr:PullRepository', Resource: 'acs:cr:cn-hangzhou:1:repository/cri-a/team/app' } };
    expect(statementsOf(ram)).toEqual([{ effect: 'allow', actions: ['cr:PullRepository'], resources: ['acs:cr:cn-hangzhou:1:repository/cri-a/team/app'] }]);
  });

  it('takes a Huawei 5.0 statement without Resource as one on every resource', () => {
    expect(ask([{ Version: '5.0', Statement: [{ Effect: 'Allow', Action: ['swr:repo:download'] }] }], 'swr:repo:download', 'swr:cn-north-4:d:repo:team/app')).toBe('allow');
  });

  it.each([
    ['an AWS statement without Resource', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*' }] }],
    ['a Condition', { Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } }] }],
    ['a NotAction', { Statement: [{ Effect: 'Allow', NotAction: 'ecr:*', Resource: '*' }] }],
    ['an Effect that is neither', { Statement: [{ Effect: 'Maybe', Action: 'ecr:*', Resource: '*' }] }],
    ['an empty Action list', { Statement: [{ Effect: 'Allow', Action: [], Resource: '*' }] }],
    ['a Principal in an identity policy', { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'ecr:*', Resource: '*' }] }],
    ['no Statement', { Version: '2012-10-17' }],
  ])('refuses to decide %s', (_what, doc) => {
    expect(() => ask([doc], 'ecr:BatchGetImage', ARN('team/app'))).toThrow(PolicyError);
  });
});

describe('evaluate: resource policies', () => {
  const repositoryPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::111122223333:role/puller'] }, Action: ['ecr:BatchGetImage'] }] };

  it('allows the principal it names, on the repository it is attached to', () => {
    expect(evaluate([repositoryPolicy], { action: 'ecr:BatchGetImage', resource: ARN('team/app'), principal: ['arn:aws:iam::111122223333:role/puller'] })).toBe('allow');
  });

  it('allows no other principal', () => {
    expect(evaluate([repositoryPolicy], { action: 'ecr:BatchGetImage', resource: ARN('team/app'), principal: ['arn:aws:iam::111122223333:role/other', '111122223333'] })).toBe('none');
  });

  it('refuses a resource-policy statement without Principal', () => {
    expect(() => evaluate([allow('ecr:*', '*')], { action: 'ecr:BatchGetImage', resource: ARN('x'), principal: ['p'] })).toThrow(PolicyError);
  });
});
