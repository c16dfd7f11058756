// CloudWatch alarms and the refresh function's on-failure destination, only when asked for:
//   param alarmTopic          SNS topic ARN the alarms notify (no alarm at all without it)
//   param failureDestination  where a refresh event goes once Lambda gives up on it (SNS topic, SQS
//                             queue, Lambda function or EventBridge bus ARN); defaults to alarmTopic
//   param upstreamErrorThreshold  upstream errors per 5 minutes above which the http function alarms
//   param validityFloorSeconds    the least validity a served credential may have before it alarms
// Used by serverless.yml as ${file(./deploy/aws/alarms.cjs):resources} (a second element of the
// `resources` array, merged by osls) and ${file(./deploy/aws/alarms.cjs):destinations}.
'use strict';

const SNS_TOPIC = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
/** The action the refresh role needs on each kind of destination, by the ARN's service. */
const DESTINATIONS = [
  { arn: SNS_TOPIC, action: 'sns:Publish' },
  { arn: /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/, action: 'sqs:SendMessage' },
  { arn: /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$/, action: 'lambda:InvokeFunction' },
  { arn: /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[A-Za-z0-9/._-]{1,256}$/, action: 'events:PutEvents' },
];

module.exports = async ({ resolveVariable }) => {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const param = async (name) => String((await resolveVariable(`param:${name}`)) ?? '').trim();

  const topic = await param('alarmTopic');
  if (topic && !SNS_TOPIC.test(topic)) throw new Error(`param alarmTopic: '${topic}' is not an SNS topic ARN (a standard topic: alarms cannot notify FIFO topics)`);
  const destination = (await param('failureDestination')) || topic;
  const kind = destination && DESTINATIONS.find((d) => d.arn.test(destination));
  if (destination && !kind) throw new Error(`param failureDestination: '${destination}' is not an SNS topic, SQS queue, Lambda function or EventBridge bus ARN`);
  const positive = async (name) => {
    const value = await param(name);
    if (!/^[1-9]\d{0,6}$/.test(value)) throw new Error(`param ${name}: '${value}' is not a positive whole number`);
    return Number(value);
  };
  const upstreamErrorThreshold = await positive('upstreamErrorThreshold');
  const validityFloorSeconds = await positive('validityFloorSeconds');

  const Resources = {};
  if (topic) {
    const alarm = (name, description, metric) => ({
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: `${service}-${stage}-${name}`,
        AlarmDescription: description,
        ...metric,
        Period: 300,
        EvaluationPeriods: 1,
        // No data means nothing ran or nothing was served: not a failure.
        TreatMissingData: 'notBreaching',
        AlarmActions: [topic],
        OKActions: [topic],
      },
    });
    // Failures come from Lambda's own Errors metric, not regcred's RefreshFailures/RotationFailures:
    // a timeout, a crash or a cold start that fails on bad configuration never gets to flush its
    // metrics line, and Lambda counts every one of them.
    const lambdaErrors = (fn) => ({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: `${fn}LambdaFunction` } }],
      Statistic: 'Sum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
    });
    // regcred's own metrics, by the `function` dimension alone (core/metrics.ts publishes that roll-up).
    const regcred = (metric, statistic) => ({
      Namespace: 'regcred',
      MetricName: metric,
      Dimensions: [{ Name: 'function', Value: { Ref: 'HttpLambdaFunction' } }],
      Statistic: statistic,
    });
    Object.assign(Resources, {
      RegcredRefreshFailedAlarm: alarm('refresh-failed', 'A refresh invocation failed: a secret may be going stale (see the refresh function log).', lambdaErrors('Refresh')),
      RegcredRotationFailedAlarm: alarm('rotation-failed', 'A Secrets Manager rotation step failed (see the rotate function log).', lambdaErrors('Rotate')),
      RegcredUpstreamErrorsAlarm: alarm('upstream-errors', `More than ${upstreamErrorThreshold} registry API errors in 5 minutes on the http function.`, {
        ...regcred('UpstreamErrors', 'Sum'),
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: upstreamErrorThreshold,
      }),
      RegcredServedValidityLowAlarm: alarm('served-validity-low', `A credential was served with less than ${validityFloorSeconds} s of validity left: the registry API is failing and the cache is running out.`, {
        ...regcred('ValiditySecondsLeft', 'Minimum'),
        ComparisonOperator: 'LessThanThreshold',
        Threshold: validityFloorSeconds,
      }),
    });
  }

  const extensions = {};
  if (destination) {
    // The refresh role may reach this one destination, with the one action it needs, nothing else.
    Resources.RegcredRefreshFailureDestinationPolicy = {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: `${service}-${stage}-refresh-on-failure`,
        Roles: [{ Ref: 'RefreshRole' }],
        PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: [kind.action], Resource: destination }] },
      },
    };
    // Lambda checks the role may use the destination when the invoke config is created.
    extensions.RefreshLambdaEvConf = { DependsOn: ['RegcredRefreshFailureDestinationPolicy'] };
  }

  return {
    resources: { Resources, ...(destination && { extensions }) },
    destinations: destination ? { onFailure: destination } : {},
  };
};
