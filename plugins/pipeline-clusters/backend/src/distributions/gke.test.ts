import { describeDistribution } from './__testUtils__/harness';

describeDistribution('gke');
