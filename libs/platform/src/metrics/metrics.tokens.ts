/** The one prom-client `Registry` of the process; register your own metrics on it. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/** The `Histogram<'method' | 'route' | 'status'>` of HTTP request durations, in seconds. */
export const HTTP_REQUEST_DURATION = Symbol('HTTP_REQUEST_DURATION');
