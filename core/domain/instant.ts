// Instant: a UTC point in time with nanosecond precision (PRODUCT §3 "Timestamps",
// seed "Multi-Layer Timestamp Handling").
//
// JS `Date` holds milliseconds, so it never appears on the storage path. An
// instant is whole epoch seconds plus nanoseconds; its text form is always
// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` so that string order is time order (the
// SQLite index relies on that). The range is protobuf Timestamp's:
// 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z.

export class InstantError extends Error {
  override name = 'InstantError';
}

const MIN_SECONDS = -62135596800; // 0001-01-01T00:00:00Z
const MAX_SECONDS = 253402300799; // 9999-12-31T23:59:59Z
const NANOS_PER_SECOND = 1_000_000_000;
const SECONDS_PER_DAY = 86400;

const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

export class Instant {
  private constructor(
    /** Whole seconds since 1970-01-01T00:00:00Z (may be negative). */
    readonly seconds: number,
    /** 0..999_999_999, always forward from `seconds`. */
    readonly nanos: number,
  ) {}

  static of(seconds: number, nanos = 0): Instant {
    if (!Number.isSafeInteger(seconds)) throw new InstantError(`seconds ${seconds} is not a whole number`);
    if (!Number.isInteger(nanos) || nanos < 0 || nanos >= NANOS_PER_SECOND) {
      throw new InstantError(`nanos ${nanos} is out of range [0, 999999999]`);
    }
    if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
      throw new InstantError(`seconds ${seconds} is outside 0001-01-01..9999-12-31`);
    }
    return new Instant(seconds, nanos);
  }

  /** From a protobuf `google.protobuf.Timestamp` as decoders hand it over
   *  (seconds as number, decimal string, bigint or a Long-like {low, high}). */
  static fromProtobuf(ts: { seconds?: unknown; nanos?: unknown }): Instant {
    const seconds = toSafeInteger(ts.seconds ?? 0);
    const nanos = ts.nanos ?? 0;
    if (typeof nanos !== 'number' || !Number.isInteger(nanos)) {
      throw new InstantError(`nanos ${String(nanos)} is not an integer`);
    }
    return Instant.of(seconds, nanos);
  }

  toProtobuf(): { seconds: number; nanos: number } {
    return { seconds: this.seconds, nanos: this.nanos };
  }

  /** Nanoseconds since the epoch, exact. */
  toEpochNanos(): bigint {
    return BigInt(this.seconds) * 1_000_000_000n + BigInt(this.nanos);
  }

  static fromEpochNanos(ns: bigint): Instant {
    let seconds = ns / 1_000_000_000n;
    let nanos = ns % 1_000_000_000n;
    if (nanos < 0n) {
      nanos += 1_000_000_000n;
      seconds -= 1n;
    }
    return Instant.of(Number(seconds), Number(nanos));
  }

  /** Milliseconds since the epoch, truncated (for display and UUIDv7 time only). */
  toEpochMillis(): number {
    return this.seconds * 1000 + Math.floor(this.nanos / 1_000_000);
  }

  static fromEpochMillis(ms: number): Instant {
    const seconds = Math.floor(ms / 1000);
    return Instant.of(seconds, (ms - seconds * 1000) * 1_000_000);
  }

  plusSeconds(s: number): Instant {
    return Instant.of(this.seconds + s, this.nanos);
  }

  compare(other: Instant): number {
    if (this.seconds !== other.seconds) return this.seconds < other.seconds ? -1 : 1;
    if (this.nanos !== other.nanos) return this.nanos < other.nanos ? -1 : 1;
    return 0;
  }

  isAfter(other: Instant): boolean {
    return this.compare(other) > 0;
  }

  equals(other: Instant): boolean {
    return this.seconds === other.seconds && this.nanos === other.nanos;
  }

  /** UTC calendar date `YYYY-MM-DD` (the segment a line belongs to). */
  utcDate(): string {
    return this.toString().slice(0, 10);
  }

  /** Canonical text: nine fractional digits and `Z`. */
  toString(): string {
    const days = Math.floor(this.seconds / SECONDS_PER_DAY);
    const secOfDay = this.seconds - days * SECONDS_PER_DAY;
    const [y, m, d] = civilFromDays(days);
    const hh = Math.floor(secOfDay / 3600);
    const mm = Math.floor((secOfDay % 3600) / 60);
    const ss = secOfDay % 60;
    return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}.${pad(this.nanos, 9)}Z`;
  }

  toJSON(): string {
    return this.toString();
  }

  /**
   * Parses any RFC 3339 date-time (`T`, `t` or a space between date and time;
   * `Z`, `z` or a numeric offset; 0–9 fractional digits) and normalises to UTC.
   * Errors say what is wrong with the text.
   */
  static parse(text: string): Instant {
    if (typeof text !== 'string') throw new InstantError(`timestamp must be a string, got ${typeof text}`);
    const m = RFC3339.exec(text);
    if (!m) throw new InstantError(describeShapeError(text));
    const [, ys, mos, ds, hs, mis, ss, frac, offset] = m as unknown as string[];
    const year = Number(ys);
    const month = Number(mos);
    const day = Number(ds);
    const hour = Number(hs);
    const minute = Number(mis);
    const second = Number(ss);
    const q = JSON.stringify(text);
    if (year < 1) throw new InstantError(`timestamp ${q}: year 0000 is out of range (0001-9999)`);
    if (month < 1 || month > 12) throw new InstantError(`timestamp ${q}: month ${mos} is out of range (01-12)`);
    const dim = daysInMonth(year, month);
    if (day < 1 || day > dim) {
      throw new InstantError(`timestamp ${q}: day ${ds} does not exist in ${MONTH_NAMES[month - 1]} ${ys} (01-${dim})`);
    }
    if (hour > 23) throw new InstantError(`timestamp ${q}: hour ${hs} is out of range (00-23)`);
    if (minute > 59) throw new InstantError(`timestamp ${q}: minute ${mis} is out of range (00-59)`);
    if (second === 60) throw new InstantError(`timestamp ${q}: leap second :60 cannot be represented`);
    if (second > 59) throw new InstantError(`timestamp ${q}: second ${ss} is out of range (00-59)`);
    let nanos = 0;
    if (frac !== undefined) {
      if (frac.length > 9) {
        throw new InstantError(`timestamp ${q}: ${frac.length} fractional digits; at most 9 (nanoseconds) are kept`);
      }
      nanos = Number(frac.padEnd(9, '0'));
    }
    let offsetSeconds = 0;
    if (offset !== 'Z' && offset !== 'z') {
      const sign = offset!.startsWith('-') ? -1 : 1;
      const oh = Number(offset!.slice(1, 3));
      const om = Number(offset!.slice(4, 6));
      if (oh > 23 || om > 59) throw new InstantError(`timestamp ${q}: offset ${offset} is out of range`);
      offsetSeconds = sign * (oh * 3600 + om * 60);
    }
    const seconds = daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offsetSeconds;
    if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
      throw new InstantError(`timestamp ${q} is outside 0001-01-01..9999-12-31 once converted to UTC`);
    }
    return new Instant(seconds, nanos);
  }

  /** Parses and returns the canonical text, or throws. */
  static normalize(text: string): string {
    return Instant.parse(text).toString();
  }
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

function describeShapeError(text: string): string {
  const q = JSON.stringify(text.length > 64 ? text.slice(0, 64) + '…' : text);
  if (text === '') return 'timestamp is empty';
  if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(text)) {
    return `timestamp ${q} has no UTC offset (add Z or ±HH:MM)`;
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return `timestamp ${q} has a date but no time`;
  if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})?$/.test(text)) return `timestamp ${q} has no seconds`;
  if (/\.(?!\d)/.test(text)) return `timestamp ${q} has a decimal point without digits`;
  return `timestamp ${q} is not RFC 3339 (expected e.g. 2026-12-04T10:00:00.123456789Z)`;
}

function toSafeInteger(v: unknown): number {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'bigint') n = Number(v);
  else if (typeof v === 'string' && /^-?\d+$/.test(v)) n = Number(v);
  else if (v !== null && typeof v === 'object' && 'low' in v && 'high' in v) {
    const { low, high } = v as { low: number; high: number };
    n = high * 4294967296 + (low >>> 0);
  } else throw new InstantError(`seconds ${String(v)} is not an integer`);
  if (!Number.isSafeInteger(n)) throw new InstantError(`seconds ${String(v)} is not an integer in range`);
  return n;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}
