import { describe, expect, it } from 'vitest';
import { HostCpuLedger } from './host-cpu-ledger.js';

/** A ledger on a thread clock the test moves by hand (ms). */
function ledgerWithClock(): { ledger: HostCpuLedger; spend: (ms: number) => void } {
  let ns = 0n;
  const ledger = new HostCpuLedger(() => ns);
  return { ledger, spend: (ms) => (ns += BigInt(ms) * 1_000_000n) };
}

const ms = (ns: bigint): number => Number(ns) / 1e6;

describe('HostCpuLedger', () => {
  it('splits the thread CPU among open runs by their host events', () => {
    const { ledger, spend } = ledgerWithClock();
    const timers = ledger.openAccount();
    const busy = ledger.openAccount();
    timers.events = 9;
    busy.events = 1;
    spend(10);
    expect(ms(ledger.chargedNs(timers))).toBe(9);
    expect(ms(ledger.chargedNs(busy))).toBe(1);
  });

  it('charges nobody for a span in which no open run made an event', () => {
    // A run busy inside its isolate (no call, no console line) is not charged for the worker's
    // other work meanwhile.
    const { ledger, spend } = ledgerWithClock();
    const computing = ledger.openAccount();
    const other = ledger.openAccount();
    spend(10);
    expect(ms(ledger.chargedNs(computing))).toBe(0);
    other.events = 1;
    spend(4);
    expect(ms(ledger.chargedNs(computing))).toBe(0);
    expect(ms(ledger.chargedNs(other))).toBe(4);
  });

  it('charges nobody for CPU used while no run is open, or before a run opened', () => {
    const { ledger, spend } = ledgerWithClock();
    spend(50);
    const a = ledger.openAccount();
    a.events = 1;
    spend(3);
    ledger.closeAccount(a);
    spend(40);
    const b = ledger.openAccount();
    expect(ms(ledger.chargedNs(a))).toBe(3);
    expect(ms(ledger.chargedNs(b))).toBe(0);
  });

  it('keeps excluded work out of every share, and gives charged work to one run', () => {
    const { ledger, spend } = ledgerWithClock();
    const a = ledger.openAccount();
    const b = ledger.openAccount();
    ledger.exclude(() => spend(100)); // a pooled isolate made for nobody in particular
    ledger.charge(a, () => spend(6)); // acorn parsing a's code
    a.events = 1;
    b.events = 1;
    spend(2);
    expect(ms(ledger.chargedNs(a))).toBe(7);
    expect(ms(ledger.chargedNs(b))).toBe(1);
  });

  it('counts excluded or charged work that throws', () => {
    const { ledger, spend } = ledgerWithClock();
    const a = ledger.openAccount();
    expect(() =>
      ledger.charge(a, () => {
        spend(4);
        throw new Error('parse failed');
      }),
    ).toThrow('parse failed');
    expect(() =>
      ledger.exclude(() => {
        spend(8);
        throw new Error('out of memory');
      }),
    ).toThrow('out of memory');
    expect(ms(ledger.chargedNs(a))).toBe(4);
  });

  it('closes an account once, with the share up to its close', () => {
    const { ledger, spend } = ledgerWithClock();
    const a = ledger.openAccount();
    a.events = 1;
    spend(2);
    ledger.closeAccount(a);
    ledger.closeAccount(a);
    spend(5);
    expect(ms(ledger.chargedNs(a))).toBe(2);
    expect(ledger.openAccounts).toBe(0);
  });

  it("reads this thread's real CPU clock by default", () => {
    const ledger = new HostCpuLedger();
    const a = ledger.openAccount();
    a.events = 1;
    const until = performance.now() + 20;
    while (performance.now() < until) {
      // spin on this thread
    }
    expect(ms(ledger.chargedNs(a))).toBeGreaterThan(5);
  });
});
