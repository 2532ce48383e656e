// A plugin: counts signups in its own kv store and asks the host to send a welcome email.
// It sees only the event, the host's event API (the actions it returns) and `kv`.
module.exports = async (event) => {
  if (event.type !== 'user.signup') return { actions: [] };
  const count = ((await kv.get('signups')) ?? 0) + 1;
  await kv.put('signups', count);
  return {
    actions: [{ type: 'send-email', to: event.payload.email, subject: `Welcome! You are user #${count}` }],
  };
};
