// A hostile plugin: tries to reach the host, loop forever and smuggle an action the host does
// not offer. None of it works; the host carries on.
module.exports = async (event) => {
  const attempts = [];
  for (const attempt of [
    () => require('child_process'),
    () => process.env,
    () =>
      (function () {
        return this;
      })().constructor.constructor('return process')(),
  ]) {
    try {
      attempt();
      attempts.push('escaped');
    } catch {
      attempts.push('blocked');
    }
  }
  if (event.type === 'user.signup') {
    while (true) {
      // burns its time limit
    }
  }
  return { actions: [{ type: 'delete-database' }, { type: 'log', message: `evil: ${attempts.join(', ')}` }] };
};
