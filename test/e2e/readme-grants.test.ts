/**
 * The caller grant the README tells AWS users to attach, evaluated the way IAM evaluates an
 * identity policy's Allow statements: it must let a caller through the function URL and must NOT
 * let the same caller invoke the function directly (where it would write its own authorizer block).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

type Condition = Record<string, Record<string, string | string[]>>;
interface Statement { Effect: string; Action: string | string[]; Resource: string | string[]; Condition?: Condition }

function grant(marker: string): Statement[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = new RegExp(`<!-- ${marker} -->\\s*\`\`\`json\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1];
  if (!block) throw new Error(`README has no ${marker} block`);
  return (JSON.parse(block) as { Statement: Statement[] }).Statement;
}

/** Only what these statements use: Allow, exact actions/resources, StringEquals and Bool. */
function allows(statements: Statement[], action: string, resource: string, context: Record<string, string>): boolean {
  return statements.some((s) => {
    if (s.Effect !== 'Allow' || ![s.Action].flat().includes(action) || ![s.Resource].flat().includes(resource)) return false;
    return Object.entries(s.Condition ?? {}).every(([operator, keys]) => {
      if (operator !== 'StringEquals' && operator !== 'Bool') throw new Error(`unsupported condition operator ${operator}`);
      return Object.entries(keys).every(([key, wanted]) => context[key] !== undefined && [wanted].flat().includes(context[key]!));
    });
  });
}

const FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:regcred-prod-http';

describe('README caller grant (AWS)', () => {
  const statements = grant('caller-grant:aws');

  it('lets a signed request through the AWS_IAM function URL (both actions, as Lambda checks since October 2025)', () => {
    expect(allows(statements, 'lambda:InvokeFunctionUrl', FUNCTION, { 'lambda:FunctionUrlAuthType': 'AWS_IAM' })).toBe(true);
    expect(allows(statements, 'lambda:InvokeFunction', FUNCTION, { 'lambda:InvokedViaFunctionUrl': 'true' })).toBe(true);
  });

  it('does not let the same caller invoke the function directly with a hand-made event', () => {
    expect(allows(statements, 'lambda:InvokeFunction', FUNCTION, {})).toBe(false);
    expect(allows(statements, 'lambda:InvokeFunction', FUNCTION, { 'lambda:InvokedViaFunctionUrl': 'false' })).toBe(false);
  });
});
