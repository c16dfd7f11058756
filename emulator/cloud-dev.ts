/**
 * What development needs of one cloud, described once in `emulator/<cloud>/dev.ts` and listed in
 * the table `emulator/clouds.ts`: the handlers that ship, and a loopback world (emulator, the
 * function's environment, its HTTP trigger) that the local server, the HTTP-API contract suite and
 * the benchmark run the real handler in. Adding a cloud adds its dev.ts and one table entry.
 */
import type { Fault, FrontEnd } from './front-end.js';
import type { WireRequest } from './http-server.js';

/** One handler as it ships: bundled from `entry`, deployed as `<cloud>/<name>`. */
export interface HandlerSpec {
  cloud: string;
  name: string;
  entry: string;
}

/** A plain HTTP request, as a caller sends it to the function's HTTP trigger. */
export interface LocalRequest {
  method: string;
  path: string;
  /** Raw query string, without '?'. */
  query: string;
  headers?: Record<string, string>;
  /** The caller the trigger authenticated (the local server's verified signer). */
  caller?: string;
}

export interface LocalAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** A running loopback world of one cloud. */
export interface LocalCloud {
  /** The REGCRED_REGISTRIES it serves by default (two registries, so "one of many" is testable). */
  registries: string;
  /** The host of each registry in `registries`, in order. */
  hosts: string[];
  /** The function's environment: the role's keys where the platform puts them there, endpoint overrides. */
  env: Record<string, string>;
  emulator: FrontEnd;
  /** The registry-credential calls (one per provider), for counting and faults. */
  mint: ReadonlyArray<{ service: string; operation: string }>;
  /**
   * A fresh warm instance of the HTTP handler (its own cache) built from `env`: each request goes
   * in as the platform's event and context, the platform's answer comes back as HTTP.
   */
  http(env: Record<string, string>, write?: (line: string) => void): Invoker;
  /** The HTTP trigger's own signature check (before the function runs), and how to call it. */
  trigger: {
    verify(req: WireRequest, now: number): { ok: true; caller: string } | { ok: false };
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

export interface CloudDev {
  /** The folder name under core/, handlers/, emulator/, deploy/. */
  id: string;
  handlers: readonly HandlerSpec[];
  /**
   * A fresh warm instance of the HTTP handler (its own cache) configured by `env`, with whatever
   * identity the process has: each request goes in as the platform's event and context.
   */
  invoker(env: Record<string, string | undefined>, write?: (line: string) => void): Invoker;
  startLocal(): Promise<LocalCloud>;
}
