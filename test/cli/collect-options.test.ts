// The collector flags' defaults: a simulated organization answers in milliseconds, so its polls
// and deadlines are short unless the realistic latency model (or AWS) is asked for.
import { describe, expect, it } from 'vitest';
import { type CollectFlags, pollPolicyFor, reportTimeoutMsFor } from '../../cli/collect-options.ts';

const flags = (f: Partial<CollectFlags>) =>
  ({ lake: 'x', roleName: 'r', concurrency: 20, region: 'us-east-1', posture: true, ...f }) as CollectFlags;

describe('collector flag defaults', () => {
  it('polls a simulated organization quickly when no latency model is given (fast is the default)', () => {
    expect(pollPolicyFor(flags({ simulate: true }))?.initialMs).toBe(40);
    expect(pollPolicyFor(flags({ simulate: true, latency: 'realistic' }))).toBeUndefined();
    expect(pollPolicyFor(flags({}))).toBeUndefined();
  });

  it('gives simulated runs short report deadlines and AWS five minutes', () => {
    expect(reportTimeoutMsFor(flags({ simulate: true }))).toBe(5_000);
    expect(reportTimeoutMsFor(flags({ simulate: true, latency: 'realistic' }))).toBe(30_000);
    expect(reportTimeoutMsFor(flags({}))).toBe(300_000);
    expect(reportTimeoutMsFor(flags({ simulate: true, reportTimeout: 60 }))).toBe(60_000);
  });
});
