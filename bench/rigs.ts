/**
 * The benchmark's side of a cloud: its rig (a loopback emulator with the real provider and store
 * pointed at it), the first request of a fresh process, and its HTTP handler in this process. Each
 * cloud's is in bench/rigs/<cloud>.ts, listed in the benchmark's table of clouds (bench/clouds.ts);
 * nothing here names a cloud.
 */
import type { CredentialProvider, ProviderId, RegistryTarget } from '../core/provider.js';
import type { SecretStore, StoreId } from '../core/secret-store.js';
import type { PreparedInvoker } from '../dev/local-cloud.js';
import type { FrontEnd } from '../emulator/front-end.js';

/** What a rig's provider is built with (the benchmark's simulated clock). */
export interface ProviderOptions {
  /** The provider's clock (the simulated clock in the refresh run). */
  now?: () => number;
  /**
   * How far simulated time is ahead of the wall clock. The emulators check request signatures
   * against the wall clock (15 min skew), so the simulation moves only the upstream answer's
   * timestamps into simulated time; the request itself is real, signed and counted.
   */
  shiftMs?: () => number;
}

/**
 * One cloud's rig: its loopback emulator, the real provider and secret store pointed at it, the
 * environment a handler process needs, and upstream calls counted by the emulator front end's
 * `count(service, operation)`.
 */
export interface Rig {
  /** The provider every rig registry uses (amplification and refresh run it directly). */
  providerId: ProviderId;
  /** Four distinct registries of that provider (benchmarks take the first 1 or 4). */
  registries: RegistryTarget[];
  /** How often a scheduled refresh on this cloud runs (docs/design.md, "Refresh and rotation": at most every two thirds of the half-life; ECR 4 h, ACR 20 min). */
  refreshEveryMs: number;
  provider(options?: ProviderOptions): CredentialProvider;
  /** The rig's emulator front end: the outage run injects faults there and reads its call records. */
  emulator: FrontEnd;
  /** The registry-credential operation the provider calls ({@link upstreamCalls} counts it). */
  mint: { service: string; operation: string };
  /**
   * The function's whole environment for `registries` (REGCRED_REGISTRIES, endpoint overrides, the
   * role's keys where the platform puts them in the environment, LOG_LEVEL=info): given to a bundle
   * in a fresh `node` process (cold start), and to the in-process handler (warm path).
   */
  handlerEnv(registries: RegistryTarget[]): Record<string, string>;
  /** The secret store a scheduled refresh writes; `writes()` counts its new versions at the emulator. */
  store: { id: StoreId; secretId: string; create(): SecretStore; writes(): number };
  stop(): Promise<void>;
}

/**
 * One cloud in the benchmark's table (bench/clouds.ts). Its bundles are the handlers it ships
 * (handlers/functions.ts). Each other field is optional and adds rows: without `rig` the cloud gets
 * its bundle rows only and is listed as "not built yet"; with it, require-only cold-start,
 * amplification, half-life, refresh and outage rows; with `coldInvoke` too, the first-request
 * cold-start columns; with `preparedInvoker` too, warm latency per format and a
 * "<id>/http (bench server)" requests/s row. `npm run bench -- --cloud <id>` runs one cloud.
 */
export interface BenchCloud {
  /** The folder name under core/, handlers/, emulator/, deploy/. */
  id: string;
  /** Start this cloud's rig (a fresh emulator each call). Reading the table must not load an SDK: load it here. */
  rig?(): Promise<Rig>;
  /**
   * The first request of a fresh instance: JavaScript evaluated in `node -e` right after
   * `const handler = require(BUNDLE).handler` (the cloud's `http` bundle), with the rig's
   * `handlerEnv` (plus PATH) as the process's whole environment. It must evaluate to a Promise of the handler's
   * answer to `GET /credentials` (an object with `statusCode`, 200 expected): the platform's event
   * and context as literals, keys the platform passes in the context read from `process.env`.
   */
  coldInvoke?: string;
  /**
   * The cloud's in-process HTTP handler (its dev entry's invoker, dev/<cloud>.ts) split into
   * preparing the platform's event and context (once per request) and running the handler (the
   * returned thunk): what the benchmark times as warm latency. The benchmark puts `env` into
   * `process.env` first, as the platform does.
   */
  preparedInvoker?(env: Record<string, string | undefined>, write?: (line: string) => void): PreparedInvoker;
}

/** Registry-credential calls the rig's emulator has answered so far (cumulative). */
export function upstreamCalls(rig: Rig): number {
  return rig.emulator.count(rig.mint.service, rig.mint.operation);
}

/** A started rig, labelled with its cloud's id in the table. */
export interface CloudRig extends Rig {
  cloud: string;
}

/** One HTTP request as the benchmark issues it (always a GET). */
export interface BenchRequest {
  path: string;
  query: string;
}

export interface BenchResponse {
  statusCode: number;
  body: string;
}

/** Prepare a request once (the platform's event and context); the thunk runs only the handler. */
export type WarmRequests = (req: BenchRequest) => () => Promise<BenchResponse>;

/** The caller the benchmark's requests carry, where the platform's event has one. */
const BENCH_CALLER = 'bench';

/** @example const rig = await startRig(benchClouds(['aws'])[0]!); await rig.stop(); */
export async function startRig(cloud: BenchCloud): Promise<CloudRig> {
  if (!cloud.rig) throw new Error(`bench/rigs/${cloud.id}.ts has no rig()`);
  return { ...(await cloud.rig()), cloud: cloud.id };
}

/**
 * Run one measurement on a rig of its own (a fresh emulator), stopped after it: a call that
 * outlives its measurement cannot be counted in another's row.
 * @example const row = await onFreshRig(cloud, (rig) => refreshCost(rig));
 */
export async function onFreshRig<T>(cloud: BenchCloud, measure: (rig: CloudRig) => Promise<T>): Promise<T> {
  const rig = await startRig(cloud);
  try {
    return await measure(rig);
  } finally {
    await rig.stop();
  }
}

/**
 * A fresh warm instance of the cloud's HTTP handler in this process, configured for the rig's
 * first registry (undefined: the cloud's bench entry has no `preparedInvoker`).
 * @example const request = warmRequests(cloud, rig)!; await request({ path: '/credentials', query: '' })();
 */
export function warmRequests(cloud: BenchCloud, rig: Rig): WarmRequests | undefined {
  if (!cloud.preparedInvoker) return undefined;
  const env = rig.handlerEnv(rig.registries.slice(0, 1));
  // A function's environment is its process's on every platform (the AWS SDK reads its endpoints and keys there).
  Object.assign(process.env, env);
  const prepare = cloud.preparedInvoker(env);
  return (req) => prepare({ method: 'GET', ...req, caller: BENCH_CALLER });
}
