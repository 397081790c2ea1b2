// Station times are nine-digit RFC 3339 UTC text; JS Date holds milliseconds,
// so the digits past the millisecond are carried over as text, never lost.

/** "2026-12-04 10:00:00.123" in local time (or UTC), from "2026-12-04T10:00:00.123456789Z". */
export function formatTime(text: string, utc: boolean, digits: 3 | 9 = 3): string {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return text;
  const frac = (/\.(\d+)Z$/.exec(text)?.[1] ?? '').padEnd(9, '0').slice(0, digits);
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const [y, mo, da, h, mi, s] = utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  return `${y}-${pad(mo)}-${pad(da)} ${pad(h)}:${pad(mi)}:${pad(s)}.${frac}${utc ? 'Z' : ''}`;
}

/** The local zone's offset, "UTC+01:00", for labels. */
export function zoneLabel(): string {
  const off = -new Date().getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const a = Math.abs(off);
  return `UTC${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** b − a in milliseconds with sub-millisecond digits, from two nine-digit texts. */
export function diffMs(a: string, b: string): number {
  const whole = (t: string) => Math.floor(Date.parse(t) / 1000);
  const nanos = (t: string) => Number((/\.(\d+)Z$/.exec(t)?.[1] ?? '0').padEnd(9, '0'));
  return (whole(b) - whole(a)) * 1000 + (nanos(b) - nanos(a)) / 1e6;
}

export function formatMs(ms: number): string {
  const a = Math.abs(ms);
  const text = a >= 60_000 ? `${(a / 60_000).toFixed(1)} min` : a >= 1000 ? `${(a / 1000).toFixed(3)} s` : `${a.toFixed(3)} ms`;
  return (ms < 0 ? '−' : '') + text;
}

/** The millisecond time inside a UUIDv7 (its first 48 bits). */
export function uuid7Time(id: string): string | null {
  const hex = id.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex) || hex[12] !== '7') return null;
  return new Date(parseInt(hex.slice(0, 12), 16)).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}
