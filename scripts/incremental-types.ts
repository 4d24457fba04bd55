// Type-checks many variants of the workbook fast, for the exercises' proof.
// `tsc --noEmit` takes about 6 s; most of it parses and checks files that a
// solution leaves alone. Here the workbook is checked once, and each variant
// (the files a solution changes, read from its copy) is checked from there,
// as `tsc --incremental` would: only the files it changes, and those whose
// types depend on them, are checked again. About 0.6 s each.
import { createHash } from 'node:crypto';
import path from 'node:path';
import ts from 'typescript';

const hash = (text: string) => createHash('sha1').update(text).digest('hex');

export class IncrementalTypes {
  private readonly config: ts.ParsedCommandLine;
  private readonly host: ts.CompilerHost;
  private readonly parsed = new Map<string, ts.SourceFile>();
  /** The files of the variant being checked: path in the workbook → its text (undefined: deleted). */
  private overlay = new Map<string, string | undefined>();
  private readonly base: ts.SemanticDiagnosticsBuilderProgram;

  constructor(private readonly root: string) {
    const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    });
    if (!config) throw new Error('no tsconfig.json');
    this.config = config;
    const host = ts.createCompilerHost(config.options);
    const read = (file: string) => (this.overlay.has(file) ? this.overlay.get(file) : ts.sys.readFile(file));
    host.readFile = read;
    host.fileExists = (file) => read(file) !== undefined;
    host.createHash = hash;
    // A file is parsed once per content; the builder needs each file's version.
    host.getSourceFile = (file, languageVersion) => {
      const text = read(file);
      if (text === undefined) return undefined;
      const key = `${file}\0${hash(text)}`;
      let source = this.parsed.get(key);
      if (!source) {
        source = ts.createSourceFile(file, text, languageVersion, true);
        (source as ts.SourceFile & { version: string }).version = hash(text);
        this.parsed.set(key, source);
      }
      return source;
    };
    this.host = host;
    this.base = this.build(config.fileNames);
    const problems = this.diagnostics(this.base);
    if (problems.length) throw new Error(`the workbook as it is does not type-check: ${problems[0]}`);
  }

  private build(rootNames: string[], old?: ts.SemanticDiagnosticsBuilderProgram): ts.SemanticDiagnosticsBuilderProgram {
    return ts.createSemanticDiagnosticsBuilderProgram(rootNames, this.config.options, this.host, old);
  }

  private diagnostics(program: ts.SemanticDiagnosticsBuilderProgram): string[] {
    return [...program.getConfigFileParsingDiagnostics(), ...program.getSyntacticDiagnostics(), ...program.getGlobalDiagnostics(), ...program.getSemanticDiagnostics()].map(
      (d) => {
        const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
        const place = d.file ? `${path.relative(this.root, d.file.fileName)}${where ? `:${where.line + 1}` : ''}: ` : '';
        return `${place}${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
      },
    );
  }

  /**
   * The type errors of the workbook with `changed` files (paths from the top
   * folder) as they are in `copy`, and `created` files added. [] when it checks.
   */
  check(copy: string, changed: string[], created: string[]): string[] {
    this.overlay = new Map([...changed, ...created].map((file) => [path.join(this.root, file), ts.sys.readFile(path.join(copy, file))]));
    const included = (file: string) => /\.tsx?$/.test(file) && /^(lessons|shared|test|scripts|bench)\//.test(file);
    const rootNames = [...this.config.fileNames, ...created.filter(included).map((file) => path.join(this.root, file))];
    try {
      return this.diagnostics(this.build(rootNames.filter((file) => this.host.fileExists(file)), this.base));
    } finally {
      this.overlay = new Map();
    }
  }
}
