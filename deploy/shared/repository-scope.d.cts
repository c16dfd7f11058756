// Types of repository-scope.cjs (the one pull/push parser, CommonJS for deploy/aws/iam.cjs).

/** What one cloud's registry accepts as a repository path. */
export interface NameRules {
  /** Segments a name needs (ACR, TCR, SWR: 2, a namespace and a repository). */
  minSegments?: number;
  /** Segments a name may have (ACR: 2). */
  maxSegments?: number;
  /** Says the cloud's form in an error, e.g. 'ACR repositories are <namespace>/<repository>'. */
  shape?: string;
}

export interface RepositoryScope {
  /** Every pattern the credential must pull: the pull entries and the push entries. */
  pull: string[];
  /** The patterns it must also push to. */
  push: string[];
}

/** An Error whose stack is its message alone (osls prints a thrown error's stack). */
export function inputError(message: string): Error;

/** One comma list of repository patterns (`team/app`, `base/*`, `*`); throws one line naming `label` and the entry. */
export function parseRepositoryList(label: string, value: string, rules?: NameRules): string[];

/** The scope from the raw `pull` (default `*`) and `push` (default none) lists. */
export function parseRepositoryScope(
  values: { pull?: string; push?: string },
  options?: { label?: (name: 'pull' | 'push') => string; rules?: NameRules },
): RepositoryScope;
