// Compile-time stand-in for Microsoft.Web.Administration 7.0.0.0 (see the .csproj): the members
// AltazionBridge.Iis uses, declared on the types that declare them in Microsoft's documentation
// ("Microsoft.Web.Administration Namespace", learn.microsoft.com), with the same base classes, so
// that the member references compiled against it are those a compile against the real assembly
// makes. Bodies never run. Enums are not declared: the bridge reads them with ToString(), so no
// constant of this file ends up in its IL.
using System;
using System.Collections;
using System.Collections.Generic;

namespace Microsoft.Web.Administration
{
    public class ConfigurationElement
    {
        internal ConfigurationElement() { }
    }

    public abstract class ConfigurationElementCollectionBase<T> : ConfigurationElement, ICollection, IEnumerable<T>, IEnumerable where T : ConfigurationElement
    {
        internal ConfigurationElementCollectionBase() { }
        public int Count { get { throw new NotSupportedException(); } }
        public T this[int index] { get { throw new NotSupportedException(); } }
        public IEnumerator<T> GetEnumerator() { throw new NotSupportedException(); }
        IEnumerator IEnumerable.GetEnumerator() { throw new NotSupportedException(); }
        void ICollection.CopyTo(Array array, int index) { throw new NotSupportedException(); }
        bool ICollection.IsSynchronized { get { throw new NotSupportedException(); } }
        object ICollection.SyncRoot { get { throw new NotSupportedException(); } }
    }

    public sealed class ServerManager : IDisposable
    {
        public ServerManager() { throw new NotSupportedException(); }
        public SiteCollection Sites { get { throw new NotSupportedException(); } }
        public ApplicationPoolCollection ApplicationPools { get { throw new NotSupportedException(); } }
        public void Dispose() { }
    }

    public sealed class SiteCollection : ConfigurationElementCollectionBase<Site>
    {
        internal SiteCollection() { }
        public Site this[string name] { get { throw new NotSupportedException(); } }
    }

    public sealed class Site : ConfigurationElement
    {
        internal Site() { }
        public string Name { get { throw new NotSupportedException(); } set { } }
        public BindingCollection Bindings { get { throw new NotSupportedException(); } }
        public ApplicationCollection Applications { get { throw new NotSupportedException(); } }
    }

    public sealed class BindingCollection : ConfigurationElementCollectionBase<Binding>
    {
        internal BindingCollection() { }
    }

    public class Binding : ConfigurationElement
    {
        internal Binding() { }
        public string Protocol { get { throw new NotSupportedException(); } set { } }
        public string BindingInformation { get { throw new NotSupportedException(); } set { } }
        public string Host { get { throw new NotSupportedException(); } }
    }

    public sealed class ApplicationCollection : ConfigurationElementCollectionBase<Application>
    {
        internal ApplicationCollection() { }
        public Application this[string path] { get { throw new NotSupportedException(); } }
    }

    public sealed class Application : ConfigurationElement
    {
        internal Application() { }
        public string Path { get { throw new NotSupportedException(); } set { } }
        public string ApplicationPoolName { get { throw new NotSupportedException(); } set { } }
        public VirtualDirectoryCollection VirtualDirectories { get { throw new NotSupportedException(); } }
    }

    public sealed class VirtualDirectoryCollection : ConfigurationElementCollectionBase<VirtualDirectory>
    {
        internal VirtualDirectoryCollection() { }
        public VirtualDirectory this[string path] { get { throw new NotSupportedException(); } }
    }

    public sealed class VirtualDirectory : ConfigurationElement
    {
        internal VirtualDirectory() { }
        public string Path { get { throw new NotSupportedException(); } set { } }
        public string PhysicalPath { get { throw new NotSupportedException(); } set { } }
    }

    public sealed class ApplicationPoolCollection : ConfigurationElementCollectionBase<ApplicationPool>
    {
        internal ApplicationPoolCollection() { }
        public ApplicationPool this[string name] { get { throw new NotSupportedException(); } }
    }

    public sealed class ApplicationPool : ConfigurationElement
    {
        internal ApplicationPool() { }
        public string Name { get { throw new NotSupportedException(); } set { } }
        public ObjectState State { get { throw new NotSupportedException(); } }
        public ApplicationPoolProcessModel ProcessModel { get { throw new NotSupportedException(); } }
        public ObjectState Start() { throw new NotSupportedException(); }
        public ObjectState Stop() { throw new NotSupportedException(); }
    }

    public sealed class ApplicationPoolProcessModel : ConfigurationElement
    {
        internal ApplicationPoolProcessModel() { }
        public ProcessModelIdentityType IdentityType { get { throw new NotSupportedException(); } set { } }
        public string UserName { get { throw new NotSupportedException(); } set { } }
    }

    // Declared for the signatures above; their members are deliberately absent (read with ToString()).
    public enum ObjectState { }
    public enum ProcessModelIdentityType { }
}
