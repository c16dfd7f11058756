/**
 * The local osls plugin that prints, after package and after deploy, the repository policy each
 * other account must attach (osls package itself: test/e2e/aws-package.test.ts). Deploy needs an
 * AWS account, so its hook runs here against a provider whose describeStacks answers as
 * CloudFormation does.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
type Hooks = Record<string, () => Promise<void> | void>;
const Plugin = require('./repository-policy-plugin.cjs') as new (serverless: unknown, options: unknown, utils: { writeText: (t: string) => void }) => { hooks: Hooks };

const POLICY = '{"Version":"2012-10-17","Statement":[{"Sid":"RegcredPull","Effect":"Allow","Principal":{"AWS":["${HttpRole.Arn}"]},"Action":["ecr:BatchGetImage"]}]}';
const DESCRIPTION = 'regcred cross-account pull: the repository policy account 111122223333 must set on its repositories team/app';

function plugin(command: string, requests: unknown[] = []) {
  const printed: string[] = [];
  const serverless = {
    processedInput: { commands: [command] },
    service: { provider: { compiledCloudFormationTemplate: { Outputs: { RegcredRepositoryPolicy111122223333: { Description: DESCRIPTION, Value: { 'Fn::Sub': POLICY } }, HttpLambdaFunctionUrl: {} } } } },
    getProvider: () => ({
      naming: { getStackName: () => 'regcred-prod' },
      request: async (...args: unknown[]) => {
        requests.push(args);
        const deployed = POLICY.replace('${HttpRole.Arn}', 'arn:aws:iam::123456789012:role/regcred-prod-HttpRole-AbC');
        return { Stacks: [{ Outputs: [{ OutputKey: 'RegcredRepositoryPolicy111122223333', Description: DESCRIPTION, OutputValue: deployed }, { OutputKey: 'Other', OutputValue: 'x' }] }] };
      },
    }),
  };
  return { hooks: new Plugin(serverless, {}, { writeText: (t) => printed.push(t) }).hooks, printed };
}

describe('repository-policy-plugin', () => {
  it('prints the policy with the role ARN placeholders after osls package', async () => {
    const { hooks, printed } = plugin('package');
    await hooks['after:package:finalize']!();
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain(`${DESCRIPTION} (the \${…Role.Arn} placeholders become the roles' ARNs on deploy).`);
    expect(printed[0]).toContain(JSON.stringify(JSON.parse(POLICY), null, 2));
  });

  it('prints the deployed stack output, with the real role ARNs, after osls deploy, and nothing at its package step', async () => {
    // Prepare
    const requests: unknown[] = [];
    const { hooks, printed } = plugin('deploy', requests);
    // Act
    await hooks['after:package:finalize']!();
    await hooks['after:deploy:deploy']!();
    // Assess
    expect(requests).toEqual([['CloudFormation', 'describeStacks', { StackName: 'regcred-prod' }]]);
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain('"arn:aws:iam::123456789012:role/regcred-prod-HttpRole-AbC"');
    expect(printed[0]).toContain('stack output RegcredRepositoryPolicy111122223333');
  });
});
