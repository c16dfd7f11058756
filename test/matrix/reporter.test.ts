/** The matrix table `npm test` ends with: what each cell shows, and the verdict line. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestModule } from 'vitest/node';
import MatrixReporter from './reporter.js';

type State = 'passed' | 'failed' | 'skipped';

/** A test module as the reporter reads it: tests with their describe path, name and state. */
function moduleOf(tests: Array<[describe: string, name: string, state: State]>): TestModule {
  const all = tests.map(([describe, name, state]) => ({ name, fullName: `${describe} > ${name}`, result: () => ({ state }) }));
  return { children: { allTests: () => all } } as unknown as TestModule;
}

function printed(modules: TestModule[]): string[] {
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  new MatrixReporter().onTestRunEnd(modules);
  return out.join('').split('\n').map((l) => l.trimEnd());
}

afterEach(() => vi.restoreAllMocks());

describe('the fault/abuse matrix reporter', () => {
  it('prints case × target: pass, FAIL when any test of the cell failed, n/a for a skip that says so, - for a gap', () => {
    const lines = printed([
      moduleOf([
        ['matrix: aws/http > upstream faults', '[F1] one transient 5xx → 200', 'passed'],
        ['matrix: aws/http > upstream faults', '[F2] a persistent 5xx → 502', 'passed'],
        ['matrix: aws/http > upstream faults', '[F2] a second F2 test', 'failed'],
        ['matrix: aws/refresh > cases', '[F1] written once', 'passed'],
        ['matrix: aws/refresh > cases', '[S2] n/a: a refresh answers no HTTP request', 'skipped'],
        ['some other suite', '[F1] not a matrix test', 'failed'],
      ]),
    ]);
    expect(lines).toContain('case  aws/http    aws/refresh');
    expect(lines).toContain('F1    pass        pass');
    expect(lines).toContain('F2    FAIL        -');
    expect(lines).toContain('S2    -           n/a');
    expect(lines).toContain('matrix: 1 cell(s) failed: F2/aws/http');
  });

  it('says every cell passes, counting n/a and gaps, when none failed', () => {
    const lines = printed([moduleOf([['matrix: aws/http', '[F1] x', 'passed'], ['matrix: aws/refresh', '[F1] y', 'passed'], ['matrix: aws/refresh', '[B1] n/a: no path', 'skipped']])]);
    expect(lines).toContain('matrix: all 2 cells pass (1 n/a, 1 not run)');
  });

  it('prints nothing when no matrix test ran', () => {
    expect(printed([moduleOf([['core', '[F1] elsewhere', 'passed']])]).filter((l) => l)).toEqual([]);
  });
});
