/**
 * Type-checks the `@example`s of the shipping side's doc comments (test/examples.test.ts).
 *
 * Each example becomes a virtual file beside its source file: the source's own imports, every name
 * the source exports, and the example as the body of an async function. Pass 1 finds the names the
 * example leaves free (`signal`, `config`, `credential`): a free name that the example *calls*
 * (`agencyKeys(…)`, `new Foo(…)`) is a failure, since the reader could not call it either; any
 * other free name becomes an `any` stub. Pass 2 type-checks the example against the real
 * signatures, so a wrong function, argument count, option name or method fails.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import ts from 'typescript';

export interface Example {
  /** Repository-relative path of the source file. */
  file: string;
  /** 1-based line of the `@example` tag. */
  line: number;
  code: string;
}

export interface ExampleProblem {
  example: Example;
  problems: string[];
}

/** Every `@example` of a file's doc comments, with the comment's ` * ` prefixes stripped. */
export function examplesOf(file: string, text: string): Example[] {
  const examples: Example[] = [];
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const lines = comment[0].replace(/^\/\*\*|\*\/$/g, '').split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
    const startLine = text.slice(0, comment.index).split('\n').length;
    for (let i = 0; i < lines.length; i++) {
      const tag = /^\s*@example\b ?(.*)$/.exec(lines[i]!);
      if (!tag) continue;
      const body = [tag[1]!];
      for (let j = i + 1; j < lines.length && !/^\s*@\w/.test(lines[j]!); j++) body.push(lines[j]!);
      const code = body.join('\n').trim();
      if (code) examples.push({ file, line: startLine + i, code });
    }
  }
  return examples;
}

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2023.d.ts'],
  types: ['node'],
  strict: true,
  esModuleInterop: true,
  resolveJsonModule: true,
  skipLibCheck: true,
  noEmit: true,
};

/** The names a source file exports (values and types), read from its syntax. */
function exportedNames(source: ts.SourceFile): string[] {
  const names = new Set<string>();
  const exported = (node: ts.Node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement) && exported(statement)) {
      for (const d of statement.declarationList.declarations) if (ts.isIdentifier(d.name)) names.add(d.name.text);
    } else if (
      (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement)) &&
      statement.name &&
      exported(statement)
    ) {
      names.add(statement.name.text);
    } else if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const e of statement.exportClause.elements) names.add(e.name.text);
    }
  }
  return [...names];
}

/** The names a source file imports (so the example does not import them twice). */
function importedNames(source: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const s of source.statements) {
    const clause = ts.isImportDeclaration(s) ? s.importClause : undefined;
    if (!clause) continue;
    if (clause.name) names.add(clause.name.text);
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) names.add(bindings.name.text);
    if (bindings && ts.isNamedImports(bindings)) for (const e of bindings.elements) names.add(e.name.text);
  }
  return names;
}

/** Names the example calls directly: `name(…)` and `new Name(…)`. */
function calledNames(code: string): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node) => {
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && ts.isIdentifier(node.expression)) names.add(node.expression.text);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('example.ts', code, ts.ScriptTarget.ES2022, true));
  return names;
}

interface Virtual {
  example: Example;
  path: string;
  header: string;
  stubs: string[];
  problems: string[];
}

/** An example's own `import` lines go to the top of the file, the rest into the function body. */
const isImport = (line: string) => /^import\s/.test(line);
const bodyOf = (code: string) => code.split('\n').map((l) => (isImport(l) ? '' : l)).join('\n');
const importsOf = (code: string) => code.split('\n').filter(isImport).join('\n');
const render = (v: Virtual) => `${v.header}\n${importsOf(v.example.code)}\n${v.stubs.join('\n')}\nexport async function __example() {\n${bodyOf(v.example.code)}\n}\n`;

function diagnose(root: string, virtuals: Virtual[], old?: ts.Program): { program: ts.Program; byPath: Map<string, readonly ts.Diagnostic[]> } {
  const texts = new Map(virtuals.map((v) => [v.path, render(v)]));
  const host = ts.createCompilerHost(OPTIONS);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError, create) =>
    texts.has(name) ? ts.createSourceFile(name, texts.get(name)!, lang, true) : getSourceFile(name, lang, onError, create);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => texts.has(name) || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => texts.get(name) ?? readFile(name);
  host.getCurrentDirectory = () => root;
  const program = ts.createProgram({ rootNames: [...texts.keys()], options: OPTIONS, host, ...(old && { oldProgram: old }) });
  const byPath = new Map<string, readonly ts.Diagnostic[]>();
  for (const path of texts.keys()) {
    const sf = program.getSourceFile(path)!;
    byPath.set(path, [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]);
  }
  return { program, byPath };
}

/** Type-check every example of `files` (repository-relative .ts paths); returns the examples that fail. */
export function checkExamples(root: string, files: string[]): { examples: Example[]; failures: ExampleProblem[] } {
  const virtuals: Virtual[] = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    const examples = examplesOf(file, text);
    if (!examples.length) continue;
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    // Type-only imports become value imports: an example may construct what its file only names as a type.
    const imports = source.statements.filter(ts.isImportDeclaration).map((s) => s.getText(source).replace(/^import type /, 'import ').replace(/([{,]\s*)type /g, '$1'));
    const own = importedNames(source);
    const exports = exportedNames(source).filter((n) => !own.has(n));
    const self = `./${basename(file).replace(/\.ts$/, '.js')}`;
    const header = [...imports, exports.length ? `import { ${exports.join(', ')} } from '${self}';` : ''].join('\n');
    examples.forEach((example, i) => {
      const path = resolve(root, dirname(file), `__example_${basename(file, '.ts')}_${i}.ts`);
      virtuals.push({ example, path, header, stubs: [], problems: [] });
    });
  }

  // Pass 1: which names each example leaves free.
  const first = diagnose(root, virtuals);
  for (const v of virtuals) {
    const called = calledNames(v.example.code);
    const free = new Set<string>();
    for (const d of first.byPath.get(v.path)!) {
      const m = /^(?:Cannot find name|No value exists in scope for the shorthand property) '([^']+)'/.exec(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      if (m) free.add(m[1]!);
    }
    for (const name of free) {
      if (called.has(name)) v.problems.push(`calls '${name}', which is neither defined in, exported by nor imported by ${v.example.file}`);
      else v.stubs.push(`declare const ${name}: any; type ${name} = any;`);
    }
  }

  // Pass 2: the example against the real signatures, free names as `any`.
  const second = diagnose(root, virtuals, first.program);
  const marker = '__example() {\n';
  const bodyStart = (v: Virtual) => render(v).indexOf(marker) + marker.length;
  for (const v of virtuals) {
    for (const d of second.byPath.get(v.path)!) {
      const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
      if (/^(Cannot find name|No value exists in scope for the shorthand)/.test(message)) continue; // reported in pass 1
      const offset = (d.start ?? 0) - bodyStart(v);
      const line = offset >= 0 ? v.example.code.slice(0, offset).split('\n').length : 0;
      v.problems.push(`example line ${line}: ${message}`);
    }
  }
  return {
    examples: virtuals.map((v) => v.example),
    failures: virtuals.filter((v) => v.problems.length).map((v) => ({ example: v.example, problems: v.problems })),
  };
}
