import { describe, expect, it } from 'vitest';
import { resolveIntrinsics } from './cloudformation.js';

const STACK = { region: 'us-east-1', accountId: '123456789012', refs: { Secret: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf' }, attributes: { 'HttpRole.Arn': 'arn:aws:iam::123456789012:role/http' } };

describe('resolveIntrinsics', () => {
  it.each([
    ['Fn::Sub with pseudo parameters', { 'Fn::Sub': 'arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/team/*' }, 'arn:aws:ecr:us-east-1:123456789012:repository/team/*'],
    ['Fn::Sub with its own variables and a literal', { 'Fn::Sub': ['${Name}/${!Literal}', { Name: { Ref: 'AWS::Region' } }] }, 'us-east-1/${Literal}'],
    ['Ref of a resource', { Ref: 'Secret' }, STACK.refs.Secret],
    ['Fn::GetAtt as a list', { 'Fn::GetAtt': ['HttpRole', 'Arn'] }, STACK.attributes['HttpRole.Arn']],
    ['Fn::GetAtt in a Sub', { 'Fn::Sub': '${HttpRole.Arn}' }, STACK.attributes['HttpRole.Arn']],
    ['Fn::Join', { 'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, 'ecr']] }, 'arn:aws:ecr'],
  ])('resolves %s', (_what, value, expected) => {
    expect(resolveIntrinsics(value, STACK)).toBe(expected);
  });

  it('leaves a name it was not given as a placeholder that no ARN matches', () => {
    expect(resolveIntrinsics({ Ref: 'Elsewhere' }, STACK)).toBe('{{unresolved Ref Elsewhere}}');
  });

  it('resolves inside nested documents and keeps plain values', () => {
    expect(resolveIntrinsics({ Statement: [{ Effect: 'Allow', Resource: [{ Ref: 'AWS::AccountId' }, '*'] }] }, STACK)).toEqual({ Statement: [{ Effect: 'Allow', Resource: ['123456789012', '*'] }] });
  });

  it('refuses an intrinsic function it does not know', () => {
    expect(() => resolveIntrinsics({ 'Fn::If': ['c', 'a', 'b'] }, STACK)).toThrow(/Fn::If/);
  });
});
