/**
 * docs/protocol.md §13 numbers the conformance cases as the tests' `case N:` titles do: every
 * number in a title is a row of the table and every row a title. A row links its golden transcript
 * exactly when docs/transcripts/ has one, and each transcript cites a section the guide has.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';
import { CASE_SCRIPTS, CASES_WITHOUT_TRANSCRIPT } from '../../src/protocol-kit/transcript-cases.ts';
import { transcriptFile } from '../../src/protocol-kit/transcripts.ts';

const root = resolve(import.meta.dirname, '../../..');
const guide = readFileSync(join(root, 'docs/protocol.md'), 'utf8');
const conformance = join(root, 'server/test/conformance');

/** `case N` of every test title in the conformance suite. */
function testedCases(): Set<string> {
  const cases = new Set<string>();
  for (const file of readdirSync(conformance).filter((name) => name.endsWith('.test.ts'))) {
    for (const match of readFileSync(join(conformance, file), 'utf8').matchAll(/\btest\(\s*'case (\w+):/g)) {
      cases.add(match[1] as string);
    }
  }
  return cases;
}

/** The rows of §13's table: case → its transcript cell. */
function documentedCases(): Map<string, string> {
  const start = guide.indexOf('## 13. Conformance cases');
  const end = guide.indexOf('\n## ', start + 1);
  expect(start, 'docs/protocol.md has a "## 13. Conformance cases" section').toBeGreaterThan(-1);
  const rows = new Map<string, string>();
  for (const line of guide.slice(start, end === -1 ? undefined : end).split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (!/^(LP)?\d+$/.test(cells[1] ?? '')) continue;
    expect(rows.has(cells[1] as string), `case ${cells[1]} is listed once`).toBe(false);
    rows.set(cells[1] as string, cells[4] ?? '');
  }
  return rows;
}

test('every case number of a conformance test title is in docs/protocol.md §13, and every row is tested', () => {
  const tested = [...testedCases()].sort();
  const documented = [...documentedCases().keys()].sort();
  expect(tested.length).toBeGreaterThan(40);
  expect(documented).toEqual(tested);
});

test('a row links its transcript exactly when there is one', () => {
  const files = new Set(readdirSync(join(root, 'docs/transcripts')).filter((file) => file.endsWith('.json')));
  for (const [name, cell] of documentedCases()) {
    const file = /^\d+$/.test(name) ? transcriptFile(Number(name)) : undefined;
    if (file && files.has(file)) {
      expect(cell, `case ${name}`).toBe(`[${file.replace('.json', '')}](transcripts/${file})`);
    } else {
      expect(cell, `case ${name}`).toMatch(/^—/);
      if (!name.startsWith('LP')) expect(Object.keys(CASES_WITHOUT_TRANSCRIPT), `case ${name}`).toContain(name);
    }
  }
});

test('each transcript cites a section docs/protocol.md has', () => {
  const headings = new Set([...guide.matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)].map((match) => match[1] as string));
  for (const script of CASE_SCRIPTS) {
    const section = /^docs\/protocol\.md §(\d+(?:\.\d+)?)$/.exec(script.doc)?.[1];
    expect(section && headings.has(section), `case ${script.case} cites "${script.doc}"`).toBe(true);
  }
});
