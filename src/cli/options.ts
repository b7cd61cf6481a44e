// Helpers shared by command modules: the global options and argument normalisation.
import path from 'node:path';
import type { Argv } from 'yargs';
import { AltazionError } from '../core/errors';
import type { Context } from '../context/context';
import type { RootedRecord } from '../core/records';

/** The options every command takes (SPEC §3). */
export interface GlobalOptions {
  root?: string;
  json?: boolean;
  verbose?: boolean;
}

export type Args<T> = GlobalOptions & T;

/** `--name a --name b`, `--name a,b` and `--name a b` all give ['a', 'b']. */
export function listArg(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter(Boolean);
}

/**
 * listArg for an option that narrows what a command acts on (`--name`, `--check`): given but empty
 * (`--name ""`, a script's unset variable) is refused, never read as "all of them" (an install of
 * every module, every repair).
 */
export function selectionArg(value: unknown, option: string, all: string): string[] {
  const list = listArg(value);
  if (value !== undefined && value !== null && list.length === 0) {
    throw new AltazionError('E_USAGE', `--${option}: the value is empty; leave --${option} out for ${all}`, { target: `--${option}` });
  }
  return list;
}

/**
 * The listed fields of `from` that are set: unset options stay absent rather than `undefined`,
 * so spreading them over defaults never erases a default.
 */
export function definedFields<T extends object, K extends keyof T>(from: T, keys: K[]): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (from[key] !== undefined) picked[key] = from[key];
  return picked;
}

export function withSelection<T>(y: Argv<T>) {
  return y
    .option('name', { alias: 'n', type: 'string', array: true, describe: 'module key or alias (repeatable): gestioncommerciale, ecommerce, phygitalapi, integration, logistique, database' })
    .option('instance', { alias: 'i', type: 'string', describe: 'instance name (as in applicationspath.config); the main instance is ""' });
}

/** The record with the instance root it belongs to (absolute), as the cmdlets bind it (SPEC §5). */
export function withRoot<T extends object>(ctx: Pick<Context, 'root' | 'pathApi'>, record: T): T & RootedRecord {
  const Root = ctx.pathApi.isAbsolute(ctx.root) ? ctx.root : path.resolve(ctx.root);
  return { ...record, Root };
}
