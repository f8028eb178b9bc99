import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { FullConfig, TestCase, TestResult } from '@playwright/test/reporter';
import { strToU8, unzipSync, zipSync } from 'fflate';
import ScrubSecrets from '../../reporters/scrub-secrets.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'gp-scrub-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the scrubbing reporter', () => {
  test("masks tokens nobody registered, found in a trace's recorded auth answer, in every member", () => {
    const refresh = 'rt_unregistered_0123456789';
    const trace = path.join(dir, 'trace.zip');
    writeFileSync(
      trace,
      zipSync({
        // The network log comes first, so the token must be learned before any member is masked.
        '0-trace.network': strToU8(`{"postData":"${Buffer.from(refresh).toString('base64')}"}`),
        'resources/answer.json': strToU8(
          `{"access_token":"eyJ.unregistered.sig","refresh_token":"${refresh}"}`,
        ),
      }),
    );
    const reporter = new ScrubSecrets();
    reporter.onBegin({ projects: [] } as unknown as FullConfig);
    const result = {
      attachments: [{ name: 'trace', contentType: 'application/zip', path: trace }],
      steps: [],
      errors: [],
      stdout: [],
      stderr: [],
    } as unknown as TestResult;
    reporter.onTestEnd({} as TestCase, result);

    const members = unzipSync(readFileSync(trace));
    const text = Object.values(members)
      .map((member) => Buffer.from(member).toString('utf8'))
      .join('\n');
    assert.ok(!text.includes(refresh), text);
    assert.ok(!text.includes(Buffer.from(refresh).toString('base64')), text);
    assert.ok(!text.includes('eyJ.unregistered.sig'), text);
    assert.match(text, /"refresh_token":"\[redacted:refresh-token\]"/);
  });
});
