import nock from 'nock';
import { afterEach, beforeAll } from 'vitest';

// GitHub is mocked with nock; nothing leaves the machine except loopback (our own servers).
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith('127.0.0.1') || host.startsWith('localhost'));
});

afterEach(() => {
  nock.cleanAll();
});
