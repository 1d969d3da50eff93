/**
 * `new Date(ms).toISOString()` without a Date per call: the day prefix (`YYYY-MM-DDT`, also for
 * years before 0 or after 9999) is kept for the last day seen and the time of day is formatted by
 * hand. Every document build formats several times (bucket start and end, first and last seen),
 * and they are almost always on the day of the previous call. Same output as toISOString for every
 * integer ms (tested against it), and the same RangeError for times a Date cannot hold.
 */
const DAY_MS = 86_400_000;
const MAX_MS = 8.64e15;

let dayStart = Number.NaN;
let dayPrefix = '';

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

export function isoUtc(ms: number): string {
  let t = ms - dayStart;
  // MAX_MS starts a day of its own: a cached last day must not format the times after it.
  if (!(t >= 0 && t < DAY_MS && ms <= MAX_MS)) {
    if (!Number.isInteger(ms) || ms > MAX_MS || ms < -MAX_MS) return new Date(ms).toISOString();
    const start = ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
    const s = new Date(start).toISOString();
    dayStart = start;
    dayPrefix = s.slice(0, s.indexOf('T') + 1);
    t = ms - start;
  } else if (!Number.isInteger(t)) {
    return new Date(ms).toISOString();
  }
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor(t / 60_000) % 60;
  const s = Math.floor(t / 1000) % 60;
  return `${dayPrefix}${pad2(h)}:${pad2(m)}:${pad2(s)}.${pad3(t % 1000)}Z`;
}
