/**
 * The golden transcripts of docs/transcripts/ against the protocol server: each one replays frame
 * for frame, and recording its case script again gives the same file, so neither the server nor
 * the scripts can drift from what client authors replay.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { startProtocolServer, transcriptServerOptions } from '../../src/protocol-kit/protocol-server.ts';
import { CASE_SCRIPTS } from '../../src/protocol-kit/transcript-cases.ts';
import { record, replay, type Transcript, transcriptFile } from '../../src/protocol-kit/transcripts.ts';

const directory = resolve(import.meta.dirname, '../../../docs/transcripts');
const files = readdirSync(directory).filter((file) => /^case-.+\.json$/.test(file));
const read = (file: string): Transcript => JSON.parse(readFileSync(join(directory, file), 'utf8')) as Transcript;

async function withServer(transcript: Pick<Transcript, 'server'>, run: (baseUrl: string) => Promise<void>) {
  const server = await startProtocolServer(transcriptServerOptions(transcript.server));
  try {
    await run(server.socketUrl.replace(/\/socket$/, ''));
  } finally {
    await server.close();
  }
}

test('there is one transcript per case script, and no other', () => {
  expect(files.sort()).toEqual(CASE_SCRIPTS.map((script) => transcriptFile(script.case)).sort());
});

describe.each(CASE_SCRIPTS.map((script) => [transcriptFile(script.case), script] as const))('%s', (file, script) => {
  test('replays against the protocol server', async () => {
    const transcript = read(file);
    expect(transcript.case).toBe(script.case);
    await withServer(transcript, (baseUrl) => replay(transcript, baseUrl));
  });

  test('is what its case script records now (else run pnpm transcripts)', async () => {
    await withServer(script, async (baseUrl) => {
      expect(await record(script, baseUrl)).toEqual(read(file));
    });
  });
});

test('a replay fails on a frame that differs', async () => {
  const transcript = read(transcriptFile(19));
  const broken = JSON.parse(JSON.stringify(transcript).replace('"a":1', '"a":2')) as Transcript;
  await withServer(broken, async (baseUrl) => {
    await expect(replay(broken, baseUrl)).rejects.toThrow(/case 19, step \d+: "a" got/);
  });
});

test('a placeholder binds once: the same name must match the same string', async () => {
  const transcript = read(transcriptFile(33));
  const text = JSON.stringify(transcript);
  const lastRef = text.lastIndexOf('{{phx_ref_1}}');
  const broken = JSON.parse(`${text.slice(0, lastRef)}{{phx_ref_2}}${text.slice(lastRef + 13)}`) as Transcript;
  await withServer(broken, async (baseUrl) => {
    await expect(replay(broken, baseUrl)).rejects.toThrow(/case 33, step \d+: "observer" got/);
  });
});
