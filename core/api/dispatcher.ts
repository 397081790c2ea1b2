// The one dispatcher every transport calls: name + raw args in, a Reply out.
import { QueryError } from '../store/store-reader.js';
import { UnknownEventError } from '../store/event-store.js';
import { UnknownRuleError } from '../rules/rule-versions.js';
import { RuleShapeError } from '../rules/compiled-rule.js';
import { FieldPathError } from '../rules/field-path.js';
import { contract, downloads, isDownloadName, isOpName, type ApiError, type Download, type DownloadHandlers, type Handlers, type Reply } from './contract.js';
import type { z } from 'zod';

export type Dispatch = (name: string, args: unknown) => Promise<Reply>;

/** A download, or why there is none; the transport sends or saves the body. */
export type DownloadReply<Body> = { ok: true; download: Download<Body> } | { ok: false; error: ApiError };
export type DispatchDownload<Body> = (name: string, args: unknown) => DownloadReply<Body>;

function validate(name: string, schema: z.ZodTypeAny, args: unknown): { ok: true; data: unknown } | { ok: false; error: ApiError } {
  const parsed = schema.safeParse(args ?? {});
  if (parsed.success) return { ok: true, data: parsed.data };
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  return { ok: false, error: { code: 'invalid_input', message: `${name}: ${where}${issue.message}` } };
}

function failure(name: string, e: unknown): { ok: false; error: ApiError } {
  if (e instanceof QueryError) return { ok: false, error: { code: 'invalid_input', message: `${name}: ${e.message}` } };
  if (e instanceof UnknownEventError || e instanceof UnknownRuleError) return { ok: false, error: { code: 'not_found', message: `${name}: ${e.message}` } };
  if (e instanceof RuleShapeError || e instanceof FieldPathError) return { ok: false, error: { code: 'invalid_input', message: `${name}: ${e.message}` } };
  return { ok: false, error: { code: 'internal', message: `${name} failed: ${(e as Error).message}` } };
}

export function createDispatcher(handlers: Handlers): Dispatch {
  return async (name, args) => {
    if (!isOpName(name)) return { ok: false, error: { code: 'unknown_operation', message: `no operation ${JSON.stringify(name)}` } };
    const input = validate(name, contract[name].input, args);
    if (!input.ok) return input;
    try {
      const handler = handlers[name] as (input: unknown) => unknown;
      return { ok: true, result: await handler(input.data) };
    } catch (e) {
      return failure(name, e);
    }
  };
}

export function createDownloader<Body>(handlers: DownloadHandlers<Body>): DispatchDownload<Body> {
  return (name, args) => {
    if (!isDownloadName(name)) return { ok: false, error: { code: 'unknown_operation', message: `no download ${JSON.stringify(name)}` } };
    const input = validate(name, downloads[name].input, args);
    if (!input.ok) return input;
    try {
      const handler = handlers[name] as (input: unknown) => Download<Body>;
      return { ok: true, download: handler(input.data) };
    } catch (e) {
      return failure(name, e);
    }
  };
}
