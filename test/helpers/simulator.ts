// A simulated organization's life cycle in a test, written once: started, used, always closed.
import { afterAll } from 'vitest';
import { Simulator, type SimulatorOptions } from '../../simulator/simulator.ts';

/** Starts a simulator for one piece of work and closes it however the work ends. */
export async function withSimulator<T>(
  options: SimulatorOptions,
  use: (sim: Simulator) => Promise<T>,
): Promise<T> {
  const sim = await Simulator.start(options);
  try {
    return await use(sim);
  } finally {
    await sim.close();
  }
}

/**
 * For a test file that keeps simulators across tests: a start function whose simulators are all
 * closed after the file's last test.
 */
export function simulatorsForFile(): (options: SimulatorOptions) => Promise<Simulator> {
  const started: Simulator[] = [];
  afterAll(async () => {
    for (const sim of started.splice(0)) await sim.close();
  });
  return async (options) => {
    const sim = await Simulator.start(options);
    started.push(sim);
    return sim;
  };
}
