// Folder and file rights by SID (System.Security.AccessControl): read the owner and the DACL, grant
// Modify, replace the DACL with a protected one, make a path inherit its parent's again. Names are
// only for people (they are localised: "AUTORITE NT\Système"); every decision is made on SIDs.
// accounts.resolve turns account names into SIDs.
using System;
using System.Collections.Generic;
using System.IO;
using System.Security.AccessControl;
using System.Security.Principal;

namespace Altazion.Bridge
{
    public static class Acl
    {
        static string NameOf(IdentityReference sid)
        {
            try { return sid.Translate(typeof(NTAccount)).Value; }
            catch (Exception) { return null; }
        }

        static FileSystemSecurity Read(string path, AccessControlSections sections)
        {
            if (Directory.Exists(path)) return Directory.GetAccessControl(path, sections);
            if (File.Exists(path)) return File.GetAccessControl(path, sections);
            throw new BridgeException("NOT_FOUND", path + " does not exist", 2);
        }

        static void Write(string path, FileSystemSecurity security)
        {
            var directory = security as DirectorySecurity;
            if (directory != null) Directory.SetAccessControl(path, directory);
            else File.SetAccessControl(path, (FileSecurity)security);
        }

        static Dictionary<string, object> Principal(IdentityReference sid)
        {
            var result = new Dictionary<string, object>();
            result["sid"] = sid.Value;
            result["name"] = NameOf(sid);
            return result;
        }

        /// <summary>
        /// {path, directory, owner:{sid,name}, protected, entries:[{sid, name, allow, rights (the
        /// access mask), inherited, containerInherit, objectInherit, inheritOnly, noPropagate}]}.
        /// </summary>
        [Operation("acl.read")]
        public static object ReadAcl(Args args)
        {
            string path = args.String("path");
            FileSystemSecurity security = Read(path, AccessControlSections.Access | AccessControlSections.Owner);
            var result = new Dictionary<string, object>();
            result["path"] = path;
            result["directory"] = security is DirectorySecurity;
            IdentityReference owner = security.GetOwner(typeof(SecurityIdentifier));
            result["owner"] = owner == null ? null : Principal(owner);
            result["protected"] = security.AreAccessRulesProtected;
            var entries = new List<object>();
            foreach (FileSystemAccessRule rule in security.GetAccessRules(true, true, typeof(SecurityIdentifier)))
            {
                var entry = Principal(rule.IdentityReference);
                entry["allow"] = rule.AccessControlType == AccessControlType.Allow;
                entry["rights"] = (long)(uint)(int)rule.FileSystemRights;
                entry["inherited"] = rule.IsInherited;
                entry["containerInherit"] = (rule.InheritanceFlags & InheritanceFlags.ContainerInherit) != 0;
                entry["objectInherit"] = (rule.InheritanceFlags & InheritanceFlags.ObjectInherit) != 0;
                entry["inheritOnly"] = (rule.PropagationFlags & PropagationFlags.InheritOnly) != 0;
                entry["noPropagate"] = (rule.PropagationFlags & PropagationFlags.NoPropagateInherit) != 0;
                entries.Add(entry);
            }
            result["entries"] = entries;
            return result;
        }

        static FileSystemRights Rights(string name)
        {
            FileSystemRights rights;
            if (!Enum.TryParse(name, false, out rights)) throw new BridgeException("BAD_REQUEST", "'" + name + "' is not a FileSystemRights name (Modify, ReadAndExecute, FullControl...)");
            return rights;
        }

        /// <summary>Adds an allow entry for a SID (default Modify), inherited by subfolders and files.</summary>
        [Operation("acl.grant")]
        public static object Grant(Args args)
        {
            string path = args.String("path");
            var sid = new SecurityIdentifier(args.String("sid"));
            FileSystemSecurity security = Read(path, AccessControlSections.Access);
            InheritanceFlags inheritance = security is DirectorySecurity ? InheritanceFlags.ContainerInherit | InheritanceFlags.ObjectInherit : InheritanceFlags.None;
            security.AddAccessRule(new FileSystemAccessRule(sid, Rights(args.OptionalString("rights") ?? "Modify") | FileSystemRights.Synchronize, inheritance, PropagationFlags.None, AccessControlType.Allow));
            Write(path, security);
            return true;
        }

        /// <summary>
        /// Replaces the DACL with a protected one (nothing inherited from the parent) holding exactly
        /// the grants [{sid, rights}] (inherited by subfolders and files), and sets the owner when given.
        /// </summary>
        [Operation("acl.setProtected")]
        public static object SetProtected(Args args)
        {
            string path = args.String("path");
            FileSystemSecurity security = Read(path, AccessControlSections.Access);
            bool directory = security is DirectorySecurity;
            security.SetAccessRuleProtection(true, false);
            foreach (AuthorizationRule rule in security.GetAccessRules(true, true, typeof(SecurityIdentifier)))
                security.PurgeAccessRules(rule.IdentityReference);
            foreach (var grant in args.Objects("grants"))
            {
                var sid = new SecurityIdentifier(new Args(grant).String("sid"));
                InheritanceFlags inheritance = directory ? InheritanceFlags.ContainerInherit | InheritanceFlags.ObjectInherit : InheritanceFlags.None;
                security.AddAccessRule(new FileSystemAccessRule(sid, Rights(new Args(grant).OptionalString("rights") ?? "FullControl"), inheritance, PropagationFlags.None, AccessControlType.Allow));
            }
            string owner = args.OptionalString("owner");
            if (owner != null) security.SetOwner(new SecurityIdentifier(owner));
            Write(path, security);
            return true;
        }

        /// <summary>
        /// Makes a file or folder inherit everything from its parent: protection off, its explicit
        /// entries removed, and the owner set when given (restrictToAdministrators resets what lies
        /// below an admin-only folder this way). A link (junction, symbolic link) is refused: its
        /// target's rights would change through it.
        /// </summary>
        [Operation("acl.inherit")]
        public static object Inherit(Args args)
        {
            string path = args.String("path");
            string owner = args.OptionalString("owner");
            FileSystemSecurity security = Read(path, AccessControlSections.Access);
            if ((File.GetAttributes(path) & FileAttributes.ReparsePoint) != 0)
                throw new BridgeException("REPARSE_POINT", path + " is a link (junction or symbolic link): its target's rights are not changed through it");
            security.SetAccessRuleProtection(false, false);
            foreach (FileSystemAccessRule rule in security.GetAccessRules(true, false, typeof(SecurityIdentifier)))
                security.RemoveAccessRuleSpecific(rule);
            if (owner != null) security.SetOwner(new SecurityIdentifier(owner));
            Write(path, security);
            return true;
        }

        /// <summary>[{name, sid}] for each account name (sid null when it does not resolve).</summary>
        [Operation("accounts.resolve")]
        public static object Resolve(Args args)
        {
            var result = new List<object>();
            foreach (string name in args.Strings("names"))
            {
                var entry = new Dictionary<string, object>();
                entry["name"] = name;
                try { entry["sid"] = new NTAccount(name).Translate(typeof(SecurityIdentifier)).Value; }
                catch (Exception) { entry["sid"] = null; }
                result.Add(entry);
            }
            return result;
        }
    }
}
