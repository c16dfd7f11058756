/**
 * The AWS deploy's output, as tests read it: `osls package` run offline with no AWS credentials,
 * in a service folder of its own (symlinks to the project's sources and a copy of serverless.yml),
 * so serverless-esbuild's work folder (.esbuild/) is not shared with another test file packaging at
 * the same time; and a role's policy documents with CloudFormation's intrinsics resolved.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveIntrinsics, type StackContext } from '../../emulator/aws/cloudformation.js';
import { PROJECT_DIR } from './registry.js';

const exec = promisify(execFile);
const LINKED = ['handlers', 'core', 'deploy', 'node_modules', 'package.json', 'package-lock.json', 'tsconfig.json'];

export interface Template {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}

/**
 * `osls package --param <each>`; the parsed update-stack template.
 * @example const template = await oslsPackage(['registries=ecr:us-east-1', 'pull=team/app']);
 */
export async function oslsPackage(params: string[]): Promise<Template> {
  const service = await mkdtemp(join(tmpdir(), 'regcred-osls-'));
  try {
    await Promise.all(LINKED.map((name) => symlink(join(PROJECT_DIR, name), join(service, name))));
    await copyFile(join(PROJECT_DIR, 'serverless.yml'), join(service, 'serverless.yml'));
    const env = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_PROFILE: 'regcred-none', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
    const out = join(service, 'out');
    await exec(join(PROJECT_DIR, 'node_modules/.bin/osls'), ['package', '--package', out, ...params.flatMap((p) => ['--param', p])], { cwd: service, env, timeout: 240_000 });
    return JSON.parse(await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
  } finally {
    await rm(service, { recursive: true, force: true });
  }
}

/**
 * The policy documents of an `AWS::IAM::Role` in the template, with intrinsics resolved for `stack`.
 * @example rolePolicies(template, 'HttpRole', { region: 'us-east-1', accountId: '123456789012', attributes })
 */
export function rolePolicies(template: Template, logicalId: string, stack: StackContext): unknown[] {
  const role = template.Resources[logicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`the template has no AWS::IAM::Role ${logicalId}`);
  const policies = (role.Properties.Policies ?? []) as Array<{ PolicyDocument: unknown }>;
  return policies.map((p) => resolveIntrinsics(p.PolicyDocument, stack));
}

/**
 * deploy/aws/iam.cjs called the way osls calls it, with `resolveVariable` answering the service,
 * the stage and the given params (other params: serverless.yml's defaults for pull, push and
 * secretArns). Anything else it asks for throws, naming the variable.
 */
export async function iamOutput(params: Record<string, string>, stage = 'prod'): Promise<Record<string, unknown>> {
  const require = createRequire(import.meta.url);
  const iam = require(join(PROJECT_DIR, 'deploy/aws/iam.cjs')) as (sls: { resolveVariable(name: string): Promise<unknown> }) => Promise<Record<string, unknown>>;
  const values: Record<string, string> = { 'self:service': 'regcred', 'sls:stage': stage, 'param:pull': '*', 'param:push': '', 'param:secretArns': '' };
  for (const [name, value] of Object.entries(params)) values[`param:${name}`] = value;
  return iam({
    resolveVariable: async (name) => {
      if (!Object.hasOwn(values, name)) throw new Error(`iamOutput: deploy/aws/iam.cjs asked for ${name}, which this test does not provide`);
      return values[name];
    },
  });
}
