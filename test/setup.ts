import nock from 'nock';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { settleLeftovers } from './helpers/leftovers.js';

// GitHub is mocked with nock; nothing leaves the machine except loopback (our own servers).
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith('127.0.0.1') || host.startsWith('localhost'));
});

afterEach(() => {
  nock.cleanAll();
});

// Files share worker processes (vitest.config.ts): nothing a file started may outlive it.
afterAll(() => settleLeftovers());
