// A serverless handler: deployed once with `vmctl fn deploy hello examples/serverless/hello.js`,
// invoked with events. `ctx` carries the tenant, function, version, request id, env and
// getRemainingTimeInMillis().
let invocations = 0; // module state lives as long as the warm instance

module.exports = async (event, ctx) => {
  invocations++;
  console.log(
    `${ctx.functionName} v${ctx.version} request ${ctx.requestId} (${invocations} in this instance)`,
  );
  return { statusCode: 200, body: 'Hello World' };
};
