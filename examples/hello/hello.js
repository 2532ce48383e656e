// A first vmd execution: console output streams live, and the script's last value is
// the result.
const started = performance.now();
console.log('hello from a V8 isolate');
console.warn('warnings go to stderr');
const primes = [];
for (let n = 2; primes.length < 10; n++) {
  if (primes.every((p) => n % p !== 0)) primes.push(n);
}
await new Promise((resolve) => setTimeout(resolve, 10));
({ primes, tookMs: Math.round(performance.now() - started), typeofProcess: typeof process });
