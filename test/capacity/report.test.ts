/**
 * The capacity check judges a load step from the service's own histogram the way the generated rules do: the
 * same error predicate, the same threshold bucket, the same `histogram_quantile`.
 */
import { checkout } from '../../examples/services';
import { histogramQuantile, histogramSamples, judgeStep, measureStep } from '../../src/capacity/report';
import { resolveService } from '../../src/model';
import { defineService } from '../../src/spec';

/** The example checkout as it was with one latency objective (300ms), which these measurements are made for. */
const checkoutOneLatency = defineService({ ...checkout, slos: { availability: { objective: 99.9 }, latency: { objective: 99, threshold: '300ms' } } });
const model = resolveService(checkoutOneLatency);

describe('histogram_quantile as Prometheus computes it', () => {
  const buckets: Array<[number, number]> = [
    [0.1, 50],
    [0.3, 90],
    [1, 100],
    [Infinity, 100],
  ];
  it.each([
    [0.5, 0.1],
    [0.25, 0.05],
    [0.7, 0.2],
    [0.95, 0.65],
  ])('the %d quantile interpolates linearly inside its bucket: %d s', (q, seconds) => {
    expect(histogramQuantile(q, buckets)).toBeCloseTo(seconds, 10);
  });

  it('gives the highest finite bound when the rank falls in the +Inf bucket', () => {
    expect(histogramQuantile(0.99, [[0.1, 10], [0.3, 20], [Infinity, 100]])).toBe(0.3);
  });

  it('is undefined (NaN) without observations', () => {
    expect(histogramQuantile(0.5, [[0.1, 0], [Infinity, 0]])).toBeNaN();
  });
});

/** An exposition of the duration histogram with the given `_count`s and one threshold bucket each. */
function exposition(series: Array<{ labels: string; count: number; within: number }>): string {
  return series
    .flatMap(({ labels, count, within }) => [
      `http_server_request_duration_seconds_bucket{${labels},le="0.3"} ${within}`,
      `http_server_request_duration_seconds_bucket{${labels},le="+Inf"} ${count}`,
      `http_server_request_duration_seconds_count{${labels}} ${count}`,
    ])
    .join('\n');
}

describe('a step, measured between two scrapes', () => {
  const before = histogramSamples(model, exposition([{ labels: 'http_request_method="GET",http_route="/cart",http_response_status_code="200"', count: 1000, within: 1000 }]));
  const after = histogramSamples(
    model,
    [
      '# HELP http_server_request_duration_seconds Duration of HTTP server requests.',
      exposition([
        { labels: 'http_request_method="GET",http_route="/cart",http_response_status_code="200"', count: 10_900, within: 10_800 },
        { labels: 'http_request_method="GET",http_route="/cart",http_response_status_code="503"', count: 40, within: 40 },
        { labels: 'http_request_method="GET",http_route="/cart",http_response_status_code="404"', count: 50, within: 50 },
        { labels: 'http_request_method="GET",http_route="/cart",error_type="aborted"', count: 10, within: 0 },
      ]),
    ].join('\n'),
  );
  const step = measureStep(model, before, after);

  it('counts the increase of every series, new ones from zero', () => {
    expect(step.requests).toBe(10_000);
  });

  it('counts as failed the error statuses and the requests without a response, not a 404', () => {
    expect(step.failed).toBe(50);
    expect(step.errorRatio).toBe(0.005);
  });

  it('reads the share within the latency threshold from its bucket', () => {
    expect(step.withinThreshold).toBe(0.989);
  });

  it('misses availability (0.5% failed against a 0.1% budget) and latency (98.9% within 300ms against 99%)', () => {
    expect(judgeStep(model, step)).toEqual({
      met: false,
      judgeable: true,
      reasons: ['0.500% failed, above the 0.1% budget', '98.90% within 300ms, below 99%'],
    });
  });

  it("leaves aborted requests out of the failures when the definition ignores client aborts", () => {
    const lenient = resolveService(defineService({ ...checkoutOneLatency, errors: { clientAborts: 'ignore' } }));
    expect(measureStep(lenient, before, after).failed).toBe(40);
  });

  it('says a step of fewer than ten budgets of requests cannot judge 99.9%', () => {
    expect(judgeStep(model, { ...step, requests: 9_999 }).judgeable).toBe(false);
  });
});
