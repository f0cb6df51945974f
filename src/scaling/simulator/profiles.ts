/**
 * Traffic profiles for the scaling simulator: requests per second over time, as piecewise-linear points.
 * Plain data, so a team can add its own recorded traffic shape next to these.
 */

/** Traffic over time: `[seconds since start, requests per second]`, linear in between, sorted by time. */
export interface TrafficProfile {
  readonly name: string;
  readonly description: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
}

const MIN = 60;
const HOUR = 3600;

/**
 * A flash crowd: 1K rps, then 50K within 3 minutes (a release, a push notification, a live event),
 * held for 30 minutes, decaying back over 30 minutes.
 */
export const FLASH_CROWD: TrafficProfile = {
  name: 'flash-crowd',
  description: '1K rps, to 50K rps within 3 minutes, held 30 minutes, back to 1K over 30 minutes',
  points: [
    [0, 1000],
    [10 * MIN, 1000],
    [13 * MIN, 50_000],
    [43 * MIN, 50_000],
    [73 * MIN, 1000],
    [100 * MIN, 1000],
  ],
};

/** Hourly shape of a consumer service's day (low at 04:00, peak at 20:00), as a share of the peak. */
const DAY_SHAPE = [0.4, 0.3, 0.22, 0.18, 0.16, 0.18, 0.25, 0.38, 0.52, 0.62, 0.68, 0.72, 0.76, 0.74, 0.72, 0.73, 0.76, 0.82, 0.9, 0.98, 1, 0.92, 0.75, 0.56, 0.4];

/** A daily peak: 24 hours from 1.6K rps at 04:00 to 10K rps at 20:00. */
export const DAILY_PEAK: TrafficProfile = {
  name: 'daily-peak',
  description: 'one day: 1.6K rps at 04:00, 10K rps at 20:00',
  points: DAY_SHAPE.map((share, hour) => [hour * HOUR, Math.round(share * 10_000)] as const),
};

/** A slow ramp: 1K to 10K rps over 2 hours, then held for 30 minutes. */
export const SLOW_RAMP: TrafficProfile = {
  name: 'slow-ramp',
  description: '1K rps to 10K rps linearly over 2 hours, held 30 minutes',
  points: [
    [0, 1000],
    [2 * HOUR, 10_000],
    [2 * HOUR + 30 * MIN, 10_000],
  ],
};

/** The profiles the simulator ships, by name. */
export const PROFILES: Readonly<Record<string, TrafficProfile>> = {
  [FLASH_CROWD.name]: FLASH_CROWD,
  [DAILY_PEAK.name]: DAILY_PEAK,
  [SLOW_RAMP.name]: SLOW_RAMP,
};

/** Requests per second at `t` seconds (linear between points, flat outside them). */
export function trafficAt(profile: TrafficProfile, t: number): number {
  const pts = profile.points;
  if (t <= pts[0][0]) return pts[0][1];
  for (let i = 1; i < pts.length; i++) {
    const [t1, r1] = pts[i];
    if (t <= t1) {
      const [t0, r0] = pts[i - 1];
      return t1 === t0 ? r1 : r0 + ((r1 - r0) * (t - t0)) / (t1 - t0);
    }
  }
  return pts[pts.length - 1][1];
}

/** Length of a profile in seconds. */
export function profileDuration(profile: TrafficProfile): number {
  return profile.points[profile.points.length - 1][0];
}

/** Highest traffic of a profile. */
export function profilePeak(profile: TrafficProfile): number {
  return Math.max(...profile.points.map(([, r]) => r));
}
