import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_DIR } from './registry.js';

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run `regcred <args>` from the source (cli/main.ts under tsx) the way a credential helper or
 * kubelet runs it: `env` as its whole environment besides PATH, `stdin` in; stdout, stderr and
 * the exit code out. The user's own regcred config file is never read (XDG_CONFIG_HOME points
 * nowhere unless `env` sets it).
 * @example const { code, stdout } = await runRegcred(['get', '--url', url], { AWS_ACCESS_KEY_ID: '…' });
 */
export function runRegcred(args: string[], env: Record<string, string>, stdin = ''): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', join(PROJECT_DIR, 'cli/main.ts'), ...args],
      { cwd: PROJECT_DIR, env: { PATH: process.env.PATH!, XDG_CONFIG_HOME: join(PROJECT_DIR, '.no-regcred-config'), ...env }, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(stdin);
  });
}
