// `settings` (SPEC §8, §12): the updater's settings and trusted keys are in bin\updates (writable by
// Administrators and SYSTEM only), not in bin\config where module identities may write. Fix: move
// them (src/security/settings.ts); an old copy that differs from the current file is only reported.
import { msg } from '../../core/messages';
import type { RepairStatus } from '../../core/records';
import { moveLegacySettings, type SettingsState } from '../../security/settings';
import { result, type RepairCheck } from '../types';

const STATUS: Record<SettingsState, RepairStatus> = {
  current: 'Ok',
  moved: 'Fixed',
  finished: 'Fixed',
  'would-move': 'WouldFix',
  'legacy-ignored': 'Warning',
  'not-moved': 'Failed',
};

export const settingsCheck: RepairCheck = {
  id: 'settings',
  describe: 'the updater\'s settings and trusted keys live in bin\\updates (admin-only), not in bin\\config (fix: move them)',
  async run(ctx, options) {
    const outcome = await moveLegacySettings(ctx, { dryRun: options.dryRun });
    const status = STATUS[outcome.state];
    const files = { legacy: outcome.legacyFile, file: outcome.file };
    const action = status === 'WouldFix' ? msg('repair.settings.move', files)
      : status === 'Warning' ? msg('repair.settings.compare', files)
        : status === 'Failed' ? (outcome.badInput ? msg('repair.settings.correct', { legacy: outcome.legacyFile }) : msg('repair.elevated'))
          : '';
    return [result('settings', status === 'Ok' ? outcome.file : outcome.legacyFile, status, outcome.detail, action)];
  },
};
