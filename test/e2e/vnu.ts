import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const VNU_JAR = fileURLToPath(new URL('../../node_modules/vnu-jar/build/dist/vnu.jar', import.meta.url));

export interface HtmlDocument {
  /** Shown in failure messages: which page (and state) this HTML was served for. */
  label: string;
  html: string;
}

export interface VnuMessage {
  label: string;
  /** 'error', 'info' (subType 'warning' for warnings), or 'non-document-error' when a file could not be read. */
  type: string;
  subType?: string;
  message: string;
  line?: number;
  extract?: string;
}

interface RawVnuMessage {
  type: string;
  subType?: string;
  url?: string;
  message: string;
  lastLine?: number;
  extract?: string;
}

/**
 * Runs the Nu HTML Checker once over every document (one JVM start is most of its cost) and returns all
 * of its messages, each tied back to the document's label.
 */
export async function checkHtml(documents: readonly HtmlDocument[], timeoutMs = 120_000): Promise<VnuMessage[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bvte-vnu-'));
  try {
    const labelOf = new Map<string, string>();
    const files = documents.map((document, index) => {
      const file = path.join(dir, `page-${String(index).padStart(4, '0')}.html`);
      fs.writeFileSync(file, document.html);
      labelOf.set(path.basename(file), document.label);
      return file;
    });
    const stdout = await runVnu(['--format', 'json', '--stdout', ...files], timeoutMs);
    const { messages } = JSON.parse(stdout) as { messages: RawVnuMessage[] };
    return messages.map((raw) => ({
      label: labelOf.get(path.basename(raw.url ?? '')) ?? raw.url ?? '?',
      type: raw.type,
      subType: raw.subType,
      message: raw.message,
      line: raw.lastLine,
      extract: raw.extract,
    }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function runVnu(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    // vnu exits 1 when it found errors; its JSON on stdout is still the answer.
    execFile('java', ['-Xss2m', '-jar', VNU_JAR, ...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (stdout.trim().startsWith('{')) resolve(stdout);
      else reject(new Error(`vnu failed: ${error?.message ?? ''}\n${stderr}`));
    });
  });
}
