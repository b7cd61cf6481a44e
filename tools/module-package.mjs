// The Windows package of the PowerShell module, from dist/Altazion.Update (build.mjs calls it):
//   dist/packages/Altazion.Update-<version>.zip    Altazion.Update/<version>/..., unzipped into a
//                                                  PSModulePath folder (win_unzip / Expand-Archive):
//                                                  a new version lands beside the old one
//   dist/packages/Altazion.Update.<version>.nupkg  the same files as a PowerShellGet package, for an
//                                                  internal NuGet feed (Install-Module / Publish-Module)
// Windows only: the Linux executable the tests use is left out. The version is package.json's,
// written into the module manifest (ModuleVersion) of dist/Altazion.Update as well.
import { createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import yazl from 'yazl';

const LINUX_ONLY = new Set(['bin/altazion-update']);

/** The OPC content types NuGet writes for its own parts; everything else is application/octet. */
const CONTENT_TYPES = {
  rels: 'application/vnd.openxmlformats-package.relationships+xml',
  psmdcp: 'application/vnd.openxmlformats-package.core-properties+xml',
};

function files(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? files(full, base) : [path.relative(base, full).split(path.sep).join('/')];
  }).sort();
}

function xmlText(value) {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The manifest's description and tags, read from the .psd1 (single-quoted strings). */
function manifestField(psd1, name) {
  const match = new RegExp(`${name}\\s*=\\s*'((?:[^']|'')*)'`).exec(psd1);
  return match ? match[1].replace(/''/g, "'") : '';
}

function writeZip(target, entries) {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    for (const [name, source] of entries) {
      if (Buffer.isBuffer(source)) zip.addBuffer(source, name, { mtime: new Date(0) });
      else zip.addFile(source, name);
    }
    zip.outputStream.pipe(createWriteStream(target)).on('close', resolve).on('error', reject);
    zip.end();
  });
}

export async function packageModule({ dist, version, log }) {
  const moduleDir = path.join(dist, 'Altazion.Update');
  const manifestFile = path.join(moduleDir, 'Altazion.Update.psd1');
  const psd1 = readFileSync(manifestFile, 'utf8').replace(/ModuleVersion\s*=\s*'[^']*'/, `ModuleVersion        = '${version}'`);
  writeFileSync(manifestFile, psd1);

  const out = path.join(dist, 'packages');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const moduleFiles = files(moduleDir).filter((f) => !LINUX_ONLY.has(f)).map((f) => [f, path.join(moduleDir, f)]);

  const zipFile = path.join(out, `Altazion.Update-${version}.zip`);
  await writeZip(zipFile, moduleFiles.map(([f, full]) => [`Altazion.Update/${version}/${f}`, full]));

  const tags = ['PSModule', 'PSIncludes_Function', 'PSFunction_Get-AltazionUpdate', 'PSFunction_Install-AltazionUpdate', 'PSFunction_Repair-AltazionUpdater',
    'PSCommand_Get-AltazionUpdate', 'PSCommand_Install-AltazionUpdate', 'PSCommand_Repair-AltazionUpdater', 'Altazion', 'Update', 'Windows', 'PSEdition_Desktop', 'PSEdition_Core'];
  const nuspec = `<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd">
  <metadata>
    <id>Altazion.Update</id>
    <version>${xmlText(version)}</version>
    <authors>${xmlText(manifestField(psd1, 'Author'))}</authors>
    <owners>${xmlText(manifestField(psd1, 'CompanyName'))}</owners>
    <requireLicenseAcceptance>false</requireLicenseAcceptance>
    <description>${xmlText(manifestField(psd1, 'Description'))}</description>
    <copyright>${xmlText(manifestField(psd1, 'Copyright'))}</copyright>
    <tags>${tags.join(' ')}</tags>
  </metadata>
</package>
`;
  // Every part of the package needs a content type: one Default per file extension it holds (the
  // Windows folder brings .node, .config, .version... besides the module's own files).
  const extensions = [...new Set(['rels', 'nuspec', 'psmdcp', ...moduleFiles.map(([f]) => path.extname(f).slice(1).toLowerCase()).filter(Boolean)])].sort();
  const contentTypes = `<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">${extensions.map((ext) => `<Default Extension="${ext}" ContentType="${CONTENT_TYPES[ext] ?? 'application/octet'}" />`).join('')}</Types>
`;
  const rels = `<?xml version="1.0" encoding="utf-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" Target="/Altazion.Update.nuspec" Id="R0" /><Relationship Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="/package/services/metadata/core-properties/altazion.psmdcp" Id="R1" /></Relationships>
`;
  const core = `<?xml version="1.0" encoding="utf-8"?>
<coreProperties xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"><dc:creator>${xmlText(manifestField(psd1, 'Author'))}</dc:creator><dc:description>${xmlText(manifestField(psd1, 'Description'))}</dc:description><dc:identifier>Altazion.Update</dc:identifier><version>${xmlText(version)}</version><keywords>${tags.join(' ')}</keywords></coreProperties>
`;
  const nupkg = path.join(out, `Altazion.Update.${version}.nupkg`);
  await writeZip(nupkg, [
    ['Altazion.Update.nuspec', Buffer.from(nuspec)],
    ['[Content_Types].xml', Buffer.from(contentTypes)],
    ['_rels/.rels', Buffer.from(rels)],
    ['package/services/metadata/core-properties/altazion.psmdcp', Buffer.from(core)],
    ...moduleFiles,
  ]);
  for (const file of [zipFile, nupkg]) log(`${path.relative(path.dirname(dist), file)} ${(statSync(file).size / 1048576).toFixed(1)} MiB`);
  return { zip: zipFile, nupkg };
}
