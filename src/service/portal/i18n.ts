// Portal wording (pure): French by default (the admins know the legacy French page), English when
// the browser prefers it. One table, the same keys in both languages (a unit test enforces it).

export type Lang = 'fr' | 'en';
export const LANGS: readonly Lang[] = ['fr', 'en'];

const fr = {
  'app.title': 'Mises à jour Altazion',
  'app.subtitle': 'Serveur {computer}',
  'nav.modules': 'Modules',
  'nav.database': 'Base de données',
  'nav.history': 'Historique',
  'nav.health': 'État du serveur',
  'col.module': 'Module',
  'col.instance': 'Instance',
  'col.path': 'Chemin',
  'col.installed': 'Version installée',
  'col.available': 'Version disponible',
  'col.status': 'État',
  'col.action': 'Action',
  'col.date': 'Date',
  'col.from': 'Depuis',
  'col.to': 'Vers',
  'col.result': 'Résultat',
  'col.duration': 'Durée',
  'col.downtime': 'Interruption',
  'col.message': 'Message',
  'col.log': 'Journal',
  'col.check': 'Vérification',
  'col.target': 'Cible',
  'col.detail': 'Détail',
  'col.fix': 'Correction',
  'col.script': 'Script',
  'col.objects': 'Objets touchés',
  'button.install': 'Installer',
  'button.checkNow': 'Vérifier maintenant',
  'button.showScript': 'Voir le contenu',
  'button.runScript': 'Exécuter ce script',
  'button.markApplied': 'Marquer comme appliqué',
  'button.viewLog': 'Voir le journal',
  'status.UpToDate': 'À jour',
  'status.UpdateAvailable': 'Mise à jour disponible',
  'status.ManualActionRequired': 'Action manuelle requise',
  'status.NotInstalled': 'Non installé',
  'status.Unknown': 'Inconnu',
  'result.Installed': 'Installé',
  'result.UpToDate': 'Déjà à jour',
  'result.ManualActionRequired': 'Action manuelle requise',
  'result.Failed': 'Échec',
  'result.RolledBack': 'Annulé (version précédente restaurée)',
  'result.WhatIf': 'Simulation',
  'repair.Ok': 'OK',
  'repair.Fixed': 'Corrigé',
  'repair.WouldFix': 'À corriger',
  'repair.Warning': 'Attention',
  'repair.Failed': 'Échec',
  'repair.Skipped': 'Non vérifié',
  'script.Pending': 'En attente',
  'script.Applied': 'Appliqué',
  'script.AppliedManually': 'Appliqué à la main',
  'script.Failed': 'Échec',
  'modules.intro': 'Pour chaque module à mettre à jour, cliquez sur Installer. Prévenez les utilisateurs : le module est interrompu quelques instants.',
  'modules.allUpToDate': 'Toutes les applications sont à jour : il n’y a rien à faire.',
  'modules.none': 'Aucun module n’est déclaré dans {file}.',
  'modules.lastCheck': 'Dernière vérification des versions : {date}',
  'modules.neverChecked': 'Les versions disponibles n’ont pas encore été vérifiées.',
  'modules.notDownloaded': 'pas encore téléchargée',
  'install.running': 'Installation de {name} en cours…',
  'install.done': 'Installation terminée : {name} {version}',
  'install.failed': 'L’installation de {name} a échoué : {message}',
  'install.busy': 'Une autre installation est en cours ({who}). Réessayez quand elle sera terminée.',
  'install.started': 'Installation de {name} lancée.',
  'install.manual': '{name} demande une action manuelle : voir la page Base de données.',
  'install.log': 'Détail',
  'check.running': 'Vérification des versions en cours…',
  'check.done': 'Vérification terminée.',
  'check.failed': 'La vérification a échoué : {message}',
  'database.intro': 'La base de données est personnalisée : certaines tables, vues ou procédures standard ont été modifiées. Les scripts ne sont pas passés automatiquement : vérifiez leur contenu puis passez-les un par un.',
  'database.standard': 'La base de données est standard : ses scripts sont passés automatiquement par l’installation du module « database ».',
  'database.drift': 'Écarts par rapport au schéma standard',
  'database.modified': 'Modifiés',
  'database.missing': 'Manquants',
  'database.extra': 'Ajoutés par le client (autorisés)',
  'database.pending': 'Scripts en attente',
  'database.noPending': 'Aucun script en attente.',
  'database.customized': 'touche un objet personnalisé',
  'database.confirmRun': 'Exécuter le script {id} sur la base de données ?',
  'database.confirmMark': 'Confirmer que le script {id} a été passé à la main ?',
  'database.unavailable': 'Le détail de la base de données n’est pas disponible dans cette version.',
  'database.notInstalled': 'Le module « database » n’est pas déclaré sur ce serveur.',
  'history.intro': 'Les installations récentes, de la plus récente à la plus ancienne.',
  'history.empty': 'Aucune installation pour le moment.',
  'health.intro': 'Les vérifications du dépanneur, en lecture seule : rien n’est modifié ici. Pour corriger : altazion-update repair (en administrateur).',
  'health.unavailable': 'Les vérifications ne sont pas disponibles dans cette version.',
  'health.failed': 'Les vérifications ont échoué : {message}',
  'error.generic': 'Erreur : {message}',
  'footer.version': 'altazion-update {version}',
  'seconds': '{n} s',
} as const;

export type MessageKey = keyof typeof fr;

const en: Record<MessageKey, string> = {
  'app.title': 'Altazion updates',
  'app.subtitle': 'Server {computer}',
  'nav.modules': 'Modules',
  'nav.database': 'Database',
  'nav.history': 'History',
  'nav.health': 'Server health',
  'col.module': 'Module',
  'col.instance': 'Instance',
  'col.path': 'Path',
  'col.installed': 'Installed version',
  'col.available': 'Available version',
  'col.status': 'Status',
  'col.action': 'Action',
  'col.date': 'Date',
  'col.from': 'From',
  'col.to': 'To',
  'col.result': 'Result',
  'col.duration': 'Duration',
  'col.downtime': 'Downtime',
  'col.message': 'Message',
  'col.log': 'Log',
  'col.check': 'Check',
  'col.target': 'Target',
  'col.detail': 'Detail',
  'col.fix': 'Fix',
  'col.script': 'Script',
  'col.objects': 'Objects touched',
  'button.install': 'Install',
  'button.checkNow': 'Check now',
  'button.showScript': 'Show content',
  'button.runScript': 'Run this script',
  'button.markApplied': 'Mark as applied',
  'button.viewLog': 'View log',
  'status.UpToDate': 'Up to date',
  'status.UpdateAvailable': 'Update available',
  'status.ManualActionRequired': 'Manual action required',
  'status.NotInstalled': 'Not installed',
  'status.Unknown': 'Unknown',
  'result.Installed': 'Installed',
  'result.UpToDate': 'Already up to date',
  'result.ManualActionRequired': 'Manual action required',
  'result.Failed': 'Failed',
  'result.RolledBack': 'Rolled back (previous version restored)',
  'result.WhatIf': 'What-if',
  'repair.Ok': 'OK',
  'repair.Fixed': 'Fixed',
  'repair.WouldFix': 'Needs fixing',
  'repair.Warning': 'Warning',
  'repair.Failed': 'Failed',
  'repair.Skipped': 'Not checked',
  'script.Pending': 'Pending',
  'script.Applied': 'Applied',
  'script.AppliedManually': 'Applied by hand',
  'script.Failed': 'Failed',
  'modules.intro': 'For each module to update, click Install. Warn the users: the module is interrupted for a few moments.',
  'modules.allUpToDate': 'Every application is up to date: nothing to do.',
  'modules.none': 'No module is declared in {file}.',
  'modules.lastCheck': 'Versions last checked: {date}',
  'modules.neverChecked': 'Available versions have not been checked yet.',
  'modules.notDownloaded': 'not downloaded yet',
  'install.running': 'Installing {name}…',
  'install.done': 'Installation finished: {name} {version}',
  'install.failed': 'Installing {name} failed: {message}',
  'install.busy': 'Another install is running ({who}). Try again when it is over.',
  'install.started': 'Installation of {name} started.',
  'install.manual': '{name} needs a manual action: see the Database page.',
  'install.log': 'Details',
  'check.running': 'Checking for new versions…',
  'check.done': 'Check finished.',
  'check.failed': 'The check failed: {message}',
  'database.intro': 'The database is customised: some standard tables, views or procedures were changed. Scripts are not run automatically: review their content, then run them one by one.',
  'database.standard': 'The database is standard: its scripts run automatically when the "database" module is installed.',
  'database.drift': 'Differences from the standard schema',
  'database.modified': 'Modified',
  'database.missing': 'Missing',
  'database.extra': 'Added by the customer (allowed)',
  'database.pending': 'Pending scripts',
  'database.noPending': 'No pending script.',
  'database.customized': 'touches a customised object',
  'database.confirmRun': 'Run script {id} on the database?',
  'database.confirmMark': 'Confirm that script {id} was run by hand?',
  'database.unavailable': 'Database details are not available in this build.',
  'database.notInstalled': 'The "database" module is not declared on this server.',
  'history.intro': 'Recent installs, newest first.',
  'history.empty': 'No install yet.',
  'health.intro': 'The repair checks, read-only: nothing is changed here. To fix: altazion-update repair (as an administrator).',
  'health.unavailable': 'Checks are not available in this build.',
  'health.failed': 'The checks failed: {message}',
  'error.generic': 'Error: {message}',
  'footer.version': 'altazion-update {version}',
  'seconds': '{n} s',
};

export const MESSAGES: Readonly<Record<Lang, Readonly<Record<MessageKey, string>>>> = { fr, en };

/** Picks the language from an Accept-Language header: the highest-weighted of fr/en, French otherwise. */
export function negotiateLanguage(acceptLanguage: string | undefined): Lang {
  if (!acceptLanguage) return 'fr';
  let best: { lang: Lang; q: number; order: number } | undefined;
  acceptLanguage.split(',').forEach((part, order) => {
    const [tag, ...params] = part.trim().split(';');
    const primary = (tag ?? '').trim().toLowerCase().split('-')[0];
    if (primary !== 'fr' && primary !== 'en') return;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    if (!Number.isFinite(q) || q <= 0) return;
    if (!best || q > best.q || (q === best.q && order < best.order)) best = { lang: primary, q, order };
  });
  return best?.lang ?? 'fr';
}

/** The message for `key` with `{name}` placeholders filled in (unknown placeholders are left as is). */
export function translate(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = MESSAGES[lang][key] ?? MESSAGES.fr[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export type Translator = (key: MessageKey, params?: Record<string, string | number>) => string;
export function translator(lang: Lang): Translator {
  return (key, params) => translate(lang, key, params);
}
