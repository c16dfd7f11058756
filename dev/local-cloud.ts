/**
 * What development needs of one cloud, described once in `dev/<cloud>.ts` and listed in the table
 * `dev/clouds.ts`: a loopback world (emulator, the function's environment, its HTTP trigger) that
 * the local server (dev/serve.ts) and the HTTP-API contract suite run the real handler in. Adding a
 * cloud adds its dev/<cloud>.ts and one table entry. What ships is declared on the production side
 * (handlers/functions.ts), the benchmark's rigs in bench/rigs/<cloud>.ts.
 */
import type { TargetOutcome } from '../core/refresh.js';
import type { StoreId } from '../core/secret-store.js';
import type { Fault, FrontEnd } from '../emulator/front-end.js';
import type { WireRequest } from '../emulator/http-server.js';
import type { LocalAnswer, LocalRequest } from '../emulator/trigger.js';

/** A running loopback world of one cloud. */
export interface LocalCloud {
  /** The REGCRED_REGISTRIES it serves by default (two registries, so "one of many" is testable). */
  registries: string;
  /** The host of each registry in `registries`, in order. */
  hosts: string[];
  /** The function's environment: the role's keys where the platform puts them there, endpoint overrides. */
  env: Record<string, string>;
  emulator: FrontEnd;
  /**
   * The registry-credential calls, one per provider, for counting and faults, each with the
   * REGCRED_REGISTRIES entry of `registries` it mints for.
   */
  mint: ReadonlyArray<{ service: string; operation: string; registry: string }>;
  /**
   * A fresh warm instance of the HTTP handler (its own cache) built from `env`: each request goes
   * in as the platform's event and context, the platform's answer comes back as HTTP.
   */
  http(env: Record<string, string>, write?: (line: string) => void): Invoker;
  /**
   * The same warm instance as {@link http}, invoked with a raw platform event (a malformed one,
   * say) and the platform's context.
   */
  rawHttp(env: Record<string, string>, write?: (line: string) => void): (event: unknown) => Promise<LocalAnswer>;
  /** The platform's event for a request, as {@link http} builds it (the fuzzer's seed). */
  httpEvent(req: LocalRequest): unknown;
  /** Malformed events of every HTTP trigger type this cloud has, each named (B2). */
  malformedHttpEvents: ReadonlyArray<readonly [string, unknown]>;
  /** The scheduled refresh handler in this world, writing into the cloud's secret store (absent: the cloud has none yet). */
  refresh?: LocalRefresh;
  /** The HTTP trigger's own signature check (before the function runs), and how to call it. */
  trigger: {
    /** A refusal may carry the platform's own answer (APIG's 403 for a caller no bound policy admits); else a generic 403. */
    verify(req: WireRequest, now: number): { ok: true; caller: string } | { ok: false; answer?: LocalAnswer };
    /** Ready-to-paste lines that call `url` signed with the local caller's test key. */
    banner(url: string): string[];
  };
  /** Keys and tokens that must never appear in a log line, answer or error. */
  secrets: string[];
  /** This cloud's own answers for faults the matrix injects (default: a generic 403 for an expired session). */
  faults?: { expiredSession?: Fault };
  stop(): Promise<void>;
}

export type Invoker = (req: LocalRequest) => Promise<LocalAnswer>;

/** The refresh handler of a {@link LocalCloud} and the secret store it writes, seen at the emulator. */
export interface LocalRefresh {
  store: StoreId;
  /** The store's call that writes a new value into a secret {@link createSecret} made, for counting and faults. */
  write: { service: string; operation: string };
  /** Create `secretId` in the store with `value` as its current version. */
  createSecret(secretId: string, value: string): Promise<void>;
  /** The secret's current value, read from the emulator's state. */
  current(secretId: string): string | undefined;
  /** How many versions the secret has (a store that replaces its one version in place keeps 1). */
  versions(secretId: string): number;
  /** The cloud's scheduled trigger event with no payload, so REGCRED_TARGETS applies (a new one each call, as each run's is). */
  scheduledEvent(): unknown;
  /**
   * A fresh warm instance of the refresh handler (its own cache) built from `env`: each call is
   * one invocation of `event`, as it is, with its own platform context. Resolves or rejects as the
   * handler does.
   */
  invoker(env: Record<string, string>, write?: (line: string) => void): (event: unknown) => Promise<{ outcomes: TargetOutcome[] }>;
  /** Malformed events of every trigger type the refresh handler takes, each named (B2). */
  malformedEvents: ReadonlyArray<readonly [string, unknown]>;
}

/**
 * An {@link Invoker} in two steps: `prepare(req)` builds the platform's event and context for the
 * request (the platform's work, done once), and the thunk it returns runs only the handler, as
 * often as it is called. The benchmark times the thunk as the handler's warm latency; a cloud's
 * `invoker` is built from it with {@link invokeEach}, so the two cannot drift.
 */
export type PreparedInvoker = (req: LocalRequest) => () => Promise<LocalAnswer>;

/** The per-request {@link Invoker} over a {@link PreparedInvoker}: prepare, then run once. */
export function invokeEach(prepare: PreparedInvoker): Invoker {
  return (req) => prepare(req)();
}

export interface CloudDev {
  /** The folder name under core/, handlers/, emulator/, deploy/. */
  id: string;
  /**
   * A fresh warm instance of the HTTP handler (its own cache) configured by `env`, with whatever
   * identity the process has: each request goes in as the platform's event and context.
   */
  invoker(env: Record<string, string | undefined>, write?: (line: string) => void): Invoker;
  startLocal(): Promise<LocalCloud>;
}
