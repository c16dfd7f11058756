/**
 * Prints the fault/abuse matrix at the end of `npm test`: every contract case (tests named
 * `[F1] …`, `[B3] …`, `[S2] …` under `HTTP API contract: <cloud>`) against every cloud of the
 * table, pass or fail. Cases a cloud's suite does not run show as `-`, so a gap is visible.
 */
import type { Reporter, TestModule } from 'vitest/node';

const TARGET = /HTTP API contract: (\S+)/;
const CASE = /\[([A-Z]\d+)\]/;

export default class MatrixReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    // case → target → passed (all of the case's tests for that target passed)
    const cells = new Map<string, Map<string, boolean>>();
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const target = TARGET.exec(test.fullName)?.[1];
        const id = CASE.exec(test.name)?.[1];
        const state = test.result().state;
        if (!target || !id || (state !== 'passed' && state !== 'failed')) continue;
        const row = cells.get(id) ?? new Map<string, boolean>();
        row.set(target, (row.get(target) ?? true) && state === 'passed');
        cells.set(id, row);
      }
    }
    if (!cells.size) return;
    const targets = [...new Set([...cells.values()].flatMap((row) => [...row.keys()]))].sort();
    const ids = [...cells.keys()].sort((a, b) => a[0]!.localeCompare(b[0]!) || Number(a.slice(1)) - Number(b.slice(1)));
    const width = Math.max(...targets.map((t) => t.length), 4);
    const line = (first: string, rest: string[]) => `${first.padEnd(5)} ${rest.map((c) => c.padEnd(width)).join(' ')}`;
    const out = ['', 'fault/abuse matrix (case × target):', line('case', targets)];
    for (const id of ids) out.push(line(id, targets.map((t) => (cells.get(id)!.has(t) ? (cells.get(id)!.get(t) ? 'pass' : 'FAIL') : '-'))));
    const failed = ids.flatMap((id) => targets.filter((t) => cells.get(id)!.get(t) === false).map((t) => `${id}/${t}`));
    out.push(failed.length ? `matrix: ${failed.length} cell(s) failed: ${failed.join(', ')}` : `matrix: all ${ids.length * targets.length - ids.reduce((n, id) => n + targets.filter((t) => !cells.get(id)!.has(t)).length, 0)} cells pass`, '');
    process.stdout.write(out.join('\n'));
  }
}
