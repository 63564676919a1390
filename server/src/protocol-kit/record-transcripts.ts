/**
 * `pnpm transcripts`: runs every case script against a fresh protocol server and writes what it
 * answered to docs/transcripts/case-NN.json (formatted with Biome, as the rest of the repository).
 * The replay test (server/test/protocol-kit/transcripts.test.ts) keeps the files true afterwards.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startProtocolServer, transcriptServerOptions } from './protocol-server.ts';
import { CASE_SCRIPTS } from './transcript-cases.ts';
import { record, transcriptFile } from './transcripts.ts';

const root = resolve(import.meta.dirname, '../../..');
const TRANSCRIPTS_DIR = join(root, 'docs', 'transcripts');

async function main(): Promise<void> {
  await mkdir(TRANSCRIPTS_DIR, { recursive: true });
  const written = new Set<string>();
  for (const script of CASE_SCRIPTS) {
    const server = await startProtocolServer(transcriptServerOptions(script.server));
    try {
      const transcript = await record(script, server.socketUrl.replace(/\/socket$/, ''));
      const file = transcriptFile(script.case);
      await writeFile(join(TRANSCRIPTS_DIR, file), `${JSON.stringify(transcript)}\n`);
      written.add(file);
      console.log(`${file}  ${transcript.steps.length} steps  ${script.title}`);
    } finally {
      await server.close();
    }
  }
  for (const file of await readdir(TRANSCRIPTS_DIR)) {
    if (/^case-.*\.json$/.test(file) && !written.has(file)) await rm(join(TRANSCRIPTS_DIR, file));
  }
  const biome = spawnSync('pnpm', ['exec', 'biome', 'format', '--write', TRANSCRIPTS_DIR], {
    cwd: root,
    stdio: 'inherit',
  });
  if (biome.status !== 0) throw new Error('biome format failed');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
