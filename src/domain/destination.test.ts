import { describe, expect, it } from 'vitest';
import { brokerAddress, checkBrokerUrlOnSave, destinationView, splitPassword, withPassword } from './destination.js';

describe('broker URLs', () => {
  it('keep the password apart from the URL, and put it back for connecting', () => {
    const split = splitPassword('amqp://hookd:p%40ss%3Aw0rd@mq.example.com:5672/prod', 'rabbitmq');
    expect(split).toEqual({ url: 'amqp://hookd@mq.example.com:5672/prod', password: 'p@ss:w0rd' });
    expect(withPassword(split.url, split.password)).toBe('amqp://hookd:p%40ss%3Aw0rd@mq.example.com:5672/prod');
    expect(splitPassword('nats://nats.example.com:4222', 'nats')).toEqual({ url: 'nats://nats.example.com:4222', password: null });
    expect(withPassword('redis://cache:6379/0', null)).toBe('redis://cache:6379/0');
  });

  it("keep a NATS token (the URL's lone username) apart like a password, and connect with it as a token", () => {
    const split = splitPassword('nats://s3cr%2Ft-token@nats.example.com:4222', 'nats');
    expect(split).toEqual({ url: 'nats://nats.example.com:4222', password: 's3cr/t-token' });
    expect(brokerAddress('nats', withPassword(split.url, split.password))).toMatchObject({ username: null, password: 's3cr/t-token' });
    // A user and password stay user and password; elsewhere a lone username is a username.
    expect(splitPassword('nats://hookd:pw@nats.example.com:4222', 'nats')).toEqual({ url: 'nats://hookd@nats.example.com:4222', password: 'pw' });
    expect(splitPassword('amqp://hookd@mq.example.com', 'rabbitmq')).toEqual({ url: 'amqp://hookd@mq.example.com', password: null });
  });

  it('are checked on save: the scheme of the type, a host, and the URL guard', () => {
    const publicOnly = { allowPrivate: false };
    expect(checkBrokerUrlOnSave('amqps://u:p@mq.example.com/vhost', 'rabbitmq', publicOnly)).toEqual({ ok: true });
    expect(checkBrokerUrlOnSave('tls://nats.example.com:4222', 'nats', publicOnly)).toEqual({ ok: true });
    expect(checkBrokerUrlOnSave('rediss://cache.example.com:6380/2', 'redis', publicOnly)).toEqual({ ok: true });
    expect(checkBrokerUrlOnSave('redis://mq.example.com', 'rabbitmq', publicOnly)).toMatchObject({ ok: false, code: 'invalid_url', reason: 'must use amqp or amqps for a rabbitmq destination' });
    expect(checkBrokerUrlOnSave('redis://cache.example.com/streams', 'redis', publicOnly)).toMatchObject({ ok: false, code: 'invalid_url' });
    expect(checkBrokerUrlOnSave('nats://nats.example.com/x', 'nats', publicOnly)).toMatchObject({ ok: false, code: 'invalid_url' });
    expect(checkBrokerUrlOnSave('amqp://mq.example.com?heartbeat=5', 'rabbitmq', publicOnly)).toMatchObject({ ok: false, code: 'invalid_url' });
    expect(checkBrokerUrlOnSave('amqp://10.0.0.5', 'rabbitmq', publicOnly)).toEqual({ ok: false, code: 'url_not_allowed', reason: 'private' });
    expect(checkBrokerUrlOnSave('nats://localhost:4222', 'nats', publicOnly)).toEqual({ ok: false, code: 'url_not_allowed', reason: 'loopback' });
    expect(checkBrokerUrlOnSave('nats://127.0.0.1:4222', 'nats', { allowPrivate: true })).toEqual({ ok: true });
  });

  it('give what a client connects with: defaults for the port, the vhost and the database', () => {
    expect(brokerAddress('rabbitmq', 'amqp://mq.example.com')).toMatchObject({ tls: false, host: 'mq.example.com', port: 5672, vhost: '/', username: null, password: null });
    expect(brokerAddress('rabbitmq', 'amqps://u:p@mq.example.com/%2Fprod')).toMatchObject({ tls: true, port: 5671, vhost: '/prod', username: 'u', password: 'p' });
    expect(brokerAddress('redis', 'rediss://[::1]:6380/3')).toMatchObject({ tls: true, host: '::1', port: 6380, database: 3 });
    expect(brokerAddress('nats', 'nats://nats.example.com')).toMatchObject({ port: 4222, database: 0 });
  });
});

describe('destinationView', () => {
  it('never shows the password, only whether one is stored', () => {
    expect(destinationView({ type: 'redis', stream: 'hooks', maxLen: 10, password: 'secret' })).toEqual({ type: 'redis', stream: 'hooks', maxLen: 10, hasPassword: true });
    expect(destinationView({ type: 'nats', subject: 'hooks', password: null })).toEqual({ type: 'nats', subject: 'hooks', hasPassword: false });
    expect(destinationView({ type: 'http' })).toEqual({ type: 'http' });
  });
});
