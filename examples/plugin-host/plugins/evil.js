// A hostile plugin: tries to reach the host, loop forever and smuggle an action the host does
// not offer. None of it works; the host carries on.
module.exports = async (event) => {
  const attempts = [];
  for (const attempt of [
    // A literal require('child_process') is refused when the plugin is deployed; a computed one
    // gets as far as load time, where require() reaches only the bundle's own files.
    () => require(['child', 'process'].join('_')),
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
