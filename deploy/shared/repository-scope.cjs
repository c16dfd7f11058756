// The repositories a deployment's credential is for: the `pull` and `push` lists every deploy
// takes (AWS: the pull/push params; Alibaba, Tencent, Huawei: --pull/--push). A login carries the
// minting identity's rights, so these lists become the repository statements of every minting
// function's policy. CommonJS, because deploy/aws/iam.cjs is loaded by osls with require(); the
// TypeScript plans import it typed through repository-scope.d.cts beside it.
'use strict';

/** One path component of the OCI distribution spec's repository name grammar. */
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
/** The distribution spec: clients limit host + '/' + name to 255 characters; the name alone can be no longer. */
const MAX_NAME_LENGTH = 255;
const GRAMMAR =
  "lower-case [a-z0-9] components (joined inside by '.', '_', '__' or '-') separated by '/', and '*' only as the whole value or a whole last segment (base/*)";

/**
 * A bad entry: its message is the whole report (osls prints a thrown error's stack, and the stack
 * of a typo is ours, not the user's).
 * @param {string} message
 */
function inputError(message) {
  const err = new Error(message);
  err.stack = `Error: ${message}`;
  return err;
}

/**
 * @typedef {object} NameRules What one cloud's registry accepts as a repository path.
 * @property {number} [minSegments] Segments a name needs (ACR, TCR, SWR: 2, a namespace and a repository).
 * @property {number} [maxSegments] Segments a name may have (ACR: 2, a repository name has no '/').
 * @property {string} [shape] Says the cloud's form in an error, e.g. 'ACR repositories are <namespace>/<repository>'.
 */

/**
 * @typedef {object} RepositoryScope
 * @property {string[]} pull Every pattern the credential must pull: the pull entries and the push entries.
 * @property {string[]} push The patterns it must also push to.
 */

/**
 * Parse one comma list of repository patterns: `team/app`, `base/*` (every repository under base/),
 * `*` (every repository). Throws an Error whose message is one line naming `label` and the entry.
 * @param {string} label How the message names the list, e.g. 'param pull' or '--pull'.
 * @param {string} value The raw comma list; '' is no entry.
 * @param {NameRules} [rules]
 * @returns {string[]}
 * @example parseRepositoryList('param pull', 'team/app, base/*') // ['team/app', 'base/*']
 */
function parseRepositoryList(label, value, rules = {}) {
  if (value.trim() === '') return [];
  return value.split(',').map((raw, i) => {
    const entry = raw.trim();
    if (!entry) throw inputError(`${label}: entry ${i + 1} of '${value}' is empty`);
    checkPattern(label, entry, rules);
    return entry;
  });
}

/** @param {string} label @param {string} entry @param {NameRules} rules */
function checkPattern(label, entry, rules) {
  if (entry === '*') return;
  const segments = entry.split('/');
  const wildcard = segments.at(-1) === '*';
  const names = wildcard ? segments.slice(0, -1) : segments;
  if (entry.length > MAX_NAME_LENGTH || !names.every((s) => COMPONENT.test(s))) {
    throw inputError(`${label}: '${entry}' is not a repository name: ${GRAMMAR}`);
  }
  const shape = rules.shape ? `: ${rules.shape}` : '';
  if (rules.minSegments && segments.length < rules.minSegments) throw inputError(`${label}: '${entry}' names no namespace${shape}`);
  if (rules.maxSegments && segments.length > rules.maxSegments) throw inputError(`${label}: '${entry}' has too many '/' segments${shape}`);
}

/**
 * Whether `pattern` already grants `other`: `*` grants everything, `base/*` every name under base/.
 * @param {string} pattern @param {string} other
 */
function covers(pattern, other) {
  if (pattern === other || pattern === '*') return true;
  return pattern.endsWith('/*') && other !== pattern && other.startsWith(pattern.slice(0, -1));
}

/** Drop duplicates and the patterns another one of the list already grants. @param {string[]} patterns */
function narrowest(patterns) {
  const unique = [...new Set(patterns)];
  return unique.filter((p) => !unique.some((q) => q !== p && covers(q, p)));
}

/**
 * The deployment's scope from its raw `pull` (default `*`) and `push` (default none) lists. A push
 * entry needs pull rights too (a push checks which layers are already there), so it is in `pull`
 * as well; a pattern another one grants (`base/x` beside `base/*`) is left out.
 * @param {{ pull?: string, push?: string }} values
 * @param {{ label?: (name: 'pull' | 'push') => string, rules?: NameRules }} [options]
 * @returns {RepositoryScope}
 * @example parseRepositoryScope({ pull: 'team/app,base/*', push: 'ci/cache' }) // { pull: ['team/app', 'base/*', 'ci/cache'], push: ['ci/cache'] }
 */
function parseRepositoryScope(values, options = {}) {
  const label = options.label ?? ((name) => `param ${name}`);
  const pull = parseRepositoryList(label('pull'), values.pull ?? '*', options.rules);
  const push = parseRepositoryList(label('push'), values.push ?? '', options.rules);
  return { pull: narrowest([...pull, ...push]), push: narrowest(push) };
}

module.exports = { inputError, parseRepositoryList, parseRepositoryScope };
