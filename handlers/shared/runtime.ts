import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/log.js';
import type { StoreFactories } from '../../core/refresh.js';
import type { CredentialService, Invocation } from '../../core/service.js';

/**
 * What every handler of one cloud shares in a warm instance (nothing per request), built once by
 * that cloud's composition root (handlers/<cloud>/runtime.ts) from its platform's context type.
 */
export interface FunctionRuntime<Context> {
  config: Config;
  log: Logger;
  service: CredentialService;
  stores: StoreFactories;
  /** This invocation, from the platform's context: request id, budget, a logger bound to it, and the role's keys and region where the platform hands them per invocation. */
  invocation(context: Context | undefined): Invocation;
}

export interface RuntimeOptions {
  /** Where log lines go (tests capture them); stdout by default. */
  write?: (line: string) => void;
  now?: () => number;
}
