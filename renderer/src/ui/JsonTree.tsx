// A payload as a tree a person can read: objects and arrays fold open and
// shut (keyboard too: they are buttons), leaves show typed values, and chosen
// paths are highlighted (the record snapshot's fields, the matched field).
import { useState, type ReactNode } from 'react';

export type JsonPath = Array<string | number>;
export type Mark = 'matched' | 'snapshot' | null;

interface Props {
  value: unknown;
  label: string;
  mark?: (path: JsonPath) => Mark;
  /** Levels open at first. */
  openDepth?: number;
}

export function JsonTree({ value, label, mark = () => null, openDepth = 3 }: Props) {
  return (
    <div className="json-tree" role="tree" aria-label={label}>
      <Node name={null} value={value} path={[]} mark={mark} openDepth={openDepth} />
    </div>
  );
}

function Leaf({ value }: { value: unknown }) {
  if (value === null) return <span className="j-null">null</span>;
  if (typeof value === 'string') return <span className="j-str">{JSON.stringify(value)}</span>;
  if (typeof value === 'number') return <span className="j-num">{String(value)}</span>;
  if (typeof value === 'boolean') return <span className="j-bool">{String(value)}</span>;
  return <span>{JSON.stringify(value)}</span>;
}

function Node({ name, value, path, mark, openDepth }: { name: ReactNode; value: unknown; path: JsonPath; mark: (p: JsonPath) => Mark; openDepth: number }) {
  const [open, setOpen] = useState(path.length < openDepth);
  const m = mark(path);
  const cls = m ? ` j-mark-${m}` : '';
  const key = name === null ? null : <span className="j-key">{name}: </span>;
  if (value === null || typeof value !== 'object') {
    return (
      <div role="treeitem" aria-selected={false} className={`j-row${cls}`} title={m === 'matched' ? 'the matched field' : m === 'snapshot' ? 'in the record snapshot' : undefined}>
        {key}
        <Leaf value={value} />
      </div>
    );
  }
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  const [l, r] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return (
    <div role="treeitem" aria-expanded={open} aria-selected={false} className={`j-node${cls}`}>
      <button type="button" className="j-toggle" onClick={() => setOpen(!open)} aria-label={`${open ? 'Collapse' : 'Expand'} ${name ?? 'root'}`}>
        {open ? '▾' : '▸'}
      </button>
      {key}
      {l}
      {!open && <span className="muted"> {entries.length} {Array.isArray(value) ? 'items' : 'keys'} </span>}
      {open && (
        <div role="group" className="j-children">
          {entries.map(([k, v]) => (
            <Node key={k} name={k} value={v} path={[...path, k]} mark={mark} openDepth={openDepth} />
          ))}
        </div>
      )}
      {r}
    </div>
  );
}

/** A copy button for any JSON value (falls back to selecting nothing when the clipboard is refused). */
export function CopyJson({ value, label }: { value: unknown; label: string }) {
  const [done, setDone] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <button
      type="button"
      onClick={() =>
        void navigator.clipboard.writeText(JSON.stringify(value, null, 2)).then(
          () => setDone('copied'),
          () => setDone('failed'),
        )
      }
    >
      {done === 'copied' ? 'Copied' : done === 'failed' ? 'Copy refused' : label}
    </button>
  );
}
