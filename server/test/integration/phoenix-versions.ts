/**
 * The official client at every minor version the server supports, side by side: `phoenix` (1.8)
 * and the npm aliases `phoenix-1-5`, `phoenix-1-6`, `phoenix-1-7` (devDependencies of the server).
 * Their API is the one `@types/phoenix` describes, so each is typed as the 1.8 module.
 */
import { readFileSync } from 'node:fs';
import * as phoenix18 from 'phoenix';
import phoenix15 from 'phoenix-1-5';
import * as phoenix16 from 'phoenix-1-6';
import * as phoenix17 from 'phoenix-1-7';

export type PhoenixModule = Pick<typeof phoenix18, 'Socket' | 'Presence' | 'LongPoll'>;

export interface PhoenixVersion {
  /** `1.5` … `1.8` */
  readonly name: string;
  /** The npm package it is installed as. */
  readonly packageName: string;
  readonly phoenix: PhoenixModule;
  /**
   * Whether its binary pushes encode topic, event and refs as UTF-8. Before 1.8 the header is
   * written one byte per UTF-16 code unit, which is only right for ASCII.
   */
  readonly utf8BinaryHeaders: boolean;
}

export const PHOENIX_VERSIONS: readonly PhoenixVersion[] = [
  { name: '1.5', packageName: 'phoenix-1-5', phoenix: phoenix15, utf8BinaryHeaders: false },
  { name: '1.6', packageName: 'phoenix-1-6', phoenix: phoenix16, utf8BinaryHeaders: false },
  { name: '1.7', packageName: 'phoenix-1-7', phoenix: phoenix17, utf8BinaryHeaders: false },
  { name: '1.8', packageName: 'phoenix', phoenix: phoenix18, utf8BinaryHeaders: true },
];

/** The installed version of a package, from its package.json (1.6+ do not export that path). */
export function installedVersion(packageName: string): string {
  const path = new URL(`../../node_modules/${packageName}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}
