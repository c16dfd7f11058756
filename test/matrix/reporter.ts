/**
 * Prints the fault/abuse matrix at the end of `npm test`: every case (tests named `[F1] …`,
 * `[B3] …`, `[S2] …` under a describe `matrix: <cloud>/<handler>`) against every target, pass or
 * fail. A case a target's suite does not run shows as `-`, so a gap is visible; one it skips on
 * purpose (`it.skip('[S2] n/a: …')`, the case means nothing for that handler) shows as `n/a`.
 */
import type { Reporter, TestModule } from 'vitest/node';

const TARGET = /\bmatrix: ([\w-]+\/[\w-]+)/;
const CASE = /\[([A-Z]\d+)\]/;

export default class MatrixReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    // case → target → passed (all of the case's tests for that target passed)
    const cells = new Map<string, Map<string, boolean | 'n/a'>>();
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const target = TARGET.exec(test.fullName)?.[1];
        const id = CASE.exec(test.name)?.[1];
        const state = test.result().state;
        if (!target || !id) continue;
        const row = cells.get(id) ?? new Map<string, boolean | 'n/a'>();
        if (state === 'skipped' && / n\/a: /.test(test.name)) {
          if (!row.has(target)) row.set(target, 'n/a');
        } else if (state === 'passed' || state === 'failed') {
          row.set(target, row.get(target) !== false && state === 'passed');
        } else continue;
        cells.set(id, row);
      }
    }
    if (!cells.size) return;
    const targets = [...new Set([...cells.values()].flatMap((row) => [...row.keys()]))].sort();
    const ids = [...cells.keys()].sort((a, b) => a[0]!.localeCompare(b[0]!) || Number(a.slice(1)) - Number(b.slice(1)));
    const width = Math.max(...targets.map((t) => t.length), 4);
    const line = (first: string, rest: string[]) => `${first.padEnd(5)} ${rest.map((c) => c.padEnd(width)).join(' ')}`;
    const out = ['', 'fault/abuse matrix (case × target):', line('case', targets)];
    const cell = (id: string, t: string) => cells.get(id)!.get(t);
    const shown = (v: boolean | 'n/a' | undefined) => (v === undefined ? '-' : v === 'n/a' ? 'n/a' : v ? 'pass' : 'FAIL');
    for (const id of ids) out.push(line(id, targets.map((t) => shown(cell(id, t)))));
    const failed = ids.flatMap((id) => targets.filter((t) => cell(id, t) === false).map((t) => `${id}/${t}`));
    const passed = ids.reduce((n, id) => n + targets.filter((t) => cell(id, t) === true).length, 0);
    const notApplicable = ids.reduce((n, id) => n + targets.filter((t) => cell(id, t) === 'n/a').length, 0);
    out.push(
      failed.length
        ? `matrix: ${failed.length} cell(s) failed: ${failed.join(', ')}`
        : `matrix: all ${passed} cells pass (${notApplicable} n/a, ${ids.length * targets.length - passed - notApplicable} not run)`,
      '',
    );
    process.stdout.write(out.join('\n'));
  }
}
