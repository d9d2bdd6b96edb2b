import { cleanup } from '@testing-library/react';
import { afterEach, beforeEach } from 'vitest';
import { resetSessionCacheForTests } from '../api/client';
import { resetLookups } from '../lookups';
import { resetDriversListMemory } from '../pages/DriversPage';

beforeEach(() => {
  window.sessionStorage.clear();
  window.localStorage.clear();
  window.history.replaceState(null, '', '/');
  resetSessionCacheForTests();
  resetDriversListMemory();
  resetLookups();
});

afterEach(() => {
  cleanup();
});
