import type { Context } from 'aws-lambda';
import { AWS } from '../../core/aws/cloud.js';
import { createEcrPublicProvider } from '../../core/aws/ecr-public.js';
import { createEcrProvider } from '../../core/aws/ecr.js';
import type { Env } from '../../core/config.js';
import { budgetFor } from '../../core/service.js';
import type { PipelineRuntime } from '../shared/middleware/context.js';
import { tagged } from '../shared/metrics.js';
import { coreRuntime } from '../shared/runtime.js';

/** The part of Lambda's context regcred reads. */
export type LambdaContext = Pick<Context, 'getRemainingTimeInMillis'> & Partial<Pick<Context, 'awsRequestId' | 'functionName'>>;

/** What every AWS handler shares in one warm instance: config, logger, and the cached service. */
export type AwsRuntime = PipelineRuntime<LambdaContext>;

export interface AwsRuntimeOptions {
  /** Where log lines go (default stdout, which Lambda ships to CloudWatch). */
  write?: (line: string) => void;
}

/**
 * The AWS composition root, built once per cold start. Providers (and their SDK clients) are
 * created on first use; the SDK reads the role's keys (Lambda puts them in the process's
 * environment) and its own AWS_ENDPOINT_URL_* variables.
 */
export function awsRuntime(env: Env, options: AwsRuntimeOptions = {}): AwsRuntime {
  const { config, log, service } = coreRuntime(env, AWS, options, () => ({ ecr: () => createEcrProvider(), 'ecr-public': () => createEcrPublicProvider() }));
  return {
    config,
    log,
    service,
    invocation(context) {
      const traceId = xrayTraceId(env._X_AMZN_TRACE_ID);
      const tags = tagged({ requestId: context.awsRequestId, traceId, functionName: context.functionName, sink: 'emf', log, ...(options.write && { write: options.write }) });
      return { ...budgetFor(context.getRemainingTimeInMillis()), ...tags };
    },
  };
}

/**
 * The X-Ray trace id of this invocation: the `Root` of the `_X_AMZN_TRACE_ID` header Lambda sets
 * in the environment before each invocation (`Root=1-5759e988-bd862e3fe1be46a994272793;Parent=…;Sampled=1`).
 */
export function xrayTraceId(header: string | undefined): string | undefined {
  return /(?:^|;)Root=(1-[0-9a-f]{8}-[0-9a-f]{24})(?:;|$)/.exec(header ?? '')?.[1];
}
