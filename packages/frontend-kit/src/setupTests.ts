import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// Whole test apps render slowly on a busy 2-core machine: give findBy/waitFor
// time before calling an element missing.
configure({ asyncUtilTimeout: 10_000 });

// Rendering a whole test app is slow on small CI machines.
jest.setTimeout(30_000);
