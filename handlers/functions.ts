/**
 * The table of what ships: every cloud's functions, each declared beside its handlers in
 * `handlers/<cloud>/functions.ts`, one entry per cloud here. The bundler (scripts/bundle.ts), the
 * deploy plans and the benchmark read it; no handler imports it, so it adds nothing to a bundle.
 * Adding a cloud adds its `functions.ts` and one entry here. Tests add a throwaway cloud's
 * functions with {@link registerFunctions}.
 */
import { ALIBABA_FUNCTIONS } from './alibaba/functions.js';
import { AWS_FUNCTIONS } from './aws/functions.js';
import { HUAWEI_FUNCTIONS } from './huawei/functions.js';
import { TENCENT_FUNCTIONS } from './tencent/functions.js';

/** One handler as it ships: bundled from `entry`, deployed as `<cloud>/<name>`. */
export interface HandlerSpec {
  cloud: string;
  name: string;
  entry: string;
}

/** A cloud's functions, by name (its deploy plan picks them by name). */
export type CloudFunctions = Readonly<Record<string, HandlerSpec>>;

const FUNCTIONS: CloudFunctions[] = [AWS_FUNCTIONS, ALIBABA_FUNCTIONS, TENCENT_FUNCTIONS, HUAWEI_FUNCTIONS];

/**
 * Every handler that ships, by cloud, read when called, so functions registered at run time are
 * included: a handler listed here is in the build and the benchmark.
 * @example const entries = shippedHandlers().map((h) => h.entry); // what scripts/bundle.ts bundles
 */
export function shippedHandlers(): HandlerSpec[] {
  return FUNCTIONS.flatMap((functions) => Object.values(functions));
}

/** Add a cloud's functions at run time (a test's throwaway cloud); returns the undo. */
export function registerFunctions(functions: CloudFunctions): () => void {
  const taken = shippedHandlers().map((h) => `${h.cloud}/${h.name}`);
  const clash = Object.values(functions).find((h) => taken.includes(`${h.cloud}/${h.name}`));
  if (clash) throw new Error(`function '${clash.cloud}/${clash.name}' is already registered`);
  FUNCTIONS.push(functions);
  return () => void FUNCTIONS.splice(FUNCTIONS.indexOf(functions), 1);
}
