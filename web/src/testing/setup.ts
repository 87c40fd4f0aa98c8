// The machine is shared and busy: give live RTDB round trips room before calling them failures.
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

configure({ asyncUtilTimeout: 10_000 });

// Without vitest globals Testing Library cannot register its own cleanup: unmount after each test.
afterEach(cleanup);
