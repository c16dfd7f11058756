/** The one pull/push parser every deploy uses (deploy/shared/repository-scope.cjs), as tables. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRepositoryList, parseRepositoryScope } from './repository-scope.cjs';

const GRAMMAR_ERROR = "is not a repository name: lower-case [a-z0-9] components (joined inside by '.', '_', '__' or '-') separated by '/', and '*' only as the whole value or a whole last segment (base/*)";

describe('parseRepositoryList', () => {
  it.each([
    ['team/app', ['team/app']],
    ['base/*', ['base/*']],
    ['*', ['*']],
    ['app', ['app']],
    ['a/b/c', ['a/b/c']],
    ['my.team/my_app', ['my.team/my_app']],
    ['a__b/c--d---e', ['a__b/c--d---e']],
    ['0/9', ['0/9']],
    ['team/app, base/*', ['team/app', 'base/*']],
    ['', []],
    ['  ', []],
  ])('accepts %j', (value, expected) => {
    expect(parseRepositoryList('param pull', value)).toEqual(expected);
  });

  it.each([
    ['Team App', `param pull: 'Team App' ${GRAMMAR_ERROR}`],
    ['a//b', `param pull: 'a//b' ${GRAMMAR_ERROR}`],
    ['team/*x', `param pull: 'team/*x' ${GRAMMAR_ERROR}`],
    ['team/app,', "param pull: entry 2 of 'team/app,' is empty"],
    ['a,,b', "param pull: entry 2 of 'a,,b' is empty"],
    ['*/app', `param pull: '*/app' ${GRAMMAR_ERROR}`],
    ['team/*/app', `param pull: 'team/*/app' ${GRAMMAR_ERROR}`],
    ['team/', `param pull: 'team/' ${GRAMMAR_ERROR}`],
    ['/app', `param pull: '/app' ${GRAMMAR_ERROR}`],
    ['team/App', `param pull: 'team/App' ${GRAMMAR_ERROR}`],
    ['a_-b', `param pull: 'a_-b' ${GRAMMAR_ERROR}`],
    ['a___b', `param pull: 'a___b' ${GRAMMAR_ERROR}`],
    ['-a', `param pull: '-a' ${GRAMMAR_ERROR}`],
    ['a.', `param pull: 'a.' ${GRAMMAR_ERROR}`],
    ['te?m', `param pull: 'te?m' ${GRAMMAR_ERROR}`],
    ['**', `param pull: '**' ${GRAMMAR_ERROR}`],
    [`${'a'.repeat(250)}/bcdef`, `param pull: '${'a'.repeat(250)}/bcdef' ${GRAMMAR_ERROR}`],
  ])('refuses %j with one line naming the parameter and the entry', (value, message) => {
    expect(() => parseRepositoryList('param pull', value)).toThrow(message);
    expect(message).not.toContain('\n');
  });

  it('names the list by the label it is given (a flag on the other clouds)', () => {
    expect(() => parseRepositoryList('--push', 'Team App')).toThrow(/^--push: 'Team App' is not a repository name/);
  });

  const ACR = { minSegments: 2, maxSegments: 2, shape: 'ACR repositories are <namespace>/<repository>' };
  it.each([['team/app'], ['base/*'], ['*']])('accepts %j where a name is exactly <namespace>/<repository>', (value) => {
    expect(parseRepositoryList('--pull', value, ACR)).toEqual([value]);
  });

  it.each([
    ['app', "--pull: 'app' names no namespace: ACR repositories are <namespace>/<repository>"],
    ['a/b/c', "--pull: 'a/b/c' has too many '/' segments: ACR repositories are <namespace>/<repository>"],
    ['a/b/*', "--pull: 'a/b/*' has too many '/' segments: ACR repositories are <namespace>/<repository>"],
  ])('refuses %j where a name is exactly <namespace>/<repository>', (value, message) => {
    expect(() => parseRepositoryList('--pull', value, ACR)).toThrow(message);
  });

  it('accepts every name the OCI grammar allows and refuses any with an upper-case letter, space or empty segment (fuzzed)', () => {
    const component = fc.stringMatching(/^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/).filter((s) => s.length <= 20);
    const name = fc.array(component, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));
    fc.assert(fc.property(name, (n) => {
      expect(parseRepositoryList('param pull', n)).toEqual([n]);
    }));
    const broken = fc.tuple(name, fc.constantFrom('A', ' ', '//', '/*x', ':')).map(([n, bad]) => `${n}${bad}x`);
    fc.assert(fc.property(broken, (n) => {
      expect(() => parseRepositoryList('param pull', n)).toThrow(`param pull: '${n}'`);
    }));
  });
});

describe('parseRepositoryScope', () => {
  it('defaults to pull on every repository and push on none', () => {
    expect(parseRepositoryScope({})).toEqual({ pull: ['*'], push: [] });
  });

  it('gives push entries pull rights too', () => {
    expect(parseRepositoryScope({ pull: 'team/app,base/*', push: 'ci/cache' })).toEqual({ pull: ['team/app', 'base/*', 'ci/cache'], push: ['ci/cache'] });
  });

  it('leaves out a pattern another one already grants', () => {
    expect(parseRepositoryScope({ pull: 'base/x,base/*,base/x/y,team/app,team/app', push: 'ci/cache' }).pull).toEqual(['base/*', 'team/app', 'ci/cache']);
    expect(parseRepositoryScope({ push: 'ci/cache' })).toEqual({ pull: ['*'], push: ['ci/cache'] });
  });

  it('keeps base/x and basement/y apart (a prefix is a whole segment)', () => {
    expect(parseRepositoryScope({ pull: 'base/*,basement/y' }).pull).toEqual(['base/*', 'basement/y']);
  });

  it('takes an empty pull list as no pull beyond the push entries', () => {
    expect(parseRepositoryScope({ pull: '', push: 'ci/cache' })).toEqual({ pull: ['ci/cache'], push: ['ci/cache'] });
  });

  it('names the list that holds the bad entry', () => {
    expect(() => parseRepositoryScope({ pull: 'team/app', push: 'a//b' }, { label: (n) => `--${n}` })).toThrow("--push: 'a//b' is not a repository name");
  });
});
