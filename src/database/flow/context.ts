// What the database flows need from the command that runs them: a narrow view, so the database
// layer depends on nothing above it (the CLI context, the service and the tests all fit it).
import type { InstanceLayout } from '../../config/paths';
import type { Output } from '../../output/output';
import type { Platform } from '../../platform/types';
import type { DatabaseStore } from '../store';
import type { AnalysisCache } from './analysis-cache';

export interface DatabaseContext {
  readonly layout: InstanceLayout;
  readonly output: Output;
  readonly now: () => Date;
  platform(): Promise<Platform>;
  /**
   * Opens the simulated database of a sandbox host (its folder). Given by whoever composes the
   * program (the CLI context): the sandbox lives above this layer, so the database never imports it.
   */
  openSandboxDatabase?(folder: string): Promise<DatabaseStore>;
  /** Where reads reuse analyses (the portal keeps one in memory); default: the snapshot on disk. */
  analysisCache?: AnalysisCache;
}
