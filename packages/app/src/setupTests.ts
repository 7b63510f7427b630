import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// The whole app renders slowly on a busy 2-core machine: give findBy/waitFor
// time before calling an element missing.
configure({ asyncUtilTimeout: 10_000 });
