// A local osls plugin: at the end of `osls package` and `osls deploy`, print the repository policy
// each other account in param registries must attach for a cross-account pull (the
// RegcredRepositoryPolicy<account> outputs of deploy/aws/iam.cjs). After package the role ARNs are
// still ${HttpRole.Arn} placeholders (CloudFormation names the roles); after deploy they are real.
'use strict';

const OUTPUT = /^RegcredRepositoryPolicy(\d{12})$/;

class RepositoryPolicyPlugin {
  constructor(serverless, _options, utils = {}) {
    this.serverless = serverless;
    this.write = utils.writeText ?? ((text) => process.stdout.write(`${text}\n`));
    this.hooks = {
      // Deploy packages too: print once, with the real ARNs, after it.
      'after:package:finalize': () => (this.serverless.processedInput?.commands?.[0] === 'deploy' ? undefined : this.printPackaged()),
      'after:deploy:deploy': () => this.printDeployed(),
    };
  }

  printPackaged() {
    const outputs = this.serverless.service.provider.compiledCloudFormationTemplate?.Outputs ?? {};
    for (const [key, output] of Object.entries(outputs)) {
      const account = OUTPUT.exec(key)?.[1];
      if (account) this.print(account, output.Description, output.Value['Fn::Sub'], 'the ${…Role.Arn} placeholders become the roles\' ARNs on deploy');
    }
  }

  async printDeployed() {
    const provider = this.serverless.getProvider('aws');
    const { Stacks = [] } = await provider.request('CloudFormation', 'describeStacks', { StackName: provider.naming.getStackName() });
    for (const output of Stacks[0]?.Outputs ?? []) {
      const account = OUTPUT.exec(output.OutputKey)?.[1];
      if (account) this.print(account, output.Description, output.OutputValue, `stack output ${output.OutputKey}`);
    }
  }

  print(account, description, policy, note) {
    this.write(
      [
        `${description} (${note}).`,
        'Attach it whole to the repositories of the push entries; the RegcredPull statement alone is enough on the others',
        `(aws ecr set-repository-policy --registry-id ${account} --repository-name <name> --policy-text file://policy.json):`,
        JSON.stringify(JSON.parse(policy), null, 2),
      ].join('\n'),
    );
  }
}

module.exports = RepositoryPolicyPlugin;
