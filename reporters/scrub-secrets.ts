/**
 * Listed first among the reporters: masks every secret this run holds in step titles and
 * parameters, errors, stdout and attachments before the HTML, JUnit and Allure reporters read
 * them, then, once every reporter has finished, sweeps the files they and Playwright wrote
 * (traces, report data, Allure results) so that no form of a secret is left in any of them.
 *
 * Besides the secrets the harness registered, every credential field it finds (`access_token`,
 * `refresh_token`, `id_token` in JSON) counts as a secret: a trace records the auth service's
 * answers to the page, whose tokens nobody registered. Each file is read for those first, then
 * masked, so every form of a token found anywhere in it is masked everywhere in it.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type {
  FullConfig,
  Reporter,
  TestCase,
  TestError,
  TestResult,
  TestStep,
} from '@playwright/test/reporter';
import { rewriteContent, rewriteFiles } from '../harness/artifacts.ts';
import { outputDir, outputPaths, tryLoadConfig } from '../harness/run-context.ts';
import { credentialsIn, SecretRegistry } from '../harness/secret-registry.ts';

export default class ScrubSecrets implements Reporter {
  private stateDir: string | undefined;
  private registry = new SecretRegistry();
  private seen = '';
  private outputs: string[] = [];
  /** Credentials found in what was written: value → label. */
  private learned = new Map<string, string>();

  onBegin(config: FullConfig): void {
    this.stateDir = tryLoadConfig()?.stateDir;
    const paths = outputPaths(outputDir());
    this.outputs = [
      ...config.projects.map((project) => project.outputDir),
      paths.htmlReport,
      paths.allureResults,
      path.dirname(paths.junit),
      paths.blobReport,
      paths.diagnosis,
    ];
  }

  /**
   * Re-read the secret files when any process has added to them. Once per report event, not per
   * string masked: a worker writes a secret before it sends the event that could carry it, and
   * looking at the files for every title, parameter and error cost the run's main process about
   * 0.3 s of CPU (BENCHMARKS.md).
   */
  private refresh(): void {
    if (!this.stateDir) return;
    const dir = path.join(this.stateDir, 'secrets');
    let signature = '';
    try {
      signature = readdirSync(dir)
        .map((name) => `${name}:${statSync(path.join(dir, name)).size}`)
        .join(',');
    } catch {
      return;
    }
    if (signature !== this.seen) {
      this.seen = signature;
      this.registry = SecretRegistry.readAll(this.stateDir);
      for (const [value, label] of this.learned) this.registry.add(label, value);
    }
  }

  /** Take every credential field in `text` as a secret; the text itself is left as it is. */
  private learn = (text: string): string => {
    for (const { label, value } of credentialsIn(text)) {
      if (this.learned.has(value)) continue;
      this.learned.set(value, label);
      this.registry.add(label, value);
    }
    return text;
  };

  private mask = (text: string): string => this.registry.mask(this.learn(text));

  /** The bytes with every secret masked, learning from all of them first; undefined: unchanged. */
  private scrubbed(bytes: Uint8Array): Uint8Array | undefined {
    rewriteContent(bytes, this.learn);
    return rewriteContent(bytes, this.mask);
  }

  private scrubError(error: TestError | undefined): void {
    if (!error) return;
    for (const key of ['message', 'stack', 'value', 'snippet'] as const) {
      const value = error[key];
      if (typeof value === 'string') error[key] = this.mask(value);
    }
  }

  private scrubStep(step: TestStep): void {
    const writable = step as { title: string; params?: Record<string, unknown> };
    writable.title = this.mask(step.title);
    if (writable.params) writable.params = JSON.parse(this.mask(JSON.stringify(writable.params)));
    this.scrubError(step.error);
    for (const child of step.steps) this.scrubStep(child);
  }

  onStepBegin(_test: TestCase, _result: TestResult, step: TestStep): void {
    this.refresh();
    this.scrubStep(step);
  }

  onStepEnd(_test: TestCase, _result: TestResult, step: TestStep): void {
    this.refresh();
    this.scrubStep(step);
  }

  onTestEnd(_test: TestCase, result: TestResult): void {
    this.refresh();
    this.scrubError(result.error);
    for (const error of result.errors) this.scrubError(error);
    for (const step of result.steps) this.scrubStep(step);
    const chunks = [result.stdout, result.stderr];
    for (const list of chunks) {
      list.forEach((chunk, index) => {
        list[index] = this.mask(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      });
    }
    for (const attachment of result.attachments) {
      if (attachment.body) {
        const next = this.scrubbed(attachment.body);
        if (next) attachment.body = Buffer.from(next);
      }
      if (attachment.path) {
        try {
          const next = this.scrubbed(readFileSync(attachment.path));
          if (next) writeFileSync(attachment.path, next);
        } catch {
          // An attachment file that is already gone has nothing left to leak.
        }
      }
    }
  }

  onError(error: TestError): void {
    this.refresh();
    this.scrubError(error);
  }

  /** Runs after every reporter's onEnd: the last word on what is left on disk. */
  async onExit(): Promise<void> {
    this.refresh();
    rewriteFiles(this.outputs, this.learn);
    rewriteFiles(this.outputs, this.mask);
  }

  printsToStdio(): boolean {
    return false;
  }
}
