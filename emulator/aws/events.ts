/**
 * The EventBridge event a schedule (`rate(...)`, no input) delivers to the refresh function, with
 * `detail` as given; a `regcred.refresh` event differs only in its detail-type and source.
 * @example scheduledEvent() // what the refresh rule delivers every few hours
 */
export function scheduledEvent(detail: unknown = {}, region = 'us-east-1') {
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    region,
    resources: [`arn:aws:events:${region}:123456789012:rule/regcred-refresh`],
    detail,
  };
}
