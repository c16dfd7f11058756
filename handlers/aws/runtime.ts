import { loadConfig, type Config, type Env } from '../../core/config.js';
import { createLogger, type Logger } from '../../core/log.js';
import { EcrProvider } from '../../core/aws/ecr.js';
import { EcrPublicProvider } from '../../core/aws/ecr-public.js';
import { CredentialService } from '../../core/service.js';

/** What every AWS handler shares in one warm instance: config, logger, and the cached service. */
export interface AwsRuntime {
  config: Config;
  log: Logger;
  service: CredentialService;
}

export interface AwsRuntimeOptions {
  /** Where log lines go (default stdout, which Lambda ships to CloudWatch). */
  write?: (line: string) => void;
}

/**
 * The AWS composition root, built once per cold start. Providers (and their SDK clients) are
 * created on first use; the SDK reads its own credentials and AWS_ENDPOINT_URL_* variables.
 */
export function awsRuntime(env: Env, options: AwsRuntimeOptions = {}): AwsRuntime {
  const config = loadConfig(env);
  const log = createLogger({ level: config.logLevel, ...(options.write && { write: options.write }) });
  const service = new CredentialService({
    registries: config.registries,
    providers: { ecr: () => new EcrProvider(), 'ecr-public': () => new EcrPublicProvider() },
    retry: config.retry,
    log,
  });
  return { config, log, service };
}
