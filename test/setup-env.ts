// Every test runs under a time zone far from UTC (UTC+13:45 in southern summer), so any code
// that leaks the machine's local time into a date, a partition or a day count fails here.
process.env.TZ = 'Pacific/Chatham';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
