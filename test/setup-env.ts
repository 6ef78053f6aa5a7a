import { afterAll } from 'vitest';

// Every test runs under a time zone far from UTC (UTC+13:45 in southern summer), so any code
// that leaks the machine's local time into a date, a partition or a day count fails here.
process.env.TZ = 'Pacific/Chatham';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

// Test files share a worker process one after another (vitest.config.ts: isolate is off), so
// whatever a file sets in the environment (the deployed path's endpoints and credentials, for
// its functions) is undone when the file ends: the next file starts from the same environment.
const environment = { ...process.env };
afterAll(() => {
  for (const key of Object.keys(process.env)) if (!(key in environment)) delete process.env[key];
  Object.assign(process.env, environment);
});
