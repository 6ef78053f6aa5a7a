import { benchScale } from '/work/main/bench/scale.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const r = await benchScale([10000], (s) => console.error(s));
console.log(JSON.stringify(r, null, 1));
