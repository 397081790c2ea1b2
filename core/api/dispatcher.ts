// The one dispatcher every transport calls: name + raw args in, a Reply out.
import { QueryError } from '../store/store-reader.js';
import { UnknownEventError } from '../store/event-store.js';
import { contract, isOpName, type Handlers, type Reply } from './contract.js';

export type Dispatch = (name: string, args: unknown) => Promise<Reply>;

export function createDispatcher(handlers: Handlers): Dispatch {
  return async (name, args) => {
    if (!isOpName(name)) return { ok: false, error: { code: 'unknown_operation', message: `no operation ${JSON.stringify(name)}` } };
    const parsed = contract[name].input.safeParse(args ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
      return { ok: false, error: { code: 'invalid_input', message: `${name}: ${where}${issue.message}` } };
    }
    try {
      const handler = handlers[name] as (input: unknown) => unknown;
      return { ok: true, result: await handler(parsed.data) };
    } catch (e) {
      if (e instanceof QueryError) return { ok: false, error: { code: 'invalid_input', message: `${name}: ${e.message}` } };
      if (e instanceof UnknownEventError) return { ok: false, error: { code: 'not_found', message: `${name}: ${e.message}` } };
      return { ok: false, error: { code: 'internal', message: `${name} failed: ${(e as Error).message}` } };
    }
  };
}
