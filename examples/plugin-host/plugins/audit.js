// A plugin: keeps the last three event types it saw (its own kv store) and asks for a log line.
module.exports = async (event) => {
  const seen = [...((await kv.get('recent')) ?? []), event.type].slice(-3);
  await kv.put('recent', seen);
  return { actions: [{ type: 'log', message: `audit: recent events ${seen.join(', ')}` }] };
};
