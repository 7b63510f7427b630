import '@testing-library/jest-dom';

// Rendering a whole test app is slow on small CI machines.
jest.setTimeout(30_000);
