import { describe, expect, it } from 'vitest';
import { resolveVmdClientOptions } from './client-options.js';
import {
  IP_ADDRESS_SERVER_NAME,
  createChannelCredentials,
  createChannelOptions,
  parseAddress,
  tlsIpIdentity,
} from './connection.js';
import { VmdClientError } from './errors.js';

describe('parseAddress', () => {
  it.each([
    ['127.0.0.1:50051', '127.0.0.1:50051', 'tcp'],
    ['localhost', 'localhost:50051', 'tcp'],
    ['  vmd.internal:7000 ', 'vmd.internal:7000', 'tcp'],
    ['[::1]:6000', '[::1]:6000', 'tcp'],
    ['[::1]', '[::1]:50051', 'tcp'],
    ['unix:/run/vmd.sock', 'unix:/run/vmd.sock', 'unix'],
    ['unix:///run/vmd.sock', 'unix:///run/vmd.sock', 'unix'],
    ['/run/vmd.sock', 'unix:/run/vmd.sock', 'unix'],
    ['dns:///vmd.internal:50051', 'dns:///vmd.internal:50051', 'resolver'],
    ['ipv4:10.0.0.1:50051,10.0.0.2:50051', 'ipv4:10.0.0.1:50051,10.0.0.2:50051', 'resolver'],
  ])('%s → %s', (input, target, transport) => {
    expect(parseAddress(input)).toMatchObject({ target, transport });
  });

  it.each([
    ['', 'empty'],
    ['http://localhost:50051', 'scheme http://'],
    ['host:0', "port '0'"],
    ['host:70000', "port '70000'"],
    ['host:abc', "port 'abc'"],
    ['::1:50051', 'brackets'],
    ['unix:', 'socket path'],
    [':50051', 'host'],
  ])('rejects %j (%s)', (input, why) => {
    let caught: unknown;
    try {
      parseAddress(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(VmdClientError);
    const error = caught as VmdClientError;
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.field).toBe('address');
    expect(error.message).toContain(why);
    expect(error.message).toContain('expected host:port');
  });
});

describe('channel setup', () => {
  it('defaults: plaintext, keepalive while calls are active, 64 MiB messages', () => {
    const options = resolveVmdClientOptions();
    expect(options.address).toBe('127.0.0.1:50051');
    expect(options.tls).toBeUndefined();
    expect(createChannelOptions(options)).toMatchObject({
      'grpc.keepalive_time_ms': 60_000,
      'grpc.keepalive_timeout_ms': 20_000,
      'grpc.keepalive_permit_without_calls': 0,
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
    });
    expect(createChannelCredentials(undefined)._isSecure()).toBe(false);
  });

  it('keepalive 0 turns pings off; user channel options win', () => {
    const options = resolveVmdClientOptions({
      keepalive: { timeMs: 0 },
      channelOptions: { 'grpc.max_receive_message_length': 1024 },
      tls: { serverName: 'vmd.internal' },
    });
    const channelOptions = createChannelOptions(options);
    expect(channelOptions['grpc.keepalive_time_ms']).toBeUndefined();
    expect(channelOptions['grpc.max_receive_message_length']).toBe(1024);
    expect(channelOptions['grpc.ssl_target_name_override']).toBe('vmd.internal');
  });

  it('tls: true uses TLS with system roots', () => {
    const options = resolveVmdClientOptions({ tls: true });
    expect(createChannelCredentials(options.tls)._isSecure()).toBe(true);
  });

  it('mTLS needs both certificate and key', () => {
    expect(() => createChannelCredentials({ cert: 'x' })).toThrow(/both a certificate and its key/);
  });

  it.each<[string, string | undefined, string | undefined]>([
    ['127.0.0.1:50051', undefined, '127.0.0.1'],
    ['[::1]:50051', undefined, '::1'],
    ['ipv4:10.0.0.1:50051,10.0.0.2:50051', undefined, '10.0.0.1'],
    ['ipv6:[fd00::1]:50051', undefined, 'fd00::1'],
    ['dns:///10.0.0.1:50051', undefined, '10.0.0.1'],
    ['dns:10.0.0.1:50051', undefined, '10.0.0.1'],
    ['localhost:50051', '10.0.0.9', '10.0.0.9'],
    ['localhost:50051', undefined, undefined],
    ['dns:///vmd.internal:50051', undefined, undefined],
    ['127.0.0.1:50051', 'vmd.internal', undefined],
    ['unix:/run/vmd.sock', undefined, undefined],
  ])('TLS to %s (serverName %s): the identity verified as an IP is %s', (address, serverName, ip) => {
    const options = resolveVmdClientOptions({ address, tls: serverName === undefined ? {} : { serverName } });
    expect(tlsIpIdentity(parseAddress(address), options.tls)).toBe(ip);
    const override = createChannelOptions(options)['grpc.ssl_target_name_override'];
    expect(override).toBe(ip !== undefined ? IP_ADDRESS_SERVER_NAME : serverName);
  });

  it('plaintext has no TLS identity; a name override given in channelOptions wins', () => {
    expect(tlsIpIdentity(parseAddress('127.0.0.1:50051'), undefined)).toBeUndefined();
    const options = resolveVmdClientOptions({
      address: '127.0.0.1:50051',
      tls: true,
      channelOptions: { 'grpc.ssl_target_name_override': 'vmd.internal' },
    });
    expect(createChannelOptions(options)['grpc.ssl_target_name_override']).toBe('vmd.internal');
  });
});
