// The EventBridge pattern that starts an event-triggered refresh: detail-type regcred.refresh from
// the sources the operator lists (param refreshSources), never from any source on the bus.
// Used by serverless.yml as ${file(./deploy/aws/events.cjs):refreshPattern}. The sources filter the
// bus; what an event may ask for is limited by the function itself to entries of REGCRED_TARGETS.
'use strict';

module.exports = async ({ resolveVariable }) => {
  const raw = String((await resolveVariable('param:refreshSources')) ?? '');
  const sources = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (!sources.length) throw new Error('param refreshSources: list at least one event source (e.g. regcred.operator)');
  for (const source of sources) {
    // aws.* sources are AWS services' own; a custom refresh event can never come from one.
    if (!/^[A-Za-z0-9._/-]{1,256}$/.test(source) || source.startsWith('aws.')) {
      throw new Error(`param refreshSources: '${source}' is not a custom event source`);
    }
  }
  return { refreshPattern: { source: sources, 'detail-type': ['regcred.refresh'] } };
};
