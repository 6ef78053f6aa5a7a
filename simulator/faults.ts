// Fault and latency settings of the simulator, and the `--faults` spec that sets them.

export const FAULT_NAMES = [
  'throttle',
  'server_error',
  'access_denied',
  'stuck',
  'malformed',
  'slow',
  'posture',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];
export type FaultRates = Record<FaultName, number>;

export const NO_FAULTS: FaultRates = {
  throttle: 0,
  server_error: 0,
  access_denied: 0,
  stuck: 0,
  malformed: 0,
  slow: 0,
  posture: 0,
};

/** Parses `throttle=0.1,access_denied=0.05` or `none`; an error names what was wrong. */
export function parseFaultSpec(spec: string): FaultRates {
  const rates = { ...NO_FAULTS };
  if (spec.trim() === 'none') return rates;
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([a-z_]+)=([0-9.]+)$/.exec(part);
    if (!m) throw new Error(`fault ${JSON.stringify(part)} is not name=rate (e.g. throttle=0.1)`);
    const [, name, value] = m;
    if (!(FAULT_NAMES as readonly string[]).includes(name)) {
      throw new Error(`unknown fault ${JSON.stringify(name)}; known: ${FAULT_NAMES.join(', ')}`);
    }
    const rate = Number(value);
    if (!(rate >= 0 && rate <= 1))
      throw new Error(`fault rate for ${name} must be between 0 and 1, got ${value}`);
    rates[name as FaultName] = rate;
  }
  return rates;
}

export type LatencyName = 'fast' | 'realistic';

export interface LatencyModel {
  /** Milliseconds one API call takes, drawn per call. */
  call(rand: () => number): number;
  /** Milliseconds a credential report takes to generate, drawn per generation. */
  reportGeneration(rand: () => number, slow: boolean): number;
}

export const LATENCY: Record<LatencyName, LatencyModel> = {
  fast: {
    call: (r) => Math.floor(r() * 3),
    reportGeneration: (r, slow) => (slow ? 150 : 10) + Math.floor(r() * 40),
  },
  realistic: {
    // AssumeRole and IAM calls around 100 ms; reports ready after 1 to 5 s (slow accounts 3x).
    call: (r) => 60 + Math.floor(r() * 80),
    reportGeneration: (r, slow) => (slow ? 3 : 1) * (1000 + Math.floor(r() * 4000)),
  },
};
