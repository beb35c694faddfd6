import { packageConfig } from '../../tooling/tsup.ts';

export default packageConfig({ index: 'src/index.ts', testing: 'src/testing/index.ts', cli: 'src/cli/index.ts' });
