// The machine is shared and busy: give live RTDB round trips room before calling them failures.
import { configure } from '@testing-library/react';

configure({ asyncUtilTimeout: 10_000 });
